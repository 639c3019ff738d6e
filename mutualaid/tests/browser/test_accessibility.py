"""Accessibility (WCAG 2.1 AA) in a real browser.

axe-core (mutualaid/tests/browser/vendor/axe-4.14.1.min.js, from the npm package axe-core 4.14.1; a test-only file,
never served) checks every main page, logged out and logged in as a coordinator, in English and Spanish; any serious
or critical violation fails the test, listed readably. A second test posts a need with the keyboard alone and checks
that the focus is always visible.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from mutualaid.circulation.models import Need
from mutualaid.networks import services as networks
from mutualaid.tests.browser.pages import applicant_pages, coordinator_pages, demo_world, public_pages, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
RUN_AXE = """async () => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    resultTypes: ["violations"],
  });
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""
FAILING = {"serious", "critical"}


def audit(page) -> list[dict]:
    return page.evaluate(RUN_AXE)  # axe is loaded into every page by the context's init script


def describe(where: str, violation: dict) -> str:
    lines = [f"{where}: [{violation['impact']}] {violation['id']}: {violation['help']}"]
    for node in violation["nodes"][:5]:
        summary = " ".join(node["summary"].split())
        lines.append(f"    at {node['target']}: {summary}")
    return "\n".join(lines)


# Forms also checked after sending them empty, as they come back with their errors.
SUBMIT_EMPTY = {"log in", "sign up", "post a need", "change password", "forgot password"}


def audit_page(page, where: str, serious: list, minor: list) -> None:
    for violation in audit(page):
        (serious if violation["impact"] in FAILING else minor).append(describe(where, violation))


def test_main_pages_have_no_serious_accessibility_violations(live_server, new_page):
    world = demo_world()
    serious, minor = [], []
    for locale in ("en-GB", "es-ES"):
        lang = locale[:2]
        for who, user, pages in (("logged out", None, public_pages(world)),
                                 ("coordinator", world["amara"], coordinator_pages(world)),
                                 ("coordinator", world["gus"], applicant_pages(world))):
            page = new_page(locale)
            page.context.add_init_script(AXE)  # injected by the browser itself: not subject to the page's CSP
            if user is not None:
                sign_in(page.context, user, live_server.url)
            for name, path in pages.items():
                page.goto(live_server.url + path)
                assert page.locator("html").get_attribute("lang") == lang, f"{name} is not in {lang}"
                if name in SUBMIT_EMPTY:  # the form as it comes back with its errors shown
                    audit_page(page, f"{name} ({who}, {lang}) {path}", serious, minor)
                    page.locator("main form.form button[type=submit]").last.click()
                    page.locator(".errorlist, .form-errors").first.wait_for()
                    name += ", with errors"
                audit_page(page, f"{name} ({who}, {lang}) {path}", serious, minor)
            page.context.close()
    if minor:
        print("Moderate or minor accessibility findings (not failing):\n" + "\n".join(minor))
    assert not serious, "Serious or critical accessibility violations:\n" + "\n".join(serious)


# --- The keyboard alone --------------------------------------------------------------------------

FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), name: el.name || el.id || (el.textContent || "").trim().slice(0, 40),
          outline: style.outlineStyle, outlineWidth: style.outlineWidth};
}"""


def tab_to(page, matches, focused: list, limit: int = 60) -> dict:
    """Press Tab until the focused element satisfies `matches`; record every element focused on the way."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUS_STYLE)
        if info is None:
            continue
        focused.append(info)
        if matches(info):
            return info
    raise AssertionError(f"Tab never reached the element; focused: {[f['name'] for f in focused[-10:]]}")


def test_posting_a_need_with_the_keyboard_alone(live_server, new_page):
    neighbour = networks.user_register(username="keyboard", password="a-long-passphrase-42")
    group = networks.group_create(actor=neighbour, name="Keyboard Pod", location_name="Riverside")
    page = new_page("en-GB")
    sign_in(page.context, neighbour, live_server.url)
    page.goto(live_server.url + "/")
    focused: list[dict] = []

    # The first Tab lands on the skip link, then the header's links; on to "Ask for help".
    first = tab_to(page, lambda f: True, focused)
    assert first["tag"] == "a" and "Skip to the content" in first["name"]
    tab_to(page, lambda f: f["tag"] == "a" and f["name"].startswith("Ask for help"), focused)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/groups/{group.public_id}/needs/new/")
    page.get_by_role("heading", name="Ask for help").wait_for()

    tab_to(page, lambda f: f["name"] == "title", focused)
    page.keyboard.type("Help carrying shopping upstairs")
    tab_to(page, lambda f: f["name"] == "category", focused)
    page.keyboard.type("Groceries")  # a closed select picks the option typed
    tab_to(page, lambda f: f["name"] == "quantity", focused)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("2")
    tab_to(page, lambda f: f["name"] == "contact_phone", focused)
    page.keyboard.type("+44 7700 900555")
    page.keyboard.press("Enter")  # Enter in a text field submits its form

    page.wait_for_url(re.compile(r".*/needs/[0-9a-f-]{36}/$"))
    page.get_by_role("heading", name="Help carrying shopping upstairs").wait_for()
    need = Need.objects.get(group=group)
    assert (need.title, need.category.slug, need.quantity) == ("Help carrying shopping upstairs", "groceries", 2)

    hidden = [f for f in focused if f["outline"] == "none" or f["outlineWidth"] in ("0px", "")]
    assert not hidden, f"focus not visible on: {hidden}"
    assert len(focused) >= 8
