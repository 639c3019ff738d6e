"""Places without coordinates, in a real browser (issue 11): a place is picked on the need form's map and the need
shows its coarse area; the keyboard can mark one too; a group's time zone is found in its country's short list or by
searching for a city. At 1280 and 360 pixels, in English and Spanish. No map tiles are fetched: the map draws the
group's named areas on a plain background (MAP_TILE_URL is empty in tests)."""
from __future__ import annotations

import re

import pytest

from mutualaid.circulation import services as circulation
from mutualaid.circulation.models import Need
from mutualaid.networks import services as networks
from mutualaid.tests.browser.pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-passphrase-42"


@pytest.fixture
def riverside():
    founder = networks.user_register(username="amara", password=PASSWORD)
    group = networks.group_create(actor=founder, name="Riverside Pod", location_name="Riverside", lat=51.4613,
                                  lon=-0.1156)
    for name, lat, lon in (("Mill Lane", 51.4590, -0.1190), ("Garden Estate", 51.4635, -0.1128),
                           ("Wharf Road", 51.4625, -0.1185)):
        networks.area_add(actor=founder, group=group, name=name, lat=lat, lon=lon)
    neighbour = networks.user_register(username="elif", password=PASSWORD)
    networks.group_join(actor=neighbour, group=group)
    return group


def _click_near(page, area: str) -> None:
    """Click the map just beside an area's drawn circle: its label sits to the circle's right, or to its left when
    the circle is in the map's right half (Leaflet's "auto" direction)."""
    label = page.locator(".place-map__label", has_text=area)
    box = label.bounding_box()
    on_left = "leaflet-tooltip-left" in (label.get_attribute("class") or "")
    x = box["x"] + box["width"] + 14 if on_left else box["x"] - 14
    page.mouse.click(x, box["y"] + box["height"] / 2 + 6)


@pytest.mark.parametrize("width, locale, status", [
    (1280, "en-GB", "Place marked, in the area “Garden Estate”."),
    (360, "es-ES", "Lugar marcado, en la zona «Garden Estate»."),
])
def test_a_place_picked_on_the_map_and_the_need_shows_its_coarse_area(live_server, new_page, riverside, width,
                                                                      locale, status):
    page = new_page(locale)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "elif", PASSWORD)
    page.goto(f"{live_server.url}/groups/{riverside.public_id}/needs/new/")
    page.fill("#id_title", "Nappies, size 4")
    page.locator("#id_category").select_option("hygiene")
    page.fill("#id_contact_phone", "+44 7700 900104")
    canvas = page.locator("[data-place-canvas]")
    canvas.scroll_into_view_if_needed()
    assert page.locator(".place-map__label").count() == 3  # the group's areas, drawn and named
    assert canvas.bounding_box()["width"] <= width - 30  # fits the phone's width
    _click_near(page, "Garden Estate")
    assert page.locator("[data-place-status]").inner_text() == status
    assert page.locator("#id_area option:checked").inner_text() == "Garden Estate"  # the list follows the map
    assert page.locator("#id_lat").input_value() != ""
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/needs/[0-9a-f-]{36}/$"))
    need = Need.objects.get()
    assert need.location_name == "Garden Estate"
    exact = (need.contact.exact_lat, need.contact.exact_lon)
    assert abs(exact[0] - 51.4635) < 0.003 and abs(exact[1] + 0.1128) < 0.004  # where it was clicked
    assert (need.lat, need.lon) == (round(exact[0], 2), round(exact[1], 2))  # the public point: about 1 km
    area = page.locator("dt", has_text=re.compile("^(Area|Zona)$")).locator("xpath=following-sibling::dd[1]")
    assert area.inner_text() == "Garden Estate"


def test_the_keyboard_marks_the_middle_of_the_map(live_server, new_page, riverside):
    page = new_page("en-GB")
    log_in(page, live_server.url, "elif", PASSWORD)
    page.goto(f"{live_server.url}/groups/{riverside.public_id}/needs/new/")
    page.locator("[data-place-canvas]").focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")  # pan with the arrow keys, as Leaflet's keyboard handler does
    page.get_by_role("button", name="Mark the middle of the map").focus()
    page.keyboard.press("Enter")
    assert page.locator("[data-place-status]").inner_text().startswith("Place marked")
    assert page.locator("#id_lat").input_value() and page.locator("#id_lon").input_value()
    page.get_by_role("button", name="Clear the mark").click()
    assert page.locator("#id_lat").input_value() == "" and page.locator("[data-place-status]").inner_text() == (
        "No place marked.")


