"""Every write to matches: claiming (all or part of a need, maybe from an offer), accepting a newcomer's
claim, confirming receipt, cancelling, and the pause on the claims of someone who cancels too many."""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from mutualaid.audit.services import audit_record, audited_atomic
from mutualaid.core.errors import Conflict, InvalidInput, NotAllowed
from mutualaid.core.limits import max_length
from mutualaid.core.validators import check_quantity, check_text
from mutualaid.networks import selectors as network_selectors
from mutualaid.networks.models import Group, Membership, User
from mutualaid.networks.permissions import group_access
from mutualaid.networks.services import notify

from .. import notices, selectors
from ..models import ClaimBlock, Match, Need, Offer
from ..permissions import claim_refusal, confirm_refusal
from .needs import need_create
from .common import _lock_need, _need_public_state, _refresh_need_status, _return_claim_locked


def match_claim(*, actor: User, need: Need, quantity: int, offer: Offer | None = None) -> Match:
    """A helper claims all or part of a need, optionally from one of their offers.

    A member's claim is confirmed at once. A newcomer's is proposed (unless the group lets newcomers' claims confirm
    at once): it holds its quantity, but shows no contact detail until the requester or a coordinator accepts it."""
    access = group_access(actor, need.group, require="member")
    quantity = check_quantity(quantity)
    refusal = claim_refusal(actor, need)  # the requester, who entered it for someone, a suspension, a pause
    if refusal:
        raise NotAllowed(refusal)
    proposed = (access.membership.role == Membership.Role.NEWCOMER
                and not selectors.newcomer_claims_confirm(need.group_id))
    return _claim(actor=actor, helper=actor, need=need, quantity=quantity, offer=offer,
                  status=Match.Status.PROPOSED if proposed else Match.Status.CONFIRMED)


def offer_request(*, actor: User, offer: Offer, quantity: int, note: str = "") -> Match:
    """A member asks for what an offer gives ("I'd like this"): in one transaction a need of theirs is posted in the
    offer's group and category (need_create) and claimed from the offer for its helper, the match requested: it holds
    its quantity of the need and of the offer until the helper says yes (match_accept) or no (match_cancel). The
    helper is told."""
    if offer.helper_id == actor.pk:
        group_access(actor, offer.group, require="member")
        raise NotAllowed(_("This is your own offer."))
    group_access(actor, offer.group, require="member")
    quantity = check_quantity(quantity)
    helper = offer.helper
    if (helper is None or network_selectors.membership_for(helper, offer.group) is None
            or any(selectors.claim_hold(helper, offer.group_id))):  # gone, suspended, or their claims paused
        raise Conflict(_("This offer cannot be asked for just now."))
    with audited_atomic():
        # Locked first: what is left of the offer decides whether the need is posted at all.
        locked = Offer.objects.select_for_update(of=("self",)).select_related("category", "group").get(pk=offer.pk)
        if locked.status != Offer.Status.ACTIVE:
            raise Conflict(_("That offer is %(status)s.") % {"status": locked.get_status_display()})
        if locked.quantity_left < quantity:
            raise Conflict(_("This offer has only %(left)d left.") % {"left": locked.quantity_left})
        need = need_create(actor=actor, group=locked.group, title=locked.title, category=locked.category.slug,
                           quantity=quantity, description=note)
        return _claim(actor=actor, helper=helper, need=need, quantity=quantity, offer=locked,
                      status=Match.Status.REQUESTED)


