"""How far a suggested pair is, said as a neighbour would read it: never "about 0.0 km", and no made-up figure for a
need or offer that gave no place (the engine measured those from the group's centre)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import translation

from mutualaid.circulation.templatetags.distances import distance


def pair(km: float, *, need_placed: bool = True, offer_placed: bool = True) -> SimpleNamespace:
    def item(placed: bool) -> SimpleNamespace:
        return SimpleNamespace(lat=51.46 if placed else None, lon=-0.11 if placed else None)
    return SimpleNamespace(need=item(need_placed), offer=item(offer_placed), distance_km=km)


@pytest.mark.parametrize("proposal, away, said", [
    (pair(2.44), "", "about 2.4 km"),
    (pair(2.44), "away", "about 2.4 km away"),
    (pair(0.02), "", "close by"),
    (pair(0.3, need_placed=False), "away", "no place given, so no distance"),
    (pair(0.3, offer_placed=False), "", "no place given, so no distance"),
])
def test_a_distance_in_words(proposal, away, said):
    with translation.override("en"):
        assert distance(proposal, away) == said
        assert "0.0" not in distance(proposal, away)


def test_a_distance_in_spanish():
    with translation.override("es"):
        assert distance(pair(0.02)) == "muy cerca"
        assert distance(pair(0.3, need_placed=False)) == "sin lugar indicado, sin distancia"
        assert distance(pair(2.44), "away") == "a unos 2,4 km"
