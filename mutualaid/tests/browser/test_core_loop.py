"""The core loop in a real browser, as two neighbours would live it, in English and in Spanish:
one signs up and asks for help, another signs up and claims it, the first accepts the newcomer's claim (only then
does the helper see the phone number) and later confirms it was received."""
from __future__ import annotations

import re

import pytest

from mutualaid.networks import services as networks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What each language shows at each step: the test fails if the page is not in the browser's language.
TEXT = {
    "en-GB": {"lang": "en", "signup": "Create your account", "open": "Open", "matched": "Matched",
              "fulfilled": "Fulfilled", "claim": "Yes, I will bring it", "received": "Mark as received",
              "accept": "Accept this claim"},
    "es-ES": {"lang": "es", "signup": "Crea tu cuenta", "open": "Abierta", "matched": "Cubierta",
              "fulfilled": "Completada", "claim": "Sí, me encargo yo", "received": "Marcar como recibida",
              "accept": "Aceptar esta ayuda"},
}


@pytest.fixture
def riverside(db):
    founder = networks.user_register(username="founder", password="a-long-passphrase-42")
    return networks.group_create(actor=founder, name="Riverside Pod", location_name="Riverside",
                                 public_description="Neighbours along the river.")


def sign_up(page, base: str, username: str, text: dict) -> None:
    page.goto(f"{base}/signup/")
    assert page.locator("html").get_attribute("lang") == text["lang"]
    page.get_by_role("heading", name=text["signup"]).wait_for()
    page.fill("input[name=username]", username)
    page.fill("input[name=email]", f"{username}@example.org")
    page.fill("input[name=password]", "a-long-passphrase-42")
    page.fill("input[name=password_again]", "a-long-passphrase-42")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/signup/" not in url)


def status_badge(page, status: str) -> str:
    """The need's status as its page shows it, in the page's language."""
    return page.locator(f".page-header .badge--{status}").inner_text().strip()


def join(page, base: str, group) -> None:
    page.goto(f"{base}/groups/{group.public_id}/")
    page.locator(f"form[action='/groups/{group.public_id}/join/'] button").click()
    page.locator(f"a[href='/groups/{group.public_id}/needs/new/']").first.wait_for()


@pytest.mark.parametrize("locale", ["en-GB", "es-ES"])
def test_two_neighbours_meet_a_need_in_the_browser(live_server, new_page, riverside, locale):
    text, base = TEXT[locale], live_server.url

    # A neighbour signs up, joins the group and asks for help.
    requester = new_page(locale)
    sign_up(requester, base, "rosa", text)
    join(requester, base, riverside)
    requester.locator(f"a[href='/groups/{riverside.public_id}/needs/new/']").first.click()
    requester.fill("input[name=title]", "Groceries for this week")
    requester.fill("textarea[name=description]", "Rice, beans and fruit for two.")
    requester.select_option("select[name=category]", "groceries")
    requester.fill("input[name=quantity]", "2")
    requester.select_option("select[name=urgency]", "high")
    requester.fill("input[name=contact_phone]", "+44 7700 900777")
    requester.locator("main form button[type=submit]").last.click()
    requester.wait_for_url(re.compile(r".*/needs/[0-9a-f-]{36}/$"))
    need_url = requester.url
    assert requester.get_by_role("heading", name="Groceries for this week").is_visible()
    assert status_badge(requester, "open") == text["open"]
    assert "+44 7700 900777" in requester.content()  # the requester sees their own contact details

    # Another neighbour signs up, joins, sees the need without the phone number, and claims all of it.
    helper = new_page(locale)
    sign_up(helper, base, "samir", text)
    join(helper, base, riverside)
    helper.goto(need_url)
    assert "+44 7700 900777" not in helper.content()
    helper.fill("form[action$='/claim/'] input[name=quantity]", "2")
    helper.get_by_role("button", name=text["claim"]).click()
    helper.locator(".page-header .badge--matched").wait_for()
    assert status_badge(helper, "matched") == text["matched"]
    assert "+44 7700 900777" not in helper.content()  # a newcomer's claim waits for the requester's yes

    # The requester accepts the claim; now the helper may reach them.
    requester.goto(need_url)
    assert "samir" in requester.content()
    requester.get_by_role("button", name=text["accept"]).click()
    requester.get_by_role("button", name=text["received"]).wait_for()
    helper.goto(need_url)
    assert "+44 7700 900777" in helper.content()

    # The requester confirms the groceries arrived.
    requester.get_by_role("button", name=text["received"]).click()
    requester.locator(".page-header .badge--fulfilled").wait_for()
    assert status_badge(requester, "fulfilled") == text["fulfilled"]
