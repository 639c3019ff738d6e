"""Writing in a match's conversation: the requester, the helper and the group's coordinators reach each other there
(a requester without a phone or e-mail on file too)."""
from __future__ import annotations

from django.utils.translation import gettext as _

from mutualaid.audit.services import audit_record, audited_atomic
from mutualaid.core.errors import NotAllowed
from mutualaid.core.limits import max_length
from mutualaid.core.validators import check_text
from mutualaid.networks import selectors as network_selectors
from mutualaid.networks.models import Notification, User
from mutualaid.networks.permissions import group_access
from mutualaid.networks.services import notify

from .. import notices, selectors
from ..models import Match, MatchMessage
from ..permissions import match_side


def thread_recipients(match: Match, *, author: User) -> set[User]:
    """Who is told of a new message: both sides of the match, and the coordinators who have written in this
    conversation (a coordinator joins it by writing; every coordinator when no side has an account left to be
    told), never its author."""
    need = match.need
    sides = {match.helper, need.requester or need.created_by} - {None}
    writers = set(User.objects.filter(pk__in=selectors.match_messages(match).values("author_id")))
    coordinators = set(network_selectors.group_coordinators(need.group))
    told = sides | (writers & coordinators)
    if not sides - {author}:
        told |= coordinators
    return told - {author}


def match_message_write(*, actor: User, match: Match, text: str) -> MatchMessage:
    """`actor` writes in the match's conversation. The two sides of the match may (the helper, and the requester or
    whoever entered the need for someone), and the group's coordinators; a member suspended in the group reads it
    but does not write. The others are told (a notification and an e-mail, once while they have not read the last)."""
    text = check_text(text, field="text", limit=max_length(MatchMessage, "text"), required=True)
    side = match_side(actor, match)
    access = group_access(actor, match.need.group, require="public" if side else "member")
    if side is None and not access.is_coordinator:
        raise NotAllowed(_("This conversation is between the requester, the helper and the group's coordinators."))
    suspended, _paused = selectors.claim_hold(actor, match.need.group_id)
    if suspended:
        raise NotAllowed(_("You are suspended in this group: you can read this conversation but not write in it."))
    url = f"/matches/{match.public_id}/"
    with audited_atomic():
        message = MatchMessage.objects.create(match=match, author=actor, text=text)
        # That a message was written, and which: never what it says. Named by type and id, not as the match
        # object, so that no group page's stamp moves: no board or list shows a conversation.
        audit_record(actor=actor, action="match.message_written", object_type=Match._meta.label_lower,
                     object_id=str(match.public_id), after={"message": str(message.public_id)})
        waiting = set(Notification.objects.filter(kind=notices.MATCH_MESSAGE.code, url=url, read_at__isnull=True)
                      .values_list("user_id", flat=True))
        for user in thread_recipients(match, author=actor):
            if user.pk not in waiting:  # one unread notice per conversation is enough
                notify(user=user, kind=notices.MATCH_MESSAGE, url=url,
                       params={"author": actor.username, "need": match.need.title})
    return message
