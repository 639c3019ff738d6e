"""A group's named areas: coordinators name the places members pick instead of typing coordinates."""
from __future__ import annotations

from django.db import IntegrityError
from django.utils.translation import gettext as _

from mutualaid.audit.services import audit_record, audited_atomic
from mutualaid.core.errors import Conflict, InvalidInput, NotAllowed
from mutualaid.core.limits import max_length
from mutualaid.core.validators import check_lat_lon, check_text

from ..models import Area, Group, User
from ..selectors import membership_for

MAX_AREAS = 200  # per group: a pick list, not a gazetteer


def _require_coordinator(actor: User, group: Group) -> None:
    own = membership_for(actor, group)
    if own is None or not own.is_coordinator:
        raise NotAllowed(_("Only coordinators of this group can name its areas."))


def _check_area(name: str, lat: float | None, lon: float | None) -> str:
    name = check_text(name, field="name", limit=max_length(Area, "name"), required=True)
    check_lat_lon(lat, lon)
    return name


def area_add(*, actor: User, group: Group, name: str, lat: float | None = None, lon: float | None = None) -> Area:
    """Name an area of the group, with the point a coordinator marked on the map (or none yet)."""
    _require_coordinator(actor, group)
    name = _check_area(name, lat, lon)
    with audited_atomic():
        # Locked: the count read here decides whether one more may be added. The group row, FOR NO KEY UPDATE as
        # networks' other changes take it (standings._lock_roles): a plain FOR UPDATE waited on the key-share locks of
        # rows being inserted beside it (a member joining) while they waited on it, a deadlock the load check found.
        Group.objects.select_for_update(no_key=True).filter(pk=group.pk).first()
        if Area.objects.filter(group=group).count() >= MAX_AREAS:
            raise InvalidInput(_("A group can name at most %(limit)d areas.") % {"limit": MAX_AREAS}, field="name")
        if Area.objects.filter(group=group, name__iexact=name).exists():
            raise Conflict(_("The group already has an area called “%(name)s”.") % {"name": name}, field="name")
        try:
            with audited_atomic():
                area = Area.objects.create(group=group, name=name, lat=lat, lon=lon)
        except IntegrityError as exc:
            raise Conflict(_("The group already has an area called “%(name)s”.") % {"name": name},
                           field="name") from exc
        audit_record(actor=actor, action="area.added", obj=area,
                     after={"group": str(group.public_id), "located": lat is not None})
    return area


def area_update(*, actor: User, area: Area, name: str, lat: float | None, lon: float | None) -> Area:
    """Rename an area or move its point. What was already posted keeps the name and place it was posted with."""
    _require_coordinator(actor, area.group)
    name = _check_area(name, lat, lon)
    with audited_atomic():
        area = Area.objects.select_for_update().get(pk=area.pk)
        if Area.objects.filter(group_id=area.group_id, name__iexact=name).exclude(pk=area.pk).exists():
            raise Conflict(_("The group already has an area called “%(name)s”.") % {"name": name}, field="name")
        before = {"located": area.lat is not None}
        changed = sorted(field for field, value in (("name", name), ("lat", lat), ("lon", lon))
                         if getattr(area, field) != value)
        area.name, area.lat, area.lon = name, lat, lon
        area.save(update_fields=["name", "lat", "lon"])
        audit_record(actor=actor, action="area.changed", obj=area, before=before,
                     after={"located": lat is not None, "changed": changed})
    return area


def area_remove(*, actor: User, area: Area) -> None:
    """Stop offering an area. What was posted in it keeps its name and place."""
    _require_coordinator(actor, area.group)
    with audited_atomic():
        audit_record(actor=actor, action="area.removed", obj=area, before={"group": str(area.group.public_id)})
        area.delete()
