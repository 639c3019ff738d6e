"""Places without coordinates (issue 11): a need or an offer is placed by choosing one of the group's named areas
(a plain list, which works without JavaScript) or by a click on the map (hidden lat/lon, named after the nearest
area); coordinates are never typed. The exact point stays private; members see the area and a coarse point."""
from __future__ import annotations

import pytest
from django.urls import reverse

from mutualaid.circulation.models import Need, Offer
from mutualaid.networks import services as networks
from mutualaid.tests.api_helpers import Api, assert_error, ok

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas(group, owner):
    """Northside Pod names three areas; one is not marked on the map yet."""
    return {name: networks.area_add(actor=owner, group=group, name=name, lat=lat, lon=lon)
            for name, lat, lon in (("Elm Road", 51.5041, -0.1023), ("Canal Side", 51.4962, -0.0951),
                                   ("The Market estate", None, None))}


def _need(**overrides) -> dict:
    data = {"title": "Nappies, size 4", "category": "hygiene", "quantity": "2", "urgency": "high",
            "contact_phone": "+44 7700 900999", "lat": "", "lon": ""}
    data.update(overrides)
    return data


def test_the_need_form_lists_the_areas_and_asks_for_no_coordinates(client, group, member, areas):
    client.force_login(member)
    page = client.get(reverse("need_create", args=[group.public_id])).content.decode()
    for name in areas:
        assert f">{name}</option>" in page
    assert "Somewhere else (name it below)" in page
    assert 'type="hidden" name="lat"' in page and 'type="hidden" name="lon"' in page
    assert "Latitude" not in page and "Longitude" not in page
    # The map: hidden until its script runs (without JavaScript the list is the way to choose); areas drawn on it.
    assert "data-place-map" in page and 'id="place-areas"' in page and "Elm Road" in page
    assert "vendor/leaflet-1.9.4/leaflet.js" in page


def test_choosing_an_area_places_the_need_there(client, group, member, areas):
    client.force_login(member)
    response = client.post(reverse("need_create", args=[group.public_id]),
                           _need(area=str(areas["Elm Road"].public_id)))
    need = Need.objects.get()
    assert response.status_code == 302
    assert (need.location_name, need.lat, need.lon) == ("Elm Road", 51.5, -0.1)  # coarse in public
    page = client.get(reverse("need_detail", args=[need.public_id])).content.decode()
    assert "Elm Road" in page


def test_an_area_not_marked_yet_gives_its_name_only(client, group, member, areas):
    client.force_login(member)
    client.post(reverse("need_create", args=[group.public_id]),
                _need(area=str(areas["The Market estate"].public_id)))
    need = Need.objects.get()
    assert (need.location_name, need.lat, need.lon) == ("The Market estate", None, None)


def test_a_point_marked_on_the_map_is_named_after_the_nearest_area_and_kept_private(client, group, member, areas,
                                                                                      outsider):
    client.force_login(member)
    # Where the map's script leaves the form: the point marked, no area chosen, no name typed.
    response = client.post(reverse("need_create", args=[group.public_id]),
                           _need(area="elsewhere", lat="51.49702", lon="-0.09561"))
    need = Need.objects.get()
    assert response.status_code == 302
    assert need.location_name == "Canal Side"
    assert (need.lat, need.lon) == (51.5, -0.1) and (need.contact.exact_lat, need.contact.exact_lon) == (
        51.49702, -0.09561)
    helper = networks.user_register(username="hana", password="a-long-passphrase-42")
    networks.group_join(actor=helper, group=group)
    client.force_login(helper)
    page = client.get(reverse("need_detail", args=[need.public_id])).content.decode()
    assert "Canal Side" in page and "51.49702" not in page and "51,49702" not in page


def test_a_point_far_from_every_area_keeps_the_name_typed(client, group, member, areas):
    client.force_login(member)
    client.post(reverse("need_create", args=[group.public_id]),
                _need(area="elsewhere", location_name="The allotments", lat="51.60", lon="-0.20"))
    assert Need.objects.get().location_name == "The allotments"
    client.post(reverse("need_create", args=[group.public_id]),
                _need(title="A lift", category="transport", area="elsewhere", lat="51.60", lon="-0.20",
                      post_anyway="on"))
    assert Need.objects.get(title="A lift").location_name == ""  # 12 km from every area: no name is made up


def test_an_area_of_another_group_is_refused_by_name(client, group, member, areas, other_group, outsider):
    theirs = networks.area_add(actor=outsider, group=other_group, name="Southside Green", lat=51.4, lon=-0.1)
    client.force_login(member)
    response = client.post(reverse("need_create", args=[group.public_id]), _need(area=str(theirs.public_id)))
    assert response.status_code == 200 and "area" in response.context["form"].errors
    assert not Need.objects.exists()


