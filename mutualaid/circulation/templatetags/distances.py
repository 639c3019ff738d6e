"""`{{ proposal|distance }}` (or `|distance:"away"`): how far apart a suggested need and offer are, in words a
neighbour reads: "about 2.4 km", "close by" under 100 m, and no figure at all when either gave no place (the engine
then measured from the group's centre, which says nothing about the two). `{{ fill|share }}`: a share (0 to 1) as a
percentage a neighbour reads ("40 %", "under 1 %" rather than "0 %" when a little was met, "—" when there is none)."""
from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

register = template.Library()

CLOSE_BY_KM = 0.1


@register.filter
def distance(proposal, away: str = "") -> str:
    placed = all(getattr(item, "lat", None) is not None and getattr(item, "lon", None) is not None
                 for item in (proposal.need, proposal.offer))
    if not placed:
        return _("no place given, so no distance")
    if proposal.distance_km < CLOSE_BY_KM:
        return _("close by")
    km = floatformat(proposal.distance_km, 1)
    return _("about %(km)s km away") % {"km": km} if away else _("about %(km)s km") % {"km": km}


@register.filter
def share(value) -> str:
    if value is None or value == "":
        return "—"
    try:
        percent = float(value) * 100
    except (TypeError, ValueError):
        return "—"
    if 0 < percent < 1:
        return _("under 1 %")
    return _("%(percent)s %%") % {"percent": floatformat(percent, 0)}
