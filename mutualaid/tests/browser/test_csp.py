"""The Content-Security-Policy holds in a real browser: no page of the main loop trips it (no inline script or
style, no eval, nothing from elsewhere), and htmx still works under it."""
from __future__ import annotations

import pytest

from mutualaid.tests.browser.pages import coordinator_pages, demo_world, public_pages, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
});
"""


def open_page(new_page, base_url: str, user=None):
    page = new_page("en-GB")
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on("console", lambda message: console.append(message.text)
            if "Content Security Policy" in message.text else None)
    if user is not None:
        sign_in(page.context, user, base_url)
    return page, console


def test_no_page_trips_the_content_security_policy(live_server, new_page):
    world = demo_world()
    found = []
    for user, pages in ((None, public_pages(world)), (world["amara"], coordinator_pages(world))):
        page, console = open_page(new_page, live_server.url, user)
        for name, path in {**pages, "API docs": "/api/v1/docs"}.items():
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            assert page.evaluate("document.styleSheets.length") >= 1, f"{name}: the stylesheet did not load"
            violations = page.evaluate("window.__cspViolations")
            found += [f"{name} ({path}): {v}" for v in violations + console]
            console.clear()
    assert not found, "Content-Security-Policy violations:\n" + "\n".join(found)


def test_htmx_swaps_the_board_under_the_policy(live_server, new_page):
    world = demo_world()
    page, console = open_page(new_page, live_server.url, world["amara"])
    page.goto(f"{live_server.url}/groups/{world['riverside'].public_id}/")
    page.wait_for_function("window.htmx !== undefined")
    page.evaluate("window.__notReloaded = true")
    cards = page.locator("#board section[aria-labelledby=needs-heading] .cards > li")
    before = cards.count()

    with page.expect_response(lambda r: "/board/" in r.url and r.request.headers.get("hx-request") == "true"):
        page.select_option("#board select[name=urgency]", "critical")
    page.wait_for_url("**/board/?**urgency=critical**")
    assert 0 < cards.count() < before
    assert all("critical" in (cards.nth(i).inner_html()) for i in range(cards.count()))
    assert page.evaluate("window.__notReloaded === true"), "the filter reloaded the whole page instead of swapping"
    # A boosted link is fetched by htmx too, and the policy still holds on the page it brings.
    page.get_by_role("link", name="Members").first.click()
    page.wait_for_url("**/members/")
    assert page.evaluate("window.__notReloaded === true")
    assert not page.evaluate("window.__cspViolations") and not console
