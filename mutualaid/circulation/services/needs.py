"""Every write to needs and their contact records: posting, contact changes, cancelling, duplicates,
referrals, expiry."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from mutualaid.audit.services import audit_record, audited_atomic
from mutualaid.core.errors import Conflict, InvalidInput, NotAllowed
from mutualaid.core.limits import max_length
from mutualaid.core.validators import check_email, check_lat_lon, check_quantity, check_text, in_zone
from mutualaid.networks.models import Group, User
from mutualaid.networks.permissions import group_access
from mutualaid.networks.services import notify

from .. import notices, selectors
from ..models import URGENCY_RANK, ContactView, Match, Need, NeedContact, Urgency
from ..permissions import may_edit_need
from .categories import _category
from .common import _cancel_need_locked, _coarse, _lock_need, _need_public_state, _refresh_need_status

CONTACT_FIELDS = ("name", "phone", "email", "address", "preferred_language", "notes")


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


def _check_urgency(urgency: Any) -> str:
    if urgency not in Urgency.values:
        raise InvalidInput(_("Urgency must be one of: critical, high, normal, low."), field="urgency")
    return urgency


def check_needed_by(needed_by: datetime | None, zone: str, *, was: datetime | None = None) -> datetime | None:
    """In the group's time zone when naive; refused when past, unless it is the time the need already had (a
    correction to an overdue need leaves its time as it was). The forms ask it too, to tell it with their other
    errors."""
    needed_by = in_zone(needed_by, zone)
    if needed_by is not None and needed_by != was and needed_by < timezone.now():
        raise InvalidInput(_("“Needed by” is in the past."), field="needed_by")
    return needed_by


def check_reachable(contact: dict[str, str]) -> None:
    """A need entered for someone without an account keeps a way for the helper to reach them."""
    if not (contact["name"] or contact["phone"] or contact["address"]):
        raise InvalidInput(_("For proxy intake, give at least a name, phone or address so a helper can reach "
                             "the person."), field="contact.name")


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
    _check_urgency(urgency)
    check_lat_lon(lat, lon)
    needed_by = check_needed_by(needed_by, group.timezone)
    clean_contact = _clean_contact(contact)
    if on_behalf:
        check_reachable(clean_contact)
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


NEED_EDITABLE = ("title", "description", "quantity", "urgency", "needed_by", "location_name", "lat", "lon",
                 "contact")
# What a helper on the way is told of when it changes: how much, by when, where.
NEED_CHANGES_TOLD = {"quantity": "quantity", "needed_by": "time", "location_name": "place", "lat": "place",
                     "lon": "place"}


def need_update(*, actor: User, need: Need, changes: dict[str, Any]) -> Need:
    """Correct a need still in play: any of NEED_EDITABLE, given in `changes` (what is not there stays). The
    quantity never goes below what helpers have claimed; "needed by" is never in the past. The entry records which
    fields changed, with the quantities, urgency and times before and after, never the text. Helpers whose claim is
    live are told when the quantity, the time or the place changed."""
    unknown = set(changes) - set(NEED_EDITABLE)
    if unknown:
        raise InvalidInput(_("These cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
                           field=sorted(unknown)[0])
    access = group_access(actor, need.group, require="public" if need.requester_id == actor.pk else "member")
    if not may_edit_need(actor, need, is_coordinator=access.is_coordinator):
        raise NotAllowed(_("Only the person who asked can change this need (or, for a need entered on someone's "
                           "behalf, a coordinator)."))
    clean: dict[str, Any] = {}
    for name in ("title", "description", "location_name"):
        if name in changes:
            clean[name] = check_text(changes[name], field=name, limit=max_length(Need, name), required=name == "title")
    if "quantity" in changes:
        clean["quantity"] = check_quantity(changes["quantity"])
    if "urgency" in changes:
        clean["urgency"] = _check_urgency(changes["urgency"])
    if "needed_by" in changes:
        clean["needed_by"] = check_needed_by(changes["needed_by"], need.group.timezone, was=need.needed_by)
    with audited_atomic():
        need = _lock_need(need)
        if need.status in Need.CLOSED:
            raise Conflict(_("This need is closed (%(status)s) and can no longer be changed.")
                           % {"status": need.get_status_display()})
        if clean.get("quantity", need.quantity) < need.quantity_claimed:
            raise InvalidInput(_("Helpers have already claimed %(claimed)d: the quantity cannot be less than that.")
                               % {"claimed": need.quantity_claimed}, field="quantity")
        record = NeedContact.objects.filter(need=need).first() or NeedContact(need=need)
        exact_before = (record.exact_lat, record.exact_lon)
        if "lat" in changes or "lon" in changes:
            lat = changes.get("lat", record.exact_lat)
            lon = changes.get("lon", record.exact_lon)
            check_lat_lon(lat, lon)
            clean["lat"], clean["lon"] = _coarse(lat), _coarse(lon)
            record.exact_lat, record.exact_lon = lat, lon
        contact_changed = False
        if "contact" in changes:
            given = changes["contact"] or {}
            if not isinstance(given, dict):
                raise InvalidInput(_("The contact details must be an object of named fields."), field="contact")
            merged = {key: getattr(record, key) for key in CONTACT_FIELDS}
            merged.update(given)
            cleaned = _clean_contact(merged)
            if need.requester_id is None:
                check_reachable(cleaned)
            for key, value in cleaned.items():
                contact_changed |= getattr(record, key) != value
                setattr(record, key, value)
        location_changed = (record.exact_lat, record.exact_lon) != exact_before
        before = {**_need_public_state(need), "needed_by": need.needed_by.isoformat() if need.needed_by else None}
        changed = sorted(name for name, value in clean.items() if getattr(need, name) != value)
        if location_changed and "lat" not in changed:
            changed.append("lat")
        if contact_changed:
            changed.append("contact")
        if not changed:
            return need
        for name, value in clean.items():
            setattr(need, name, value)
        need.urgency_rank = URGENCY_RANK[need.urgency]
        _refresh_need_status(need)
        need.save()
        if contact_changed or location_changed:
            record.save()
        # Which fields changed, never what they now say: the entry holds no typed text and no contact detail.
        audit_record(actor=actor, action="need.updated", obj=need, before=before, after={
            **_need_public_state(need), "needed_by": need.needed_by.isoformat() if need.needed_by else None,
            "changed": sorted(set(changed))})
        told = sorted({NEED_CHANGES_TOLD[name] for name in changed if name in NEED_CHANGES_TOLD})
        if told:
            for helper in {m.helper for m in need.matches.filter(status__in=Match.LIVE).select_related("helper")}:
                if helper is not None and helper.pk != actor.pk:
                    notify(user=helper, kind=notices.NEED_CHANGED, url=f"/needs/{need.public_id}/",
                           params={"need": need.title, "changes": told})
    return need


def contact_view_record(*, actor: User, need: Need) -> None:
    """Someone is being shown the need's contact details (caller checked they may): who and when is kept for the
    requester and coordinators. A read log, not a change of the record: it is not in the audit chain."""
    ContactView.objects.create(need=need, viewer=actor)


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
