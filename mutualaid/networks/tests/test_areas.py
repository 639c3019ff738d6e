"""A group's named areas (issue 11, places without coordinates): coordinators name them and mark them on the map,
members see them and pick them; nobody types coordinates. Audited without the names typed."""
from __future__ import annotations

import json

import pytest
from django.urls import reverse

from mutualaid.audit.models import AuditEntry
from mutualaid.audit.tests.helpers import chain_stays_valid  # noqa: F401
from mutualaid.core.errors import Conflict, InvalidInput, NotAllowed
from mutualaid.networks import services
from mutualaid.networks.models import Area
from mutualaid.tests.api_helpers import Api, assert_error, ok

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chain_stays_valid")]


@pytest.fixture
def api():
    """The API as one person, with a token of theirs."""
    return lambda user: Api(services.token_create(actor=user), username=user.username)


def test_a_coordinator_names_an_area_marked_on_the_map(client, group, owner):
    client.force_login(owner)
    page = client.get(reverse("group_areas", args=[group.public_id])).content.decode()
    assert "No areas yet. Name the first one below." in page
    assert 'type="hidden" name="lat"' in page and 'type="hidden" name="lon"' in page  # set by the map, not typed
    response = client.post(reverse("group_areas", args=[group.public_id]),
                           {"name": "  Elm Road ", "lat": "51.50412", "lon": "-0.10233"})
    assert response.status_code == 302
    area = Area.objects.get()
    assert (area.name, area.lat, area.lon, area.group) == ("Elm Road", 51.50412, -0.10233, group)
    page = client.get(reverse("group_areas", args=[group.public_id])).content.decode()
    assert "“Elm Road” is one of the group&#x27;s areas now." in page and "marked on the map" in page
    entry = AuditEntry.objects.get(action="area.added")
    assert entry.object_id == str(area.public_id) and "Elm Road" not in json.dumps(entry.after)


def test_an_area_can_be_named_before_it_is_marked(group, owner):
    area = services.area_add(actor=owner, group=group, name="The Market estate")
    assert area.lat is None and area.lon is None


def test_members_see_the_areas_but_only_coordinators_change_them(client, group, owner, member):
    area = services.area_add(actor=owner, group=group, name="Elm Road", lat=51.504, lon=-0.102)
    client.force_login(member)
    page = client.get(reverse("group_areas", args=[group.public_id])).content.decode()
    assert "Elm Road" in page and "Name an area" not in page and reverse("area_edit", args=[area.public_id]) not in page
    assert client.post(reverse("group_areas", args=[group.public_id]), {"name": "Mine"}).status_code == 403
    assert client.post(reverse("area_remove", args=[area.public_id])).status_code == 403
    with pytest.raises(NotAllowed):
        services.area_add(actor=member, group=group, name="Mine")
    assert list(Area.objects.values_list("name", flat=True)) == ["Elm Road"]


def test_a_name_is_taken_once_per_group_whatever_its_case(client, group, owner, other_group, outsider):
    services.area_add(actor=owner, group=group, name="Elm Road")
    with pytest.raises(Conflict):
        services.area_add(actor=owner, group=group, name="ELM ROAD")
    services.area_add(actor=outsider, group=other_group, name="Elm Road")  # another group's own
    client.force_login(owner)
    response = client.post(reverse("group_areas", args=[group.public_id]), {"name": "elm road", "lat": "", "lon": ""})
    assert response.status_code == 400
    assert "The group already has an area called “elm road”." in response.content.decode()
    assert Area.objects.filter(group=group).count() == 1


def test_every_error_of_the_area_form_at_once_and_nothing_saved(client, group, owner):
    client.force_login(owner)
    response = client.post(reverse("group_areas", args=[group.public_id]), {"name": "", "lat": "95", "lon": ""})
    form = response.context["form"]
    assert response.status_code == 400 and set(form.errors) == {"name", "lat"}
    assert "Latitude must be between -90 and 90." in response.content.decode()
    with pytest.raises(InvalidInput):
        services.area_add(actor=owner, group=group, name="Half", lat=51.5)  # both or neither
    assert not Area.objects.exists()


def test_a_coordinator_renames_moves_and_removes_an_area(client, group, owner):
    area = services.area_add(actor=owner, group=group, name="Elm Road", lat=51.504, lon=-0.102)
    client.force_login(owner)
    form = client.get(reverse("area_edit", args=[area.public_id])).content.decode()
    assert 'value="Elm Road"' in form
    assert client.post(reverse("area_edit", args=[area.public_id]),
                       {"name": "Elm Road North", "lat": "51.506", "lon": "-0.101"}).status_code == 302
    area.refresh_from_db()
    assert (area.name, area.lat, area.lon) == ("Elm Road North", 51.506, -0.101)
    changed = AuditEntry.objects.get(action="area.changed")
    assert changed.after == {"located": True, "changed": ["lat", "lon", "name"]}
    assert client.post(reverse("area_remove", args=[area.public_id])).status_code == 302
    assert not Area.objects.exists() and AuditEntry.objects.filter(action="area.removed").exists()


def test_the_api_lists_adds_changes_and_removes_areas(api, group, owner, member, outsider):
    body = ok(api(owner).post(f"/groups/{group.public_id}/areas", {"name": "Elm Road", "lat": 51.504, "lon": -0.102}),
              201)
    assert body["name"] == "Elm Road" and body["lat"] == 51.504
    assert ok(api(member).get(f"/groups/{group.public_id}/areas")) == [body]
    assert_error(api(member).post(f"/groups/{group.public_id}/areas", {"name": "Mine"}), 403)
    assert_error(api(outsider).get(f"/groups/{group.public_id}/areas"), 404)
    assert_error(api(owner).post(f"/groups/{group.public_id}/areas", {"name": "elm road"}), 409)
    assert_error(api(owner).post(f"/groups/{group.public_id}/areas", {"name": "Half", "lat": 51.5}), 422, "both")
    changed = ok(api(owner).put(f"/areas/{body['id']}", {"name": "The Green"}))
    assert changed == {**body, "name": "The Green", "lat": None, "lon": None}
    assert "no longer offered" in ok(api(owner).delete(f"/areas/{body['id']}"))["detail"]
    assert ok(api(member).get(f"/groups/{group.public_id}/areas")) == []
