"""A search on the board finds a need by a word of its description, in English and in Spanish, at a desktop's and a
phone's width, with JavaScript on (htmx swaps the board) and the plain form alike."""
from __future__ import annotations

import pytest

from mutualaid.circulation import services as circulation
from mutualaid.networks import services as networks
from mutualaid.tests.browser.pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-passphrase-42"


@pytest.mark.parametrize("width", [1280, 360])
def test_a_search_on_the_board_finds_a_need_by_a_word_of_its_description(live_server, new_page, width):
    founder = networks.user_register(username="amara", password=PASSWORD)
    group = networks.group_create(actor=founder, name="Riverside Pod")
    circulation.need_create(actor=founder, group=group, title="Groceries for the week", category="groceries",
                            quantity=2, description="Semi-skimmed milk and wholemeal bread")
    circulation.need_create(actor=founder, group=group, title="Compra para la semana", category="groceries",
                            quantity=1, description="Leche semidesnatada y pan integral")
    circulation.need_create(actor=founder, group=group, title="Wheelchair ramp repair",
                            category="household-repair", quantity=1)

    for locale, label, word, found, button in (("en-GB", "Search", "milk", "Groceries for the week", "Filter"),
                                               ("es-ES", "Buscar", "leche", "Compra para la semana", "Filtrar")):
        page = new_page(locale)
        page.set_viewport_size({"width": width, "height": 800})
        log_in(page, live_server.url, "amara", PASSWORD)
        page.goto(f"{live_server.url}/groups/{group.public_id}/")
        page.wait_for_function("() => window.htmx !== undefined")
        board = page.locator("#board")
        board.get_by_label(label, exact=True).fill(word)
        board.get_by_role("button", name=button, exact=True).click()
        page.wait_for_url(lambda url: f"q={word}" in url)  # htmx pushed the search into the address
        needs = page.locator("#board section").first
        needs.get_by_text(found).wait_for()
        assert needs.locator(".card").count() == 1, needs.inner_text()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
