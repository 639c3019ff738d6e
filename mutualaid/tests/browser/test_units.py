"""The unit beside a need's quantity follows the category as it changes (JavaScript on), at a phone's width."""
from __future__ import annotations

import pytest

from mutualaid.networks import services as networks
from mutualaid.tests.browser.pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-passphrase-42"


def test_the_unit_follows_the_category(live_server, new_page):
    founder = networks.user_register(username="amara", password=PASSWORD)
    group = networks.group_create(actor=founder, name="Riverside Pod")
    for locale, category, unit, note in (("en-GB", "Transport", "rides", "Counted in rides"),
                                         ("es-ES", "Comidas", "comidas", "Se cuenta en comidas")):
        page = new_page(locale)
        page.set_viewport_size({"width": 360, "height": 800})
        log_in(page, live_server.url, "amara", PASSWORD)
        page.goto(f"{live_server.url}/groups/{group.public_id}/needs/new/")
        beside = page.locator("#id_quantity_unit")
        assert beside.is_hidden()  # no category yet
        page.locator("#id_category").select_option(label=category)
        beside.wait_for(state="visible")
        assert beside.inner_text().strip() == note, (unit, beside.inner_text())
