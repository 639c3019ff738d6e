"""The map (issue 12's map page, on the vendored Leaflet): every group for anyone; a member's own groups' open needs
and active offers too, at their coarse places only; the same as an RFC 7946 FeatureCollection at
GET /api/v1/map.geojson; the page lists everything without the map; the queries do not grow with the data."""
from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mutualaid.circulation import services as circulation
from mutualaid.front import selectors
from mutualaid.networks import services as networks
from mutualaid.tests.api_helpers import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted(group, other_group, member, owner, outsider):
    """Northside: a need at an exact place, one with no place (its group's centre stands in), a closed one, an
    active offer and a paused one. Southside (Otto's): a need of its own."""
    placed = circulation.need_create(actor=member, group=group, title="Insulin to the Vale flat",
                                     category="medicine-pickup", quantity=2, urgency="critical", lat=51.50123,
                                     lon=-0.10456, location_name="Elm Road", contact={"phone": "+44 7700 900123"})
    unplaced = circulation.need_create(actor=member, group=group, title="A lift on Sunday", category="transport",
                                       quantity=1)
    closed = circulation.need_create(actor=member, group=group, title="Old soup", category="food", quantity=1)
    circulation.need_cancel(actor=member, need=closed)
    offer = circulation.offer_create(actor=owner, group=group, title="Cool bags", category="medicine-pickup",
                                     quantity=3)
    paused = circulation.offer_create(actor=owner, group=group, title="Paused van", category="transport", quantity=1)
    circulation.offer_set_status(actor=owner, offer=paused, status="paused")
    theirs = circulation.need_create(actor=outsider, group=other_group, title="Southside secret", category="food",
                                     quantity=1)
    return {"placed": placed, "unplaced": unplaced, "offer": offer, "theirs": theirs}


def _features(body: dict, kind: str) -> list[dict]:
    return [f for f in body["features"] if f["properties"]["kind"] == kind]


def test_anyone_sees_the_groups_and_nothing_inside_them(client, posted, group, other_group):
    body = Api().get("/map.geojson").json()
    assert body["type"] == "FeatureCollection"
    assert {f["properties"]["name"] for f in _features(body, "group")} == {"Northside Pod", "Southside Pod"}
    north = next(f for f in body["features"] if f["properties"].get("name") == "Northside Pod")
    assert north["geometry"] == {"type": "Point", "coordinates": [-0.1, 51.5]}  # longitude first (RFC 7946)
    assert not _features(body, "need") and not _features(body, "offer")
    page = client.get(reverse("map")).content.decode()
    assert "Northside Pod" in page and "Insulin" not in page and "Southside secret" not in page


def test_a_member_sees_their_groups_open_needs_and_offers_at_coarse_places(client, posted, member):
    body = Api(networks.token_create(actor=member)).get("/map.geojson").json()
    needs = {f["properties"]["title"]: f for f in _features(body, "need")}
    assert set(needs) == {"Insulin to the Vale flat", "A lift on Sunday"}  # not the closed one, not Southside's
    assert needs["Insulin to the Vale flat"]["geometry"]["coordinates"] == [-0.1, 51.5]  # rounded, never the door
    assert needs["Insulin to the Vale flat"]["properties"]["placed"] == "own"
    assert needs["A lift on Sunday"]["properties"]["placed"] == "group"
    assert [f["properties"]["title"] for f in _features(body, "offer")] == ["Cool bags"]  # not the paused one
    assert "51.50123" not in json.dumps(body) and "Southside secret" not in json.dumps(body)
    client.force_login(member)
    page = client.get(reverse("map")).content.decode()
    for title in ("Insulin to the Vale flat", "A lift on Sunday", "Cool bags"):
        assert title in page  # listed: the page works without the map
    assert "51.50123" not in page and "Southside secret" not in page and "Old soup" not in page
    assert "2 open needs" in page and "vendor/leaflet-1.9.4/leaflet.js" in page


def test_the_api_answers_geojson(posted):
    response = Api().get("/map.geojson")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/geo+json")


def test_the_queries_do_not_grow_with_the_needs(posted, group, member):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            selectors.map_geojson(selectors.map_data(member), lambda name, public_id: "/x/")
        return len(queries)

    few = count()
    for i in range(30):
        circulation.need_create(actor=member, group=group, title=f"Need {i}", category="food", quantity=1,
                                location_name=f"Street {i}")
    assert count() == few


def test_past_the_most_shown_the_rest_are_counted(posted, group, member, monkeypatch):
    monkeypatch.setattr(selectors, "MAP_MOST", 1)
    data = selectors.map_data(member)
    assert [n.title for n in data.needs] == ["Insulin to the Vale flat"]  # the most urgent first
    assert data.needs_left_out == 1
    assert selectors.map_geojson(data, lambda *a: "/")["left_out"] == {"needs": 1, "offers": 0}
