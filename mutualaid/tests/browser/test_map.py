"""The map page in a real browser: every listed group, need and offer with a place is drawn on the vendored Leaflet
(no tiles fetched in tests), and a click on a point opens a link to its page. At a phone's width too."""
from __future__ import annotations

import re

import pytest

from mutualaid.circulation import services as circulation
from mutualaid.networks import services as networks
from mutualaid.tests.browser.pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-passphrase-42"


@pytest.mark.parametrize("width", [1280, 360])
def test_the_map_draws_what_the_page_lists_and_links_to_it(live_server, new_page, width):
    amara = networks.user_register(username="amara", password=PASSWORD)
    group = networks.group_create(actor=amara, name="Riverside Pod", location_name="Riverside", lat=51.4613,
                                  lon=-0.1156)
    networks.group_create(actor=amara, name="Hillcrest Commons", location_name="Hillcrest", lat=51.48, lon=-0.09)
    need = circulation.need_create(actor=amara, group=group, title="Nappies, size 4", category="hygiene", quantity=4,
                                   urgency="high", lat=51.4635, lon=-0.1128, location_name="Garden Estate")
    circulation.offer_create(actor=amara, group=group, title="Lifts on Sundays", category="transport", quantity=2)
    page = new_page("en-GB")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "amara", PASSWORD)
    page.goto(f"{live_server.url}/map/")
    assert page.locator("main .row a").all_inner_texts() == [
        "Hillcrest Commons", "Riverside Pod", "Nappies, size 4", "Lifts on Sundays"]
    canvas = page.locator("[data-place-canvas]")
    canvas.wait_for(state="visible")
    assert page.locator("path.leaflet-interactive").count() == 4  # two groups, the need, the offer (group centre)
    assert canvas.bounding_box()["width"] <= width - 30
    # The need's circle: the one in the red of needs.
    page.locator('path.leaflet-interactive[stroke="#b3261e"]').click(force=True)
    link = page.locator(".leaflet-popup-content a")
    assert link.inner_text() == "Nappies, size 4"
    link.click()
    page.wait_for_url(re.compile(rf"/needs/{need.public_id}/$"))
