"""The checks services make of what people send, each written once: text, quantities, coordinates, e-mail
addresses, countries and time zones, and times given without an offset. Each raises InvalidInput naming the field,
in the active language."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from . import places
from .errors import InvalidInput

MAX_QUANTITY = 100_000
MAX_LATITUDE, MAX_LONGITUDE = 90, 180  # degrees either way; forms, schemas and check_lat_lon read them


def check_text(value: Any, *, field: str, limit: int, required: bool = False) -> str:
    """The text without surrounding spaces, at most `limit` characters; required: not empty."""
    value = ("" if value is None else str(value)).strip()
    if required and not value:
        raise InvalidInput(_("This field is required."), field=field)
    if len(value) > limit:
        raise InvalidInput(_("At most %(limit)d characters, please.") % {"limit": limit}, field=field)
    return value


def check_quantity(quantity: Any, *, field: str = "quantity") -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise InvalidInput(_("The quantity must be a whole number."), field=field)
    if quantity < 1:
        raise InvalidInput(_("The quantity must be at least 1."), field=field)
    if quantity > MAX_QUANTITY:
        raise InvalidInput(_("The quantity may be at most %(max)d.") % {"max": MAX_QUANTITY}, field=field)
    return quantity


def check_lat_lon(lat: float | None, lon: float | None) -> None:
    """Both or neither, each within range (the database constraints say the same)."""
    if (lat is None) != (lon is None):
        raise InvalidInput(_("Give both latitude and longitude, or neither."), field="lat")
    if lat is not None and not -MAX_LATITUDE <= lat <= MAX_LATITUDE:
        raise InvalidInput(_("Latitude must be between -90 and 90."), field="lat")
    if lon is not None and not -MAX_LONGITUDE <= lon <= MAX_LONGITUDE:
        raise InvalidInput(_("Longitude must be between -180 and 180."), field="lon")


def check_email(value: Any, *, field: str = "email") -> str:
    """An e-mail address as Django validates it, or "" when none is given."""
    value = ("" if value is None else str(value)).strip()
    if value:
        try:
            validate_email(value)
        except ValidationError as exc:
            raise InvalidInput(_("Enter a valid e-mail address."), field=field) from exc
    return value


def check_country(code: Any, *, field: str = "country") -> str:
    """An ISO 3166 country code (one the tz database has zones for), upper case, or "" when none is given."""
    code = ("" if code is None else str(code)).strip().upper()
    if code and not places.zones_for_country(code):
        raise InvalidInput(_("Unknown country code “%(code)s”: use two letters, like ES.") % {"code": code[:8]},
                           field=field)
    return code


def check_timezone(zone: Any, *, country: str = "", field: str = "timezone") -> str:
    """A time zone the tz database knows ("UTC" when none is given); with a country, one of that country's."""
    zone = ("" if zone is None else str(zone)).strip() or "UTC"
    if zone not in places.known_zones():
        raise InvalidInput(_("Unknown time zone “%(tz)s”: use a name like Europe/Madrid.") % {"tz": zone[:64]},
                           field=field)
    if country and zone != "UTC" and zone not in places.zones_for_country(country):
        raise InvalidInput(_("%(zone)s is not a time zone of %(country)s: choose one of its own.")
                           % {"zone": places.zone_label(zone), "country": places.country_name(country)}, field=field)
    return zone


def in_zone(moment: datetime | None, zone_name: str) -> datetime | None:
    """A time given without a UTC offset is read in the zone (a place's own: as a phone's date picker means it); an
    unknown zone reads as UTC."""
    if moment is None or timezone.is_aware(moment):
        return moment
    try:
        zone = ZoneInfo(zone_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError):
        zone = ZoneInfo("UTC")
    return timezone.make_aware(moment, zone)