def _claim(*, actor: User, helper: User, need: Need, quantity: int, offer: Offer | None, status: str) -> Match:
    """`helper` takes on `quantity` of `need` (from `offer`, theirs), the match in `status`: confirmed, proposed (a
    newcomer's claim), or requested (`actor`, the requester, asked for it from the offer). Callers checked who may."""
    requested = status == Match.Status.REQUESTED
    with audited_atomic():
        need = _lock_need(need)
        if need.status not in Need.CLAIMABLE:
            raise Conflict(_("This need is %(status)s and cannot be claimed.") % {"status": need.get_status_display()})
        if need.quantity_left < quantity:
            raise Conflict(_("Only %(left)d left to claim on this need.") % {"left": need.quantity_left})
        if offer is not None:
            # Locked: the offer's remaining capacity decides the claim too.
            offer = Offer.objects.select_for_update().get(pk=offer.pk)
            if offer.helper_id != helper.pk:
                raise NotAllowed(_("You can only claim from your own offers."))
            if offer.status != Offer.Status.ACTIVE:
                raise Conflict(_("That offer is %(status)s.") % {"status": offer.get_status_display()})
            if offer.group_id != need.group_id:
                raise InvalidInput(_("That offer belongs to another group."), field="offer")
            if offer.category_id != need.category_id:
                raise InvalidInput(_("That offer is for another category."), field="offer")
            if offer.quantity_left < quantity:
                raise Conflict(_("Your offer has only %(left)d left.") % {"left": offer.quantity_left})
        before = _need_public_state(need)
        match = Match.objects.create(need=need, offer=offer, helper=helper, quantity=quantity, status=status)
        need.quantity_claimed += quantity
        _refresh_need_status(need)
        need.save()
        if offer is not None:
            offer.quantity_committed += quantity
            if offer.quantity_left == 0:
                offer.status = Offer.Status.EXHAUSTED
            offer.save(update_fields=["quantity_committed", "status", "updated_at"])
        audit_record(actor=actor, action="match.requested" if requested else "match.claimed", obj=match, after={
            "need": str(need.public_id), "quantity": quantity, "offer": str(offer.public_id) if offer else None,
            "status": status})
        audit_record(actor=actor, action="need.claimed", obj=need, before=before, after=_need_public_state(need))
        url = f"/needs/{need.public_id}/"
        if requested:
            notify(user=helper, kind=notices.OFFER_REQUESTED, url=url, params={
                "requester": actor.username, "quantity": quantity, "offer": offer.title if offer else ""})
            return match
        params = {"helper": actor.username, "quantity": quantity, "need": need.title}
        recipient = need.requester or need.created_by
        if status == Match.Status.PROPOSED:
            # Whoever may accept: the requester (if they have an account) and the group's coordinators.
            for user in {recipient, *network_selectors.group_coordinators(need.group)} - {None, actor}:
                notify(user=user, kind=notices.MATCH_PROPOSED, params=params, url=url)
        elif recipient is not None and recipient.pk != actor.pk:
            notify(user=recipient, kind=notices.MATCH_CLAIMED, params=params, url=url)
    return match


def match_accept(*, actor: User, match: Match) -> Match:
    """A waiting match is confirmed, and its helper sees the contact details from then on: a newcomer's proposed
    claim by the requester or a coordinator (never by the helper), a match requested from an offer by its helper."""
    is_requester, is_helper, is_coordinator = _match_parties(actor, match)
    with audited_atomic():
        need = _lock_need(match.need)
        # Locked: the status read here decides the acceptance, and who may give it.
        match = Match.objects.select_for_update().get(pk=match.pk)
        if match.status == Match.Status.REQUESTED:
            if not is_helper:
                raise NotAllowed(_("This was asked of the helper's offer: the helper says yes or no."))
        else:
            if is_helper:
                raise NotAllowed(_("You made this claim: the requester or a coordinator accepts it."))
            if not (is_requester or is_coordinator):
                raise NotAllowed(_("Only the requester or a coordinator can accept this claim."))
            if match.status != Match.Status.PROPOSED:
                raise Conflict(_("This claim is %(status)s: there is nothing to accept.")
                               % {"status": match.get_status_display()})
        before = match.status
        match.status = Match.Status.CONFIRMED
        match.save(update_fields=["status"])
        audit_record(actor=actor, action="match.accepted", obj=match,
                     before={"status": before}, after={"status": "confirmed"})
        if before == Match.Status.REQUESTED:
            recipient = need.requester or need.created_by
            if recipient is not None:
                notify(user=recipient, kind=notices.MATCH_CLAIMED, url=f"/needs/{need.public_id}/",
                       params={"helper": actor.username, "quantity": match.quantity, "need": need.title})
        elif match.helper is not None:
            notify(user=match.helper, kind=notices.MATCH_ACCEPTED, params={"need": need.title},
                   url=f"/needs/{need.public_id}/")
    return match


def _match_parties(actor: User, match: Match) -> tuple[bool, bool, bool]:
    need = match.need
    is_requester = (need.requester_id == actor.pk) or (need.requester_id is None and need.created_by_id == actor.pk)
    is_helper = match.helper_id == actor.pk
    # The people of the match act on it even if they are not members (a requester whose need was referred).
    access = group_access(actor, need.group, require="public" if (is_requester or is_helper) else "member")
    return is_requester, is_helper, access.is_coordinator


