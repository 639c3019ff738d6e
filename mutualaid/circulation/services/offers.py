"""Every write to offers: posting one, correcting it, pausing, resuming and withdrawing it."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from mutualaid.audit.services import audit_record, audited_atomic
from mutualaid.core.errors import Conflict, InvalidInput, NotAllowed
from mutualaid.core.limits import max_length
from mutualaid.core.validators import check_lat_lon, check_quantity, check_text, in_zone
from mutualaid.networks.models import Group, User
from mutualaid.networks.permissions import group_access

from ..models import Offer
from .categories import _category
from .common import _coarse


def _check_distance(distance: float | None) -> float | None:
    if distance is not None and not 0 <= distance <= Offer.MAX_DISTANCE_KM:
        raise InvalidInput(_("The distance must be between 0 and 20000 km."), field="max_distance_km")
    return distance


def check_availability(starts: datetime | None, ends: datetime | None, *, was: datetime | None = None) -> None:
    """The end after the start, and not past, unless it is the end the offer already had (a correction to an offer
    whose time ran out leaves it as it was). The forms ask it too, to tell it with their other errors."""
    if starts and ends and ends < starts:
        raise InvalidInput(_("“Available until” must come after “available from”."), field="available_until")
    if ends and ends != was and ends < timezone.now():
        raise InvalidInput(_("“Available until” has already passed: choose a time still to come."),
                           field="available_until")


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
    _check_distance(max_distance_km)
    available_from = in_zone(available_from, group.timezone)
    available_until = in_zone(available_until, group.timezone)
    check_availability(available_from, available_until)
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


OFFER_EDITABLE = ("title", "description", "quantity", "available_from", "available_until", "location_name", "lat",
                  "lon", "max_distance_km")


def offer_update(*, actor: User, offer: Offer, changes: dict[str, Any]) -> Offer:
    """The helper corrects their offer (not once withdrawn): any of OFFER_EDITABLE, given in `changes`. The quantity
    never goes below what is already promised from it; the offer is exhausted when nothing is left and active again
    when there is. The entry records which fields changed and the quantities, never the text."""
    unknown = set(changes) - set(OFFER_EDITABLE)
    if unknown:
        raise InvalidInput(_("These cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
                           field=sorted(unknown)[0])
    if offer.helper_id != actor.pk:
        group_access(actor, offer.group, require="member")
        raise NotAllowed(_("Only the helper who made this offer can change it."))
    clean: dict[str, Any] = {}
    for name in ("title", "description", "location_name"):
        if name in changes:
            clean[name] = check_text(changes[name], field=name, limit=max_length(Offer, name),
                                     required=name == "title")
    if "quantity" in changes:
        clean["quantity"] = check_quantity(changes["quantity"])
    if "max_distance_km" in changes:
        clean["max_distance_km"] = _check_distance(changes["max_distance_km"])
    for name in ("available_from", "available_until"):
        if name in changes:
            clean[name] = in_zone(changes[name], offer.group.timezone)
    with audited_atomic():
        offer = Offer.objects.select_for_update(of=("self",)).select_related("group").get(pk=offer.pk)
        if offer.status == Offer.Status.WITHDRAWN:
            raise Conflict(_("This offer was withdrawn; post a new one."))
        if "lat" in changes or "lon" in changes:
            lat, lon = changes.get("lat", offer.lat), changes.get("lon", offer.lon)
            check_lat_lon(lat, lon)
            clean["lat"], clean["lon"] = _coarse(lat), _coarse(lon)
        check_availability(clean.get("available_from", offer.available_from),
                            clean.get("available_until", offer.available_until), was=offer.available_until)
        if clean.get("quantity", offer.quantity) < offer.quantity_committed:
            raise InvalidInput(_("You have already promised %(committed)d from this offer: the quantity cannot be "
                                 "less than that.") % {"committed": offer.quantity_committed}, field="quantity")
        changed = sorted(name for name, value in clean.items() if getattr(offer, name) != value)
        if not changed:
            return offer
        before = {"quantity": offer.quantity, "committed": offer.quantity_committed, "status": offer.status}
        for name in changed:
            setattr(offer, name, clean[name])
        if offer.status == Offer.Status.EXHAUSTED and offer.quantity_left > 0:
            offer.status = Offer.Status.ACTIVE
        elif offer.status == Offer.Status.ACTIVE and offer.quantity_left == 0:
            offer.status = Offer.Status.EXHAUSTED
        offer.save()
        audit_record(actor=actor, action="offer.updated", obj=offer, before=before, after={
            "quantity": offer.quantity, "committed": offer.quantity_committed, "status": offer.status,
            "changed": changed})
    return offer