def test_correcting_a_need_shows_its_area_chosen(client, group, member, areas):
    client.force_login(member)
    client.post(reverse("need_create", args=[group.public_id]), _need(area=str(areas["Elm Road"].public_id)))
    need = Need.objects.get()
    form = client.get(reverse("need_edit", args=[need.public_id])).content.decode()
    assert f'<option value="{areas["Elm Road"].public_id}" selected>Elm Road</option>' in form
    client.post(reverse("need_edit", args=[need.public_id]),
                _need(area=str(areas["Canal Side"].public_id), contact_name="", contact_email="", contact_address="",
                      contact_preferred_language="", contact_notes="", description=""))
    need.refresh_from_db()
    assert need.location_name == "Canal Side"


def test_an_offer_is_placed_the_same_way(client, group, member, areas):
    client.force_login(member)
    page = client.get(reverse("offer_create", args=[group.public_id])).content.decode()
    assert ">Canal Side</option>" in page and 'type="hidden" name="lat"' in page
    response = client.post(reverse("offer_create", args=[group.public_id]), {
        "title": "Lifts on Sundays", "category": "transport", "quantity": "2",
        "area": str(areas["Canal Side"].public_id), "lat": "", "lon": ""})
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert (offer.location_name, offer.lat, offer.lon) == ("Canal Side", 51.5, -0.1)


def test_without_areas_the_form_asks_for_the_area_by_name_and_shows_no_map(client, group, member):
    client.force_login(member)
    page = client.get(reverse("need_create", args=[group.public_id])).content.decode()
    assert 'name="area"' not in page and 'name="location_name"' in page and 'value="Northside"' in page
    assert "data-place-map" not in page  # no tiles set up and no areas to click near: a blank map helps nobody


def test_the_api_takes_an_area_by_id(group, member, areas, other_group, outsider):
    api = Api(networks.token_create(actor=member))
    body = ok(api.post("/needs", {"group": str(group.public_id), "title": "Soup", "category": "food", "quantity": 1,
                                  "area": str(areas["Elm Road"].public_id)}), 201)
    assert body["location_name"] == "Elm Road" and (body["lat"], body["lon"]) == (51.5, -0.1)
    theirs = networks.area_add(actor=outsider, group=other_group, name="Southside Green")
    assert_error(api.post("/offers", {"group": str(group.public_id), "title": "Lifts", "category": "transport",
                                      "quantity": 1, "area": str(theirs.public_id)}), 422, "No such area")
    assert not Offer.objects.exists()


def _edit(need, **overrides) -> dict:
    contact = need.contact
    data = {"title": need.title, "description": need.description, "quantity": str(need.quantity),
            "urgency": need.urgency, "needed_by": "", "location_name": need.location_name,
            "lat": "" if contact.exact_lat is None else repr(contact.exact_lat),
            "lon": "" if contact.exact_lon is None else repr(contact.exact_lon),
            "contact_phone": contact.phone}
    data.update(overrides)
    return data


def test_another_area_chosen_on_correction_moves_the_need_there(client, group, member, areas):
    """The edit form's hidden point still holds the old place: choosing another area from the list (no new mark)
    moves the need to that area's place, not the old point under a new name."""
    client.force_login(member)
    client.post(reverse("need_create", args=[group.public_id]), _need(area=str(areas["Elm Road"].public_id)))
    need = Need.objects.get()
    form = client.get(reverse("need_edit", args=[need.public_id])).content.decode()
    assert 'name="lat" value="51.5041"' in form  # what the browser sends back unchanged
    client.post(reverse("need_edit", args=[need.public_id]), _edit(need, area=str(areas["Canal Side"].public_id)))
    need.refresh_from_db()
    need.contact.refresh_from_db()
    assert need.location_name == "Canal Side"
    assert (need.contact.exact_lat, need.contact.exact_lon) == (51.4962, -0.0951)


def test_a_correction_that_leaves_the_point_names_nothing_anew(client, group, member, areas):
    """A need posted with a point and no area name (here through the service, as the API allows) keeps its empty
    name when its text is corrected: the nearest area names only a point newly marked."""
    from mutualaid.circulation import services
    need = services.need_create(actor=member, group=group, title="Soup", category="food", quantity=1,
                                lat=51.4963, lon=-0.0952, contact={"phone": "+44 7700 900999"})
    client.force_login(member)
    client.post(reverse("need_edit", args=[need.public_id]), _edit(need, title="Soup for two", area="elsewhere"))
    need.refresh_from_db()
    assert (need.title, need.location_name) == ("Soup for two", "")


def test_the_map_is_never_kept_in_the_browsers_history_cache(client, group, member, areas):
    """htmx's history cache would bring back a dead copy of the map (and the contact details with it)."""
    client.force_login(member)
    page = client.get(reverse("need_create", args=[group.public_id])).content.decode()
    assert 'data-place-map data-areas="place-areas" data-nearest-km="5.0" hx-history="false"' in page