def match_complete(*, actor: User, match: Match) -> Match:
    """The requester or a coordinator confirms receipt; never the helper, and for a need entered on someone's behalf
    a coordinator who did not give the help (permissions.confirm_refusal: the same rule the pages show)."""
    _is_requester, _is_helper, is_coordinator = _match_parties(actor, match)
    refusal = confirm_refusal(actor, match, is_coordinator=is_coordinator)
    if refusal:
        raise NotAllowed(refusal)
    with audited_atomic():
        need = _lock_need(match.need)
        match = Match.objects.select_for_update().get(pk=match.pk)
        if match.status in Match.WAITING:
            raise Conflict(_("This claim is still waiting for acceptance: accept it first, so the helper can reach "
                             "the requester, then mark it as received."))
        if match.status != Match.Status.CONFIRMED:
            raise Conflict(_("This match is already %(status)s.") % {"status": match.get_status_display()})
        before = _need_public_state(need)
        match.status = Match.Status.COMPLETED
        match.completed_at = timezone.now()
        match.completed_by = actor
        match.save(update_fields=["status", "completed_at", "completed_by"])
        need.quantity_fulfilled += match.quantity
        _refresh_need_status(need)
        need.save()
        audit_record(actor=actor, action="match.completed", obj=match,
                     before={"status": "confirmed"}, after={"status": "completed"})
        audit_record(actor=actor, action="need.fulfilment_recorded", obj=need, before=before,
                     after=_need_public_state(need))
        for user in {match.helper, need.requester} - {None, actor}:
            notify(user=user, kind=notices.MATCH_COMPLETED, params={"need": need.title},
                   url=f"/needs/{need.public_id}/")
    return match


def match_cancel(*, actor: User, match: Match, reason: str) -> Match:
    """Either side (or a coordinator) cancels a confirmed match; its quantity returns to the need."""
    is_requester, is_helper, is_coordinator = _match_parties(actor, match)
    if not (is_requester or is_helper or is_coordinator):
        raise NotAllowed(_("Only the helper, the requester or a coordinator can cancel this match."))
    reason = check_text(reason, field="reason", limit=max_length(Match, "cancel_reason"), required=True)
    with audited_atomic():
        need = _lock_need(match.need)
        match = Match.objects.select_for_update().get(pk=match.pk)
        if match.status not in Match.LIVE:
            raise Conflict(_("This match is already %(status)s.") % {"status": match.get_status_display()})
        _return_claim_locked(actor=actor, match=match, need=need, reason=reason)
        if is_helper:
            _after_helper_cancelled(actor=actor, group=need.group)
    return match


CANCELS_BEFORE_BLOCK = 3  # more than this many cancelled claims in a day and a person cannot claim again


def _after_helper_cancelled(*, actor: User, group: Group) -> None:
    """A helper who cancels more than CANCELS_BEFORE_BLOCK of their claims in 24 hours cannot claim in the group
    until a coordinator lifts it (claim and cancel would otherwise read every contact detail in turn); the
    coordinators are told. Caller holds the transaction and the need's lock."""
    # Locked: the count read here decides the pause; two cancels by one helper at once (on different needs, so under
    # different need locks) must not both read three. Their membership row is the one lock they share.
    Membership.objects.select_for_update(no_key=True).active().filter(group=group, user=actor).first()
    since = timezone.now() - timedelta(hours=24)
    cancelled = Match.objects.filter(helper=actor, cancelled_by=actor, cancelled_at__gte=since,
                                     need__group=group).count()
    if cancelled <= CANCELS_BEFORE_BLOCK:
        return
    if ClaimBlock.objects.filter(group=group, user=actor, lifted_at__isnull=True).exists():
        return
    block = ClaimBlock.objects.create(group=group, user=actor)
    audit_record(actor=actor, action="claims.paused", obj=block,
                 after={"group": str(group.public_id), "user": str(actor.public_id), "cancelled": cancelled})
    for coordinator in network_selectors.group_coordinators(group):
        if coordinator.pk != actor.pk:
            notify(user=coordinator, kind=notices.CLAIMS_PAUSED,
                   params={"helper": actor.username, "group": group.name, "count": cancelled},
                   url=f"/groups/{group.public_id}/members/")


def claims_unblock(*, actor: User, group: Group, user: User) -> ClaimBlock:
    """A coordinator lifts the pause on someone's claims."""
    access = group_access(actor, group, require="member")
    if not access.is_coordinator:
        raise NotAllowed(_("Only coordinators of this group can lift a pause on claims."))
    with audited_atomic():
        # Locked: the open pause read here is the one closed.
        block = ClaimBlock.objects.select_for_update().filter(group=group, user=user, lifted_at__isnull=True).first()
        if block is None:
            raise Conflict(_("%(name)s's claims are not paused.") % {"name": user.username})
        block.lifted_at = timezone.now()
        block.lifted_by = actor
        block.save(update_fields=["lifted_at", "lifted_by"])
        audit_record(actor=actor, action="claims.resumed", obj=block, before={"lifted": False},
                     after={"lifted": True})
    return block
