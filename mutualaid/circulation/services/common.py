"""What the writes to needs, offers and matches share: a need's public state and status, its lock, and
the steps that run inside a caller's transaction with the rows locked (cancelling a match, handing
back claims, cancelling a need, withdrawing offers).

Claims are atomic: the need row (and the offer row, when claiming from an offer) is locked while what is
left is read and decreased, and the database refuses any over-claim by constraint. On SQLite, where row
locks do not exist, every write transaction starts IMMEDIATE (see settings), which serialises writers
in the same way.
"""
from __future__ import annotations

from typing import Any

from django.utils import timezone

from mutualaid.audit.services import audit_record
from mutualaid.networks.models import User
from mutualaid.networks.services import notify

from .. import notices
from ..models import Match, Need, Offer


def _coarse(value: float | None) -> float | None:
    """About a kilometre: enough to find nearby help, not enough to find a door."""
    return None if value is None else round(value, 2)


def _need_public_state(need: Need) -> dict[str, Any]:
    return {"status": need.status, "quantity": need.quantity, "claimed": need.quantity_claimed,
            "fulfilled": need.quantity_fulfilled, "urgency": need.urgency}


def _refresh_need_status(need: Need) -> None:
    """Derive the status of a need that is still in play from its quantities."""
    if need.status in (Need.Status.CANCELLED, Need.Status.EXPIRED, Need.Status.DUPLICATE, Need.Status.REFERRED):
        return
    if need.quantity_claimed == 0:
        need.status = Need.Status.OPEN
    elif need.quantity_claimed < need.quantity:
        need.status = Need.Status.PARTLY_MATCHED
    elif need.quantity_fulfilled >= need.quantity:
        need.status = Need.Status.FULFILLED
        need.closed_at = need.closed_at or timezone.now()
    else:
        need.status = Need.Status.MATCHED


def _lock_need(need: Need) -> Need:
    # Locked: what is left of the need decides whether the write may happen. Only the need row (of="self"): on
    # PostgreSQL a plain FOR UPDATE would lock the joined group row too, blocking every insert that references the
    # group (joins, new needs and offers) and deadlocking two referrals made in opposite directions.
    return Need.objects.select_for_update(of=("self",)).select_related("group").get(pk=need.pk)


def _cancel_match_locked(*, actor: User, match: Match, need: Need, reason: str) -> None:
    status_before = match.status
    match.status = Match.Status.CANCELLED
    match.cancelled_at = timezone.now()
    match.cancelled_by = actor
    match.cancel_reason = reason
    match.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    need.quantity_claimed -= match.quantity
    if match.offer_id:
        offer = Offer.objects.select_for_update().get(pk=match.offer_id)
        offer.quantity_committed -= match.quantity
        if offer.status == Offer.Status.EXHAUSTED and offer.quantity_left > 0:
            offer.status = Offer.Status.ACTIVE
        offer.save(update_fields=["quantity_committed", "status", "updated_at"])
    audit_record(actor=actor, action="match.cancelled", obj=match, before={"status": status_before},
                 after={"status": "cancelled", "quantity_returned": match.quantity})
    recipients = {match.helper, need.requester or need.created_by} - {None, actor}
    for user in recipients:
        notify(user=user, kind=notices.MATCH_CANCELLED, params={"need": need.title, "reason": reason},
               url=f"/needs/{need.public_id}/")


def _return_claim_locked(*, actor: User, match: Match, need: Need, reason: str) -> None:
    """Cancel one confirmed match of a need that stays open (rows locked by the caller): the quantity returns to the
    need and its status follows."""
    before = _need_public_state(need)
    _cancel_match_locked(actor=actor, match=match, need=need, reason=reason)
    _refresh_need_status(need)
    need.save()
    audit_record(actor=actor, action="need.claim_returned", obj=need, before=before, after=_need_public_state(need))


def _hand_back_claims(*, actor: User, reason: str, matches) -> int:
    """Cancel the live ones of `matches` (the helper can no longer bring them): each quantity returns to its need
    and the requester is told. Caller holds the transaction. Returns how many were cancelled."""
    count = 0
    for match in matches.filter(status__in=Match.LIVE).select_related("need"):
        need = _lock_need(match.need)
        locked = Match.objects.select_for_update().get(pk=match.pk)
        if locked.status not in Match.LIVE:  # completed or cancelled meanwhile
            continue
        _return_claim_locked(actor=actor, match=locked, need=need, reason=reason)
        count += 1
    return count


def _cancel_need_locked(*, actor: User, need: Need, reason: str, why: str = "") -> int:
    """Cancel a need still in play (its row locked by the caller) and every live match on it, each with `reason`
    (the helpers are told); `why`, when given, is recorded in the entry. Returns how many matches were cancelled."""
    before = _need_public_state(need)
    cancelled = 0
    for match in Match.objects.select_for_update().filter(need=need, status__in=Match.LIVE):
        _cancel_match_locked(actor=actor, match=match, need=need, reason=reason)
        cancelled += 1
    need.status = Need.Status.CANCELLED
    need.closed_at = timezone.now()
    need.save()
    after = _need_public_state(need)
    audit_record(actor=actor, action="need.cancelled", obj=need, before=before,
                 after={**after, "why": why} if why else after)
    return cancelled


def _withdraw_offers(*, actor: User, offers, why: str) -> int:
    """Withdraw the person's active and paused offers among `offers` (locked), each audited with `why`."""
    count = 0
    for offer in offers.select_for_update().filter(helper=actor, status__in=[Offer.Status.ACTIVE,
                                                                            Offer.Status.PAUSED]):
        before = {"status": offer.status}
        offer.status = Offer.Status.WITHDRAWN
        offer.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="offer.status_changed", obj=offer, before=before,
                     after={"status": offer.status, "why": why})
        count += 1
    return count
