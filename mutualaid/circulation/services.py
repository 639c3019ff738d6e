"""Every write to needs, offers and matches.

Claims are atomic: the need row (and the offer row, when claiming from an offer) is locked while what is left is
read and decreased, and the database refuses any over-claim by constraint. On SQLite, where row locks do not exist,
every write transaction starts IMMEDIATE (see settings), which serialises writers in the same way.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mutualaid.audit.services import audit_record, audited_atomic, stamp_scopes
from mutualaid.core.errors import Conflict, InvalidInput, NotAllowed
from mutualaid.core.limits import max_length
from mutualaid.core.validators import check_email, check_lat_lon, check_quantity, check_text, in_zone
from mutualaid.networks import selectors as network_selectors
from mutualaid.networks.models import Group, Membership, Notification, Suspension, User, user_scope
from mutualaid.networks.permissions import group_access
from mutualaid.networks import services as networks_services
from mutualaid.networks.services import notify

from . import notices, selectors
from .models import (DEFAULT_CATEGORIES, URGENCY_RANK, Category, ClaimBlock, ContactView, Match, Need, NeedContact,
                     Offer, Urgency)
from .permissions import claim_refusal, confirm_refusal

CONTACT_FIELDS = ("name", "phone", "email", "address", "preferred_language", "notes")


def categories_ensure_defaults() -> int:
    """Seed the default taxonomy where a category is missing. Returns how many were added."""
    existing = set(Category.objects.values_list("slug", flat=True))
    missing = [(i, row) for i, row in enumerate(DEFAULT_CATEGORIES) if row[0] not in existing]
    if not missing:
        return 0
    with audited_atomic(), translation.override("en"):
        for position, (slug, name, unit) in missing:
            Category.objects.get_or_create(slug=slug, defaults={
                "name": str(name), "unit": str(unit % {"count": 2}), "unit_singular": str(unit % {"count": 1}),
                "position": position})
            audit_record(actor=None, action="category.created", object_type="circulation.category", object_id=slug,
                         after={"slug": slug})
    return len(missing)


def _category(slug: str) -> Category:
    category = Category.objects.filter(slug=(slug or "").strip()).first()
    if category is None:
        raise InvalidInput(_("Unknown category “%(slug)s”.") % {"slug": slug}, field="category")
    return category


def _coarse(value: float | None) -> float | None:
    """About a kilometre: enough to find nearby help, not enough to find a door."""
    return None if value is None else round(value, 2)


def _clean_contact(contact: dict[str, Any] | None) -> dict[str, str]:
    contact = contact or {}
    unknown = set(contact) - set(CONTACT_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown contact field: %(f)s") % {"f": ", ".join(sorted(unknown))}, field="contact")
    clean = {}
    for key in CONTACT_FIELDS:
        clean[key] = check_text(str(contact.get(key) or ""), field=f"contact.{key}", limit=max_length(NeedContact, key))
    if clean["email"]:
        check_email(clean["email"], field="contact.email")
    return clean


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


# --- Needs ----------------------------------------------------------------------------------------


def need_create(*, actor: User, group: Group, title: str, category: str, quantity: int,
                urgency: str = Urgency.NORMAL, description: str = "", needed_by: datetime | None = None,
                location_name: str = "", lat: float | None = None, lon: float | None = None,
                contact: dict[str, Any] | None = None, on_behalf: bool = False) -> Need:
    """Post a need. With on_behalf, a coordinator enters it for someone without an account (proxy intake)."""
    access = group_access(actor, group, require="member")
    if on_behalf and not access.is_coordinator:
        raise NotAllowed(_("Only coordinators can post a need on someone's behalf."))
    title = check_text(title, field="title", limit=max_length(Need, "title"), required=True)
    description = check_text(description, field="description", limit=max_length(Need, "description"))
    location_name = check_text(location_name, field="location_name", limit=max_length(Need, "location_name"))
    category_obj = _category(category)
    quantity = check_quantity(quantity)
    if urgency not in Urgency.values:
        raise InvalidInput(_("Urgency must be one of: critical, high, normal, low."), field="urgency")
    check_lat_lon(lat, lon)
    needed_by = in_zone(needed_by, group.timezone)
    if needed_by is not None and needed_by < timezone.now():
        raise InvalidInput(_("“Needed by” is in the past."), field="needed_by")
    clean_contact = _clean_contact(contact)
    if on_behalf and not (clean_contact["name"] or clean_contact["phone"] or clean_contact["address"]):
        raise InvalidInput(_("For proxy intake, give at least a name, phone or address so a helper can reach "
                             "the person."), field="contact.name")
    with audited_atomic():
        need = Need.objects.create(
            group=group, requester=None if on_behalf else actor, created_by=actor, title=title,
            description=description, category=category_obj, quantity=quantity, urgency=urgency,
            urgency_rank=URGENCY_RANK[urgency], needed_by=needed_by, location_name=location_name,
            lat=_coarse(lat), lon=_coarse(lon),
        )
        NeedContact.objects.create(need=need, exact_lat=lat, exact_lon=lon, **clean_contact)
        audit_record(actor=actor, action="need.created", obj=need, after={
            "group": str(group.public_id), "category": category_obj.slug, "quantity": quantity,
            "urgency": urgency, "proxy_intake": on_behalf,
            "contact_recorded": any(clean_contact.values()) or lat is not None,
        })
    return need


def need_update_contact(*, actor: User, need: Need, contact: dict[str, Any]) -> NeedContact:
    access = group_access(actor, need.group, require="member")
    if not (access.is_coordinator or need.requester_id == actor.pk):
        raise NotAllowed(_("Only the requester or a coordinator can change contact details."))
    clean = _clean_contact(contact)
    with audited_atomic():
        record, _created = NeedContact.objects.get_or_create(need=need)
        for key, value in clean.items():
            setattr(record, key, value)
        record.save()
        # What changed is never recorded, only that it did: the entry must hold no personal data.
        audit_record(actor=actor, action="need.contact_changed", obj=need, after={"contact_changed": True})
    return record


def _lock_need(need: Need) -> Need:
    # Locked: what is left of the need decides whether the write may happen. Only the need row (of="self"): on
    # PostgreSQL a plain FOR UPDATE would lock the joined group row too, blocking every insert that references the
    # group (joins, new needs and offers) and deadlocking two referrals made in opposite directions.
    return Need.objects.select_for_update(of=("self",)).select_related("group").get(pk=need.pk)


def need_cancel(*, actor: User, need: Need, reason: str = "") -> Need:
    access = group_access(actor, need.group, require="member")
    if not (access.is_coordinator or (need.requester_id and need.requester_id == actor.pk)
            or (need.requester_id is None and need.created_by_id == actor.pk)):
        raise NotAllowed(_("Only the requester or a coordinator can cancel this need."))
    reason = (check_text(reason, field="reason", limit=max_length(Match, "cancel_reason"))
              or _("The need was withdrawn."))
    with audited_atomic():
        need = _lock_need(need)
        if need.status in Need.CLOSED:
            raise Conflict(_("This need is already closed (%(status)s).") % {"status": need.get_status_display()})
        _cancel_need_locked(actor=actor, need=need, reason=reason)
    return need


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


def need_mark_duplicate(*, actor: User, need: Need, original: Need) -> Need:
    group_access(actor, need.group, require="coordinator")
    original = Need.objects.get(pk=original.pk)  # its current status, not the caller's copy
    if original.pk == need.pk:
        raise InvalidInput(_("A need cannot be a duplicate of itself."), field="original")
    if original.group_id != need.group_id:
        raise InvalidInput(_("The original must be a need of the same group."), field="original")
    if original.status == Need.Status.DUPLICATE:
        raise InvalidInput(_("That need is itself a duplicate; choose its original."), field="original")
    if original.status in (Need.Status.CANCELLED, Need.Status.EXPIRED, Need.Status.REFERRED):
        raise InvalidInput(_("That need is %(status)s: a live request cannot be closed as its duplicate.")
                           % {"status": original.get_status_display()}, field="original")
    with audited_atomic():
        need = _lock_need(need)
        if need.status in Need.CLOSED:
            raise Conflict(_("This need is already closed (%(status)s).") % {"status": need.get_status_display()})
        if need.quantity_claimed:
            raise Conflict(_("Helpers have claimed this need: cancel their matches first, or mark the other one."))
        before = _need_public_state(need)
        need.status = Need.Status.DUPLICATE
        need.duplicate_of = original
        need.closed_at = timezone.now()
        need.save()
        audit_record(actor=actor, action="need.marked_duplicate", obj=need, before=before,
                     after={**_need_public_state(need), "duplicate_of": str(original.public_id)})
    return need


def need_refer(*, actor: User, need: Need, to_group: Group) -> Need:
    """Send an out-of-area need to another group: it is closed here and posted there, contact included."""
    group_access(actor, need.group, require="coordinator")
    if to_group.pk == need.group_id:
        raise InvalidInput(_("Choose another group to refer the need to."), field="group")
    with audited_atomic():
        need = _lock_need(need)
        if need.status not in Need.CLAIMABLE or need.quantity_claimed:
            raise Conflict(_("Only an open need with nothing claimed can be referred."))
        before = _need_public_state(need)
        copy = Need.objects.create(
            group=to_group, requester=need.requester, created_by=actor, title=need.title,
            description=need.description, category=need.category, quantity=need.quantity, urgency=need.urgency,
            urgency_rank=need.urgency_rank, needed_by=need.needed_by, location_name=need.location_name,
            lat=need.lat, lon=need.lon,
        )
        old_contact = NeedContact.objects.filter(need=need).first()
        if old_contact is not None:
            NeedContact.objects.create(need=copy, **{f: getattr(old_contact, f) for f in CONTACT_FIELDS},
                                       exact_lat=old_contact.exact_lat, exact_lon=old_contact.exact_lon)
        need.status = Need.Status.REFERRED
        need.referred_to = to_group
        need.closed_at = timezone.now()
        need.save()
        audit_record(actor=actor, action="need.referred", obj=need, before=before,
                     after={**_need_public_state(need), "referred_to": str(to_group.public_id),
                            "new_need": str(copy.public_id)})
        audit_record(actor=actor, action="need.created", obj=copy, after={
            "group": str(to_group.public_id), "referred_from": str(need.public_id), "quantity": copy.quantity,
            "urgency": copy.urgency, "category": copy.category.slug})
    return copy


def needs_expire_overdue(*, now: datetime | None = None) -> int:
    """Mark open needs past their needed-by time with nothing matched as expired. Returns how many."""
    now = now or timezone.now()
    count = 0
    candidates = list(selectors.overdue_needs(now).values_list("pk", flat=True))
    for pk in candidates:
        with audited_atomic():
            need = Need.objects.select_for_update().filter(pk=pk, status=Need.Status.OPEN,
                                                           quantity_claimed=0).first()
            if need is None:  # claimed or closed meanwhile
                continue
            before = _need_public_state(need)
            need.status = Need.Status.EXPIRED
            need.closed_at = now
            need.save()
            audit_record(actor=None, action="need.expired", obj=need, before=before, after=_need_public_state(need))
            count += 1
    return count


# --- Offers ---------------------------------------------------------------------------------------


def offer_create(*, actor: User, group: Group, title: str, category: str, quantity: int, description: str = "",
                 available_from: datetime | None = None, available_until: datetime | None = None,
                 location_name: str = "", lat: float | None = None, lon: float | None = None,
                 max_distance_km: float | None = None) -> Offer:
    group_access(actor, group, require="member")
    title = check_text(title, field="title", limit=max_length(Offer, "title"), required=True)
    description = check_text(description, field="description", limit=max_length(Offer, "description"))
    location_name = check_text(location_name, field="location_name", limit=max_length(Offer, "location_name"))
    category_obj = _category(category)
    quantity = check_quantity(quantity)
    check_lat_lon(lat, lon)
    if max_distance_km is not None and not 0 <= max_distance_km <= Offer.MAX_DISTANCE_KM:
        raise InvalidInput(_("The distance must be between 0 and 20000 km."), field="max_distance_km")
    available_from = in_zone(available_from, group.timezone)
    available_until = in_zone(available_until, group.timezone)
    if available_from and available_until and available_until < available_from:
        raise InvalidInput(_("“Available until” must come after “available from”."), field="available_until")
    with audited_atomic():
        offer = Offer.objects.create(
            group=group, helper=actor, title=title, description=description, category=category_obj,
            quantity=quantity, available_from=available_from, available_until=available_until,
            location_name=location_name, lat=_coarse(lat), lon=_coarse(lon), max_distance_km=max_distance_km,
        )
        audit_record(actor=actor, action="offer.created", obj=offer, after={
            "group": str(group.public_id), "category": category_obj.slug, "quantity": quantity})
    return offer


def offer_set_status(*, actor: User, offer: Offer, status: str) -> Offer:
    """The helper pauses, resumes or withdraws their offer."""
    if offer.helper_id != actor.pk:
        group_access(actor, offer.group, require="member")
        raise NotAllowed(_("Only the helper who made this offer can change it."))
    if status not in (Offer.Status.ACTIVE, Offer.Status.PAUSED, Offer.Status.WITHDRAWN):
        raise InvalidInput(_("An offer can be made active, paused or withdrawn."), field="status")
    with audited_atomic():
        offer = Offer.objects.select_for_update().get(pk=offer.pk)
        if offer.status == Offer.Status.WITHDRAWN:
            raise Conflict(_("This offer was withdrawn; post a new one."))
        before = {"status": offer.status}
        if status == Offer.Status.ACTIVE and offer.quantity_left == 0:
            status = Offer.Status.EXHAUSTED
        offer.status = status
        offer.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="offer.status_changed", obj=offer, before=before, after={"status": status})
    return offer


# --- Matches --------------------------------------------------------------------------------------


def match_claim(*, actor: User, need: Need, quantity: int, offer: Offer | None = None) -> Match:
    """A helper claims all or part of a need, optionally from one of their offers.

    A member's claim is confirmed at once. A newcomer's is proposed (unless the group lets newcomers' claims confirm
    at once): it holds its quantity, but shows no contact detail until the requester or a coordinator accepts it."""
    access = group_access(actor, need.group, require="member")
    quantity = check_quantity(quantity)
    refusal = claim_refusal(actor, need)  # the requester, who entered it for someone, a suspension, a pause
    if refusal:
        raise NotAllowed(refusal)
    with audited_atomic():
        need = _lock_need(need)
        if need.status not in Need.CLAIMABLE:
            raise Conflict(_("This need is %(status)s and cannot be claimed.") % {"status": need.get_status_display()})
        if need.quantity_left < quantity:
            raise Conflict(_("Only %(left)d left to claim on this need.") % {"left": need.quantity_left})
        if offer is not None:
            # Locked: the offer's remaining capacity decides the claim too.
            offer = Offer.objects.select_for_update().get(pk=offer.pk)
            if offer.helper_id != actor.pk:
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
        proposed = (access.membership.role == Membership.Role.NEWCOMER
                    and not selectors.newcomer_claims_confirm(need.group_id))
        status = Match.Status.PROPOSED if proposed else Match.Status.CONFIRMED
        match = Match.objects.create(need=need, offer=offer, helper=actor, quantity=quantity, status=status)
        need.quantity_claimed += quantity
        _refresh_need_status(need)
        need.save()
        if offer is not None:
            offer.quantity_committed += quantity
            if offer.quantity_left == 0:
                offer.status = Offer.Status.EXHAUSTED
            offer.save(update_fields=["quantity_committed", "status", "updated_at"])
        audit_record(actor=actor, action="match.claimed", obj=match, after={
            "need": str(need.public_id), "quantity": quantity, "offer": str(offer.public_id) if offer else None,
            "status": status})
        audit_record(actor=actor, action="need.claimed", obj=need, before=before, after=_need_public_state(need))
        params = {"helper": actor.username, "quantity": quantity, "need": need.title}
        url = f"/needs/{need.public_id}/"
        recipient = need.requester or need.created_by
        if proposed:
            # Whoever may accept: the requester (if they have an account) and the group's coordinators.
            for user in {recipient, *network_selectors.group_coordinators(need.group)} - {None, actor}:
                notify(user=user, kind=notices.MATCH_PROPOSED, params=params, url=url)
        elif recipient is not None and recipient.pk != actor.pk:
            notify(user=recipient, kind=notices.MATCH_CLAIMED, params=params, url=url)
    return match


def match_accept(*, actor: User, match: Match) -> Match:
    """The requester or a coordinator accepts a newcomer's proposed claim: it is confirmed, and the helper sees the
    contact details from now on. The helper never accepts their own claim."""
    is_requester, is_helper, is_coordinator = _match_parties(actor, match)
    if is_helper:
        raise NotAllowed(_("You made this claim: the requester or a coordinator accepts it."))
    if not (is_requester or is_coordinator):
        raise NotAllowed(_("Only the requester or a coordinator can accept this claim."))
    with audited_atomic():
        need = _lock_need(match.need)
        # Locked: the status read here decides the acceptance.
        match = Match.objects.select_for_update().get(pk=match.pk)
        if match.status != Match.Status.PROPOSED:
            raise Conflict(_("This claim is %(status)s: there is nothing to accept.")
                           % {"status": match.get_status_display()})
        match.status = Match.Status.CONFIRMED
        match.save(update_fields=["status"])
        audit_record(actor=actor, action="match.accepted", obj=match,
                     before={"status": "proposed"}, after={"status": "confirmed"})
        if match.helper is not None:
            notify(user=match.helper, kind=notices.MATCH_ACCEPTED, params={"need": need.title},
                   url=f"/needs/{need.public_id}/")
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


def contact_view_record(*, actor: User, need: Need) -> None:
    """Someone is being shown the need's contact details (caller checked they may): who and when is kept for the
    requester and coordinators. A read log, not a change of the record: it is not in the audit chain."""
    ContactView.objects.create(need=need, viewer=actor)


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
        if match.status == Match.Status.PROPOSED:
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


# --- Leaving a group ------------------------------------------------------------------------------


def member_leaving_hand_back(*, actor: User, group: Group) -> None:
    """Before a person leaves a group (networks.signals.member_leaving, inside that transaction): their live matches
    there as a helper are cancelled (the quantity returns to each need, the requester is told) and their active and
    paused offers withdrawn. Their own needs stay open; they can still follow them."""
    reason = _("The helper left the group.")
    _hand_back_claims(actor=actor, reason=reason, matches=Match.objects.filter(helper=actor, need__group=group))
    _withdraw_offers(actor=actor, offers=Offer.objects.filter(group=group), why="member_left")


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


def member_suspend(*, actor: User, group: Group, user: User, reason: str) -> Suspension:
    """A coordinator suspends a member over a safety concern (networks.services.suspension_create), and every live
    claim the person holds in the group is handed back at once, so they see no contact detail from now on."""
    with audited_atomic():
        suspension = networks_services.suspension_create(actor=actor, group=group, user=user, reason=reason)
        _hand_back_claims(actor=actor, reason=_("The helper was suspended by a coordinator."),
                          matches=Match.objects.filter(helper=user, need__group=group))
    return suspension


# --- Deleting an account --------------------------------------------------------------------------


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
    return counts


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