def test_without_javascript_the_list_of_areas_is_the_way_to_choose(live_server, chromium_browser, riverside):
    context = chromium_browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    log_in(page, live_server.url, "elif", PASSWORD)
    page.goto(f"{live_server.url}/groups/{riverside.public_id}/needs/new/")
    assert page.locator("[data-place-map]").is_hidden()
    page.fill("#id_title", "A lift to the clinic")
    page.locator("#id_category").select_option("transport")
    page.fill("#id_contact_phone", "+44 7700 900104")
    page.locator("#id_area").select_option(label="Mill Lane")
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/needs/[0-9a-f-]{36}/$"))
    need = Need.objects.get()
    assert (need.location_name, need.lat, need.lon) == ("Mill Lane", 51.46, -0.12)
    context.close()


@pytest.mark.parametrize("width", [1280, 360])
def test_a_time_zone_from_the_countrys_short_list_or_by_searching_a_city(live_server, new_page, riverside, width):
    page = new_page("en-GB")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "amara", PASSWORD)
    page.goto(f"{live_server.url}/groups/new/")
    assert page.locator("#id_country").input_value() == "GB"  # from the browser's language, en-GB
    assert page.locator("#id_timezone option").all_inner_texts() == ["London", "UTC"]
    page.locator("#id_country").select_option(label="Spain")
    assert page.locator("#id_timezone option").all_inner_texts() == ["Ceuta", "Canary", "Madrid", "UTC"]
    page.fill("#id_timezone_search", "bogo")
    assert page.locator("#id_timezone option").all_inner_texts() == ["Bogota", "UTC"]
    assert page.locator("#id_timezone").input_value() == "America/Bogota"
    assert page.locator("#id_country").input_value() == "CO"  # the zone found brings its country
    page.fill("#id_timezone_search", "zzzz")
    assert page.locator("[data-timezone-status]").inner_text() == "No time zone has that name."
    page.fill("#id_timezone_search", "")
    page.fill("#id_name", f"Barrio Sur {width}")
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/groups/[0-9a-f-]{36}/$"))
    from mutualaid.networks.models import Group
    group = Group.objects.get(name=f"Barrio Sur {width}")
    assert (group.country, group.timezone) == ("CO", "America/Bogota")


def test_an_area_name_is_text_on_the_map_never_markup(live_server, new_page, riverside):
    founder = riverside.memberships.get(root="founder").user
    networks.area_add(actor=founder, group=riverside, name='<b id="injected">Mill Lane</b>', lat=51.4600,
                      lon=-0.1170)
    page = new_page("en-GB")
    log_in(page, live_server.url, "elif", PASSWORD)
    page.goto(f"{live_server.url}/groups/{riverside.public_id}/needs/new/")
    page.locator(".place-map__label").first.wait_for()
    assert page.locator("#injected").count() == 0
    assert '<b id="injected">Mill Lane</b>' in page.locator(".place-map__label").all_inner_texts()


def test_opening_a_need_to_correct_it_keeps_its_point_as_it_is(live_server, new_page, riverside):
    """The map draws the need's point without writing it back rounded: a correction of the title alone moves
    nothing and tells no helper that the place changed."""
    elif_ = riverside.memberships.get(user__username="elif").user
    need = circulation.need_create(actor=elif_, group=riverside, title="Soup", category="food", quantity=1,
                                   lat=51.4613123, lon=-0.1156789, location_name="Riverside",
                                   contact={"phone": "+44 7700 900104"})
    page = new_page("en-GB")
    log_in(page, live_server.url, "elif", PASSWORD)
    page.goto(f"{live_server.url}/needs/{need.public_id}/edit/")
    page.locator(".leaflet-marker-icon").wait_for()  # the point is drawn
    assert page.locator("#id_lat").input_value() == "51.4613123"
    page.fill("#id_title", "Soup for two")
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/needs/[0-9a-f-]{36}/$"))
    need.contact.refresh_from_db()
    assert (need.contact.exact_lat, need.contact.exact_lon) == (51.4613123, -0.1156789)


def test_a_click_far_from_every_area_keeps_the_name_typed(live_server, new_page, riverside):
    page = new_page("en-GB")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url, "elif", PASSWORD)
    page.goto(f"{live_server.url}/groups/{riverside.public_id}/needs/new/")
    page.locator("#id_area").select_option("elsewhere")
    page.fill("#id_location_name", "The allotments")
    canvas = page.locator("[data-place-canvas]")
    canvas.scroll_into_view_if_needed()
    for _ in range(5):
        page.get_by_role("button", name="Zoom out").click()
        page.wait_for_timeout(300)
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + 20, box["y"] + box["height"] - 40)  # tens of km from the areas
    assert page.locator("#id_lat").input_value() != ""
    assert page.locator("#id_area").input_value() == "elsewhere"
    assert page.locator("#id_location_name").input_value() == "The allotments"
    assert page.locator("[data-place-status]").inner_text() == "Place marked."
