"""What circulation does when a person leaves a group, is suspended, or closes their account: their
claims are handed back, their offers withdrawn, their needs closed and what they typed erased."""
from __future__ import annotations

from django.utils.translation import gettext as _

from mutualaid.audit.services import audit_record, audited_atomic, stamp_scopes
from mutualaid.networks.models import Group, Notification, User, user_scope

from .. import notices
from ..models import Match, MatchMessage, Need, NeedContact, Offer
from .common import _cancel_need_locked, _hand_back_claims, _lock_need, _withdraw_offers


def member_leaving_hand_back(*, actor: User, group: Group) -> None:
    """Before a person leaves a group (networks.signals.member_leaving, inside that transaction): their live matches
    there as a helper are cancelled (the quantity returns to each need, the requester is told) and their active and
    paused offers withdrawn. Their own needs stay open; they can still follow them."""
    reason = _("The helper left the group.")
    _hand_back_claims(actor=actor, reason=reason, matches=Match.objects.filter(helper=actor, need__group=group))
    _withdraw_offers(actor=actor, offers=Offer.objects.filter(group=group), why="member_left")


def member_suspended_hand_back(*, actor: User, group: Group, user: User) -> None:
    """A member was suspended over a safety concern (networks.services.suspension_create): every live claim they
    hold in the group is handed back at once, so they see no contact detail from now on."""
    _hand_back_claims(actor=actor, reason=_("The helper was suspended by a coordinator."),
                      matches=Match.objects.filter(helper=user, need__group=group))


def user_circulation_close(*, actor: User) -> dict[str, int]:
    """Before a person's account is deleted: hand back what they had taken on and close what they asked for.

    Their live matches as a helper are cancelled (the quantity returns to each need, the requester is told), their
    needs still in play are cancelled (with any live matches on them; the helpers are told), their active and paused
    offers withdrawn, and the contact records of every need they posted purged. Completed matches and fulfilled
    needs stay as they are, linked to the (anonymised) user: the record of help given and received is kept."""
    reason_helper = _("The helper closed their account.")
    reason_requester = _("The requester closed their account.")
    counts = {"matches_cancelled": 0, "needs_cancelled": 0, "offers_withdrawn": 0, "contacts_purged": 0}
    with audited_atomic():
        counts["matches_cancelled"] = _hand_back_claims(actor=actor, reason=reason_helper,
                                                        matches=Match.objects.filter(helper=actor))
        for pk in Need.objects.filter(requester=actor).exclude(status__in=Need.CLOSED).values_list("pk", flat=True):
            need = _lock_need(Need(pk=pk))
            if need.status in Need.CLOSED:  # closed meanwhile
                continue
            counts["matches_cancelled"] += _cancel_need_locked(actor=actor, need=need, reason=reason_requester,
                                                               why="account_deleted")
            counts["needs_cancelled"] += 1
        counts["offers_withdrawn"] = _withdraw_offers(actor=actor, offers=Offer.objects.all(), why="account_deleted")
        for need in Need.objects.filter(requester=actor, contact__isnull=False):
            NeedContact.objects.filter(need=need).delete()
            # That the record went, never what it held.
            audit_record(actor=actor, action="need.contact_purged", obj=need, after={"why": "account_deleted"})
            counts["contacts_purged"] += 1
        counts["texts_erased"] = _erase_written_by(actor, own_reasons=(reason_helper, reason_requester))
        counts["messages_deleted"] = _delete_messages_by(actor)
    return counts


def _delete_messages_by(actor: User) -> int:
    """Delete every message the person wrote in a match's conversation (the others' messages stay, theirs to keep):
    one audit entry per conversation, saying how many went."""
    deleted = 0
    per_match: dict[int, int] = {}
    for match_id in MatchMessage.objects.filter(author=actor).values_list("match_id", flat=True):
        per_match[match_id] = per_match.get(match_id, 0) + 1
    for match in Match.objects.filter(pk__in=per_match):
        MatchMessage.objects.filter(match=match, author=actor).delete()
        audit_record(actor=actor, action="match.messages_deleted", object_type=Match._meta.label_lower,
                     object_id=str(match.public_id), after={"count": per_match[match.pk], "why": "account_deleted"})
        deleted += per_match[match.pk]
    return deleted


def _erase_written_by(actor: User, *, own_reasons: tuple[str, ...]) -> int:
    """Erase what the person typed into needs they asked for and offers they made (title, description, area), in
    every status: the rows stay, with their quantities and dates, shown as removed at the person's request. The
    same text is erased where it was copied: into others' notifications, and the reasons they gave for cancelling
    matches. Needs entered for someone else (proxy intake) stay: they are that person's, kept by the group."""
    erased = 0
    for model, owner in ((Need, "requester"), (Offer, "helper")):
        for obj in model.objects.select_for_update().filter(**{owner: actor}).exclude(title=""):
            obj.title = obj.description = obj.location_name = ""
            obj.save(update_fields=["title", "description", "location_name", "updated_at"])
            audit_record(actor=actor, action=f"{model._meta.model_name}.text_erased", obj=obj,
                         after={"why": "account_deleted"})
            erased += 1
    told = set()
    need_urls = [f"/needs/{pk}/" for pk in Need.objects.filter(requester=actor).values_list("public_id", flat=True)]
    # Notices of a conversation on one of their needs name the need too.
    need_urls += [f"/matches/{pk}/" for pk in Match.objects.filter(need__requester=actor)
                  .values_list("public_id", flat=True)]
    for notification in Notification.objects.filter(url__in=need_urls, params__has_key="need"):
        notification.params = {**notification.params, "need": ""}  # the sentence says the need was removed
        notification.save(update_fields=["params"])
        told.add(notification.user_id)
    cancelled = (Match.objects.select_for_update(of=("self",)).select_related("need")
                 .filter(cancelled_by=actor, status=Match.Status.CANCELLED).exclude(cancel_reason__in=own_reasons))
    for match in cancelled:
        reason = match.cancel_reason
        match.cancel_reason = "—"  # a cancellation keeps a reason (a constraint): no longer what they wrote
        match.save(update_fields=["cancel_reason"])
        for notification in Notification.objects.filter(url=f"/needs/{match.need.public_id}/", params__reason=reason,
                                                        kind=notices.MATCH_CANCELLED.code):
            notification.params = {**notification.params, "reason": "—"}
            notification.save(update_fields=["params"])
            told.add(notification.user_id)
    stamp_scopes([user_scope(pk) for pk in told])  # their notification pages change
    return erased
