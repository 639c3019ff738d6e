"""Stored XSS in a real browser: a member posts a need whose title, details and contact notes carry script, through
the real form; another member and a coordinator open the board and the need's page. No dialog may open, no element
may be injected, and the text must read exactly as it was typed."""
from __future__ import annotations

import pytest

from mutualaid.networks import services as networks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-passphrase-42"
TITLE = '<script>alert("title")</script>"><img src=x onerror=alert(1)>'
DESCRIPTION = "<img src=x onerror=alert('description')><svg onload=alert(2)></svg>"
NOTES = '</textarea><script>alert("notes")</script><a href="javascript:alert(3)">call</a>'


@pytest.fixture
def people(db):
    coordinator = networks.user_register(username="cora", password=PASSWORD)
    group = networks.group_create(actor=coordinator, name="Riverside Pod", location_name="Riverside")
    poster = networks.user_register(username="mallory", password=PASSWORD)
    reader = networks.user_register(username="mia", password=PASSWORD)
    for person in (poster, reader):
        networks.group_join(actor=person, group=group)
    return {"group": group}


def log_in(page, base: str, username: str) -> list[str]:
    """Sign in through the form; returns the list into which every dialog the page opens is recorded."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    return dialogs


def assert_nothing_injected(page, where: str) -> None:
    assert page.locator("img[src=x], img[src='x'], svg[onload]").count() == 0, f"{where}: an element was injected"
    scripts = page.evaluate("Array.from(document.scripts).map(s => s.textContent)")
    assert not any("alert(" in text for text in scripts), f"{where}: a script element was injected"
    assert page.locator("a[href^='javascript:']").count() == 0, f"{where}: a javascript: link was injected"


def test_script_in_a_need_stays_text_for_everyone_who_reads_it(live_server, new_page, people):
    base, group = live_server.url, people["group"]

    poster = new_page()
    poster_dialogs = log_in(poster, base, "mallory")
    poster.goto(f"{base}/groups/{group.public_id}/needs/new/")
    poster.fill("input[name=title]", TITLE)
    poster.fill("textarea[name=description]", DESCRIPTION)
    poster.select_option("select[name=category]", "food")
    poster.fill("input[name=quantity]", "2")
    poster.fill("textarea[name=contact_notes]", NOTES)
    poster.fill("input[name=contact_phone]", "+44 7700 900123")
    poster.locator("main form button[type=submit]").last.click()
    poster.wait_for_url(lambda url: "/needs/" in url and "/new/" not in url)
    need_url = poster.url
    # The poster sees their own page, contact notes included, as text.
    assert poster.locator("h1").inner_text() == TITLE
    assert DESCRIPTION in poster.locator("main").inner_text()
    assert NOTES in poster.locator("main").inner_text()
    assert_nothing_injected(poster, "the poster's need page")

    for username, sees_notes in (("mia", False), ("cora", True)):
        page = new_page()
        dialogs = log_in(page, base, username)
        page.goto(f"{base}/groups/{group.public_id}/")
        assert page.get_by_text(TITLE, exact=True).count() >= 1, f"{username}: the title is not shown as text"
        assert_nothing_injected(page, f"the board as {username}")
        page.goto(need_url)
        assert page.locator("h1").inner_text() == TITLE
        assert page.title().startswith(TITLE[:20]) or TITLE in page.title()
        main = page.locator("main").inner_text()
        assert DESCRIPTION in main, username
        assert (NOTES in main) is sees_notes, f"{username}: contact notes shown={NOTES in main}"
        assert_nothing_injected(page, f"the need page as {username}")
        page.goto(f"{base}/needs/")
        assert_nothing_injected(page, f"the list of needs as {username}")
        page.wait_for_timeout(200)  # let any deferred handler (onerror, onload) run before counting dialogs
        assert dialogs == [], f"{username}: a dialog opened: {dialogs}"
    assert poster_dialogs == [], f"the poster: a dialog opened: {poster_dialogs}"
