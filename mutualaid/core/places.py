"""Places without typing coordinates: the time zones of each country (read from the tz database that the pinned
tzdata package ships, its zone.tab), the country names in the active language (django-countries), and what the map
picker draws with (the tile server is a setting: MUTUALAID_MAP_TILES, empty for no tiles)."""
from __future__ import annotations

import functools
import importlib.resources
from zoneinfo import available_timezones
from math import radians
from typing import Any

from django.conf import settings
from django_countries import countries

from mutualaid.allocation.graph import haversine_km


@functools.lru_cache(maxsize=1)
def _zones_by_country() -> dict[str, tuple[str, ...]]:
    """{"ES": ("Africa/Ceuta", "Atlantic/Canary", "Europe/Madrid"), ...}: zone.tab lists each zone under the one
    country it belongs to (comments start with #; columns: code, coordinates, zone, remarks)."""
    text = importlib.resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    zones: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _coordinates, zone, *_remarks = line.split("\t")
            zones.setdefault(code, []).append(zone)
    return {code: tuple(sorted(names)) for code, names in zones.items()}


@functools.lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    """Every zone name the tz database knows (listing it takes a tenth of a second: read once per process)."""
    return frozenset(available_timezones()) | {"UTC"}


def country_name(code: str) -> str:
    """The country's name in the active language."""
    return str(countries.name(code)) or code


def country_from_accept_language(header: str) -> str:
    """The country of the browser's first language with a region ("es-MX,es;q=0.9" -> "MX"), if it has zones."""
    for part in (header or "").split(","):
        tag = part.split(";")[0].strip()
        region = tag.replace("_", "-").split("-")[1:2]
        if region and len(region[0]) == 2 and zones_for_country(region[0]):
            return region[0].upper()
    return ""


def zones_for_country(code: str) -> tuple[str, ...]:
    """The time zones of a country (ISO 3166 code), sorted; none for an unknown code."""
    return _zones_by_country().get((code or "").upper(), ())


def zone_label(zone: str) -> str:
    """ "Europe/Madrid" -> "Madrid", "America/Argentina/Buenos_Aires" -> "Buenos Aires (Argentina)"."""
    region, _, place = zone.partition("/")
    if not place:
        return zone
    *middle, city = place.split("/")
    label = city.replace("_", " ")
    return f"{label} ({middle[0].replace('_', ' ')})" if middle else label


def country_choices() -> list[tuple[str, str]]:
    """Every country that has a time zone, named in the active language and sorted by that name."""
    zones = _zones_by_country()
    return [(code, str(name)) for code, name in countries if code in zones]


def timezone_catalogue() -> list[dict[str, Any]]:
    """For the time zone picker (static/js/timezones.js), in the active language: each country's zones."""
    return [{"code": code, "name": name, "zones": [[zone, zone_label(zone)] for zone in zones_for_country(code)]}
            for code, name in country_choices()]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres, between points in degrees (the allocation engine's haversine)."""
    return float(haversine_km(radians(lat1), radians(lon1), radians(lat2), radians(lon2)))


def map_settings() -> dict[str, str]:
    """The tile server the map pickers draw from (a URL template with {z}/{x}/{y}, or "" for none) and the
    attribution its licence asks for."""
    return {"tiles": settings.MUTUALAID_MAP_TILES, "attribution": settings.MUTUALAID_MAP_ATTRIBUTION}
