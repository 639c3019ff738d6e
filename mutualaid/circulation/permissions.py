"""Access helpers for the need, offer and match aggregates, used by web views and the API alike.

Needs, offers and matches are for the members of their group: to anyone else they do not exist (404).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.utils.translation import gettext as _

from mutualaid.core.errors import NotAllowed, NotFound
from mutualaid.networks.models import User
from mutualaid.networks.permissions import GroupAccess, group_access

from .models import Match, Need, Offer
from .selectors import claim_hold, match_detail, need_detail


def _uuid_or_404(value, message: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(message) from None


def confirm_refusal(user: User, match: Match, *, is_coordinator: bool) -> str | None:
    """The one rule for confirming that help was received (completing a match), on the web and the API alike, and
    checked again by `services.match_complete`: None when `user` may confirm, else why not (translated).

    The person confirming is never the match's helper, whoever entered the need. A need entered on someone's behalf
    (proxy intake: no requester account) is confirmed by a coordinator who did not give the help; any other need by
    its requester or a coordinator."""
    need = match.need
    if need.requester_id is None and not is_coordinator:
        return _("This need was entered on someone's behalf: a coordinator who did not give the help confirms it "
                 "was received.")
    if not (is_coordinator or need.requester_id == user.pk):
        return _("Only the requester or a coordinator can confirm that help was received.")
    if match.helper_id is not None and match.helper_id == user.pk:
        return _("You gave this help: the requester or another coordinator confirms it was received.")
    return None


def claim_refusal(user: User, need: Need) -> str | None:
    """Who may not claim a need, whatever is left of it: its requester; whoever entered it on someone's behalf (who
    would otherwise be both sides of the match); a member suspended in its group; a helper whose claims there are
    paused. None when `user` may claim, else why not (translated)."""
    if need.requester_id is not None and need.requester_id == user.pk:
        return _("You cannot claim your own need.")
    if need.requester_id is None and need.created_by_id is not None and need.created_by_id == user.pk:
        return _("You entered this need on someone's behalf: another member brings the help, and a coordinator "
                 "confirms it.")
    suspended, paused = claim_hold(user, need.group_id)
    if suspended:
        return _("You are suspended in this group and cannot claim needs.")
    if paused:
        return _("You cancelled several claims in a short time: a coordinator of this group needs to lift the pause "
                 "before you can claim again.")
    return None


def may_edit_need(user: User, need: Need, *, is_coordinator: bool) -> bool:
    """Who fixes a need's mistakes: its requester; for a need entered on someone's behalf, whoever entered it and
    the group's coordinators (the person it is for has no account to do it)."""
    if need.requester_id is not None:
        return need.requester_id == user.pk
    return need.created_by_id == user.pk or is_coordinator


def can_see_contact(user: User | None, need: Need, *, is_coordinator: bool, matches: list[Match]) -> bool:
    """Who sees a need's contact details: its group's coordinators, its requester (or whoever entered it for
    someone without an account), and a helper whose claim on it is confirmed (`matches`: the need's matches)."""
    if user is None or not user.is_authenticated:
        return False
    if is_coordinator or (need.requester_id is not None and need.requester_id == user.pk):
        return True
    if need.requester_id is None and need.created_by_id == user.pk:
        return True
    return any(m.helper_id == user.pk and m.status == Match.Status.CONFIRMED for m in matches)


@dataclass
class NeedAccess:
    need: Need
    group: GroupAccess
    sees_contact: bool
    is_requester: bool
    user: User | None = None

    @property
    def can_manage(self) -> bool:
        """Cancel the need, confirm receipt: its requester (or whoever entered it by proxy) or a coordinator."""
        return self.is_requester or self.group.is_coordinator

    def can_confirm(self, match: Match) -> bool:
        """Whether this person may confirm that the help of `match` was received (`confirm_refusal`)."""
        return bool(self.user and self.user.is_authenticated
                    and confirm_refusal(self.user, match, is_coordinator=self.group.is_coordinator) is None)


def need_access(user: User | None, public_id) -> NeedAccess:
    need = need_detail(_uuid_or_404(public_id, _("No such need.")))
    if need is None:
        raise NotFound(_("No such need."))
    is_requester = bool(user and user.is_authenticated and (
        need.requester_id == user.pk or (need.requester_id is None and need.created_by_id == user.pk)))
    try:
        # The requester follows their own need even outside its group (after a referral, or after leaving).
        access = group_access(user, need.group, require="public" if is_requester else "member")
    except NotFound:
        raise NotFound(_("No such need.")) from None
    # need_detail read the matches with the need (one query for every need page), so this reads nothing more
    sees = can_see_contact(user, need, is_coordinator=access.is_coordinator, matches=list(need.matches.all()))
    return NeedAccess(need, access, sees, is_requester, user)


def match_access(user: User | None, public_id) -> Match:
    match = match_detail(_uuid_or_404(public_id, _("No such match.")))
    if match is None:
        raise NotFound(_("No such match."))
    is_party = bool(user and user.is_authenticated and user.pk in {
        match.helper_id, match.need.requester_id,
        match.need.created_by_id if match.need.requester_id is None else None})
    try:
        group_access(user, match.need.group, require="public" if is_party else "member")
    except NotFound:
        raise NotFound(_("No such match.")) from None
    return match


def offer_access(user: User | None, public_id) -> Offer:
    try:
        offer = Offer.objects.select_related("group", "category", "helper").get(
            public_id=_uuid_or_404(public_id, _("No such offer.")))
    except Offer.DoesNotExist:
        raise NotFound(_("No such offer.")) from None
    try:
        group_access(user, offer.group, require="member")
    except NotFound:
        raise NotFound(_("No such offer.")) from None
    return offer


def match_side(user: User | None, match: Match) -> str | None:
    """Which side of the match `user` is on: "helper", "requester" (also whoever entered the need for someone without
    an account, who speaks for them) or None."""
    if user is None or not user.is_authenticated:
        return None
    return match.side_of(user.pk)


@dataclass
class ThreadAccess:
    """A match's conversation, for someone who may read it and write in it: `side` is "requester", "helper" or
    "coordinator"."""

    match: Match
    group: GroupAccess
    side: str


def thread_access(user: User | None, public_id) -> ThreadAccess:
    """A match's conversation is for the two sides of the match and the group's coordinators: 404 to whoever may
    not see the match at all, 403 to the group's other members."""
    match = match_detail(_uuid_or_404(public_id, _("No such match.")))
    if match is None:
        raise NotFound(_("No such match."))
    side = match_side(user, match)
    try:
        access = group_access(user, match.need.group, require="public" if side else "member")
    except NotFound:
        raise NotFound(_("No such match.")) from None
    if side is None:
        if not access.is_coordinator:
            raise NotAllowed(_("This conversation is between the requester, the helper and the group's "
                               "coordinators."))
        side = "coordinator"
    return ThreadAccess(match, access, side)
