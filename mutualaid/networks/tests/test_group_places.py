"""Starting a group without typing a time zone or coordinates (issue 11): the country's own short list of time
zones (with search in the browser), the group's centre marked on a map, and the same rules on the API."""
from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from mutualaid.core import places
from mutualaid.core.errors import InvalidInput
from mutualaid.networks import services
from mutualaid.networks.models import Group
from mutualaid.tests.api_helpers import Api, assert_error, ok

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored():
    """Requests here speak Spanish (Accept-Language es-ES), and the language middleware leaves the thread's language
    active after its response: put it back, so that the tests after these read English."""
    yield
    translation.activate("en")


def _options(page: str, select_id: str) -> list[str]:
    import re
    block = page[page.index(f'id="{select_id}"'):]
    block = block[:block.index("</select>")]
    return re.findall(r'<option value="([^"]*)"', block)


def test_a_countrys_time_zones_are_a_short_list(client, member):
    client.force_login(member)
    page = client.get(reverse("group_create"), HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9").content.decode()
    assert '<option value="ES" selected>España</option>' in page  # guessed from the browser's language
    assert _options(page, "id_timezone") == ["Africa/Ceuta", "Atlantic/Canary", "Europe/Madrid", "UTC"]
    assert ">Madrid</option>" in page  # the city, not "Europe/Madrid"
    assert 'id="timezone-catalogue"' in page and "js/timezones.js" in page  # search and follow, in the browser


def test_a_country_with_one_zone_has_it_chosen(client, member):
    client.force_login(member)
    page = client.get(reverse("group_create"), HTTP_ACCEPT_LANGUAGE="pt-PT").content.decode()
    assert _options(page, "id_timezone")[:3] == ["Atlantic/Azores", "Atlantic/Madeira", "Europe/Lisbon"]
    page = client.get(reverse("group_create"), HTTP_ACCEPT_LANGUAGE="en-IE").content.decode()
    assert _options(page, "id_timezone") == ["Europe/Dublin", "UTC"]
    assert '<option value="Europe/Dublin" selected>Dublin</option>' in page


def test_without_a_country_every_zone_is_listed_by_country(client, member):
    client.force_login(member)
    page = client.get(reverse("group_create"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<optgroup label="Colombia">' in page and '<option value="America/Bogota">Bogota</option>' in page


def test_a_group_is_created_with_its_country_and_zone(client, member):
    client.force_login(member)
    response = client.post(reverse("group_create"), {"name": "Barrio Sur", "country": "CO",
                                                     "timezone": "America/Bogota", "is_open": "on", "lat": "4.6097",
                                                     "lon": "-74.0817"})
    assert response.status_code == 302
    group = Group.objects.get(name="Barrio Sur")
    assert (group.country, group.timezone, group.lat, group.lon) == ("CO", "America/Bogota", 4.6097, -74.0817)


def test_a_zone_of_another_country_is_refused_with_every_other_error(client, member):
    client.force_login(member)
    response = client.post(reverse("group_create"), {"name": "", "country": "MX", "timezone": "Europe/Madrid",
                                                     "trust_threshold": "0"})
    form = response.context["form"]
    assert response.status_code == 200 and set(form.errors) == {"name", "timezone", "trust_threshold"}
    assert form.errors["timezone"] == ["Madrid is not a time zone of Mexico: choose one of its own."]
    assert _options(response.content.decode(), "id_timezone")[0] == "America/Bahia_Banderas"  # Mexico's own now
    assert not Group.objects.filter(name="").exists()


def test_the_service_and_the_api_keep_the_same_rule(member):
    with pytest.raises(InvalidInput, match="not a time zone of"):
        services.group_create(actor=member, name="Eastside", country="GB", timezone_name="Europe/Paris")
    with pytest.raises(InvalidInput, match="Unknown country code"):
        services.group_create(actor=member, name="Eastside", country="XX")
    api = Api(services.token_create(actor=member))
    assert_error(api.post("/groups", {"name": "Eastside", "country": "GB", "timezone": "Europe/Paris"}), 422,
                 "not a time zone of")
    body = ok(api.post("/groups", {"name": "Eastside", "country": "gb", "timezone": "Europe/London"}), 201)
    assert (body["country"], body["timezone"]) == ("GB", "Europe/London")


def test_country_names_and_the_refusal_speak_spanish():
    with translation.override("es"):
        assert dict(places.country_choices())["DE"] == "Alemania"
        with pytest.raises(InvalidInput) as refused:
            from mutualaid.core.validators import check_timezone
            check_timezone("Europe/Madrid", country="MX")
        assert refused.value.message == "Madrid no es una zona horaria de México: elige una de las suyas."


def test_the_group_form_marks_its_centre_on_a_map_and_types_no_coordinates(client, member, settings):
    client.force_login(member)
    page = client.get(reverse("group_create")).content.decode()
    assert 'type="hidden" name="lat"' in page and "Latitude" not in page
    assert "data-place-map" not in page  # no tile server set up, no areas yet: nothing to click on
    settings.MUTUALAID_MAP_TILES = "https://tiles.example.org/{z}/{x}/{y}.png"
    page = client.get(reverse("group_create")).content.decode()
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in page


def test_a_taken_group_name_is_told_with_the_other_errors(client, member, group):
    client.force_login(member)
    response = client.post(reverse("group_create"), {"name": "northside pod", "timezone": "UTC",
                                                     "trust_threshold": "0", "lat": "95", "lon": "0"})
    errors = response.context["form"].errors
    assert set(errors) == {"name", "trust_threshold", "lat"}, errors
    assert errors["name"] == ["A group with that name already exists."]


def test_a_country_cleared_lists_every_zone_again(client, member):
    """Sent with no country (the guessed one cleared) and another error, the form comes back listing every zone, so
    the zone chosen is still there to be sent again."""
    client.force_login(member)
    response = client.post(reverse("group_create"), {"name": "", "country": "", "timezone": "America/Bogota"},
                           HTTP_ACCEPT_LANGUAGE="es-ES")
    page = response.content.decode()
    assert '<option value="America/Bogota" selected>Bogota</option>' in page
    assert '<optgroup label="Colombia">' in page
