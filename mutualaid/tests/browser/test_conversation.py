"""The requester and the helper talk on their match, each in their own browser, at a desktop's and a phone's width."""
from __future__ import annotations

import pytest

from mutualaid.circulation import services as circulation
from mutualaid.networks import services as networks
from mutualaid.tests.browser.pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-passphrase-42"


def _sign_in(page, base: str, username: str) -> None:
    log_in(page, base, username, PASSWORD)


def _riverside(requester: str, helper: str):
    """Riverside Pod, founded by Amara, who vouched for the two others: (group, requester, helper)."""
    coordinator = networks.user_register(username="amara", password=PASSWORD)
    people = [networks.user_register(username=name, password=PASSWORD) for name in (requester, helper)]
    group = networks.group_create(actor=coordinator, name="Riverside Pod")
    for person in people:
        networks.group_join(actor=person, group=group)
        networks.trust_give(actor=coordinator, group=group, receiver=person)
    return group, *people


def _page(new_page, locale: str, width: int):
    page = new_page(locale)
    page.set_viewport_size({"width": width, "height": 800})
    return page


def _fits(page, width: int) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    assert overflow <= width, f"the page is {overflow} px wide at {width} px"


@pytest.mark.parametrize("width", [1280, 360])
def test_requester_and_helper_exchange_messages_on_a_match(live_server, new_page, width):
    group, requester, helper = _riverside("elif", "fatima")
    need = circulation.need_create(actor=requester, group=group, title="Nappies, size 4", category="hygiene",
                                   quantity=2)  # no phone, no e-mail: the conversation is the way to reach her
    circulation.match_claim(actor=helper, need=need, quantity=1)

    fatima = _page(new_page, "en-GB", width)
    _sign_in(fatima, live_server.url, "fatima")
    fatima.goto(f"{live_server.url}/needs/{need.public_id}/")
    fatima.get_by_role("link", name="Write to the requester", exact=True).click()
    fatima.get_by_role("heading", name="Conversation").wait_for()
    fatima.get_by_label("Your message").fill("I have one pack. Shall I come round at six?")
    fatima.get_by_role("button", name="Send").click()
    fatima.locator("#messages", has_text="Your message is sent.").wait_for()
    fatima.locator("#latest", has_text="Shall I come round at six?").wait_for()
    _fits(fatima, width)

    elif_ = _page(new_page, "es-ES", width)
    _sign_in(elif_, live_server.url, "elif")
    elif_.goto(f"{live_server.url}/notifications/")
    elif_.get_by_text("fatima te ha escrito sobre «Nappies, size 4».").wait_for()
    elif_.goto(f"{live_server.url}/needs/{need.public_id}/")
    elif_.get_by_role("link", name="Escribe a fatima").click()
    elif_.locator(".thread", has_text="Shall I come round at six?").wait_for()
    elif_.get_by_label("Tu mensaje").fill("¡Perfecto, gracias! El timbre no va: llama a la puerta.")
    elif_.get_by_role("button", name="Enviar").click()
    elif_.locator("#messages", has_text="Tu mensaje se ha enviado.").wait_for()
    _fits(elif_, width)

    fatima.reload()
    fatima.locator("#latest", has_text="El timbre no va").wait_for()
    thread = fatima.locator(".thread li").all_inner_texts()
    assert len(thread) == 2 and "You" in thread[0] and "elif" in thread[1] and "requester" in thread[1]


@pytest.mark.parametrize("width", [1280, 360])
def test_a_requester_changes_the_quantity_and_the_helper_is_told(live_server, new_page, width):
    group, requester, helper = _riverside("elif", "fatima")
    need = circulation.need_create(actor=requester, group=group, title="Nappies, size 4", category="hygiene",
                                   quantity=2)
    circulation.match_claim(actor=helper, need=need, quantity=1)

    elif_ = _page(new_page, "en-GB", width)
    _sign_in(elif_, live_server.url, "elif")
    elif_.goto(f"{live_server.url}/needs/{need.public_id}/")
    elif_.get_by_role("link", name="Change this need…").click()
    elif_.get_by_role("heading", name="Change your need").wait_for()
    elif_.get_by_label("How many kits?").fill("0")
    elif_.get_by_role("button", name="Save the changes").click()
    elif_.get_by_text("The quantity must be at least 1.").first.wait_for()  # said beside the field, nothing saved
    elif_.get_by_label("How many kits?").fill("4")
    elif_.get_by_role("button", name="Save the changes").click()
    elif_.locator("#messages", has_text="Your changes are saved.").wait_for()
    elif_.get_by_text("Still needed").wait_for()
    assert elif_.locator("dt:has-text('Still needed') + dd").inner_text().strip() == "3"
    _fits(elif_, width)

    fatima = _page(new_page, "es-ES", width)
    _sign_in(fatima, live_server.url, "fatima")
    fatima.goto(f"{live_server.url}/notifications/")
    fatima.get_by_text("«Nappies, size 4», en la que ayudas, ha cambiado (la cantidad)").wait_for()
    _fits(fatima, width)


@pytest.mark.parametrize("width", [1280, 360])
def test_a_member_asks_for_an_offer_and_the_helper_says_yes(live_server, new_page, width):
    group, requester, helper = _riverside("elif", "jamal")
    circulation.offer_create(actor=helper, group=group, title="Fixing bikes and small repairs",
                             category="household-repair", quantity=3)

    elif_ = _page(new_page, "en-GB", width)
    _sign_in(elif_, live_server.url, "elif")
    elif_.goto(f"{live_server.url}/groups/{group.public_id}/")
    elif_.get_by_role("link", name="Fixing bikes and small repairs").click()
    elif_.get_by_role("heading", name="I'd like this").wait_for()
    elif_.get_by_label("What is it for? (optional)").fill("My back brake squeaks")
    elif_.get_by_role("button", name="Ask for it").click()
    elif_.locator("#messages", has_text="You asked jamal for 1 job.").wait_for()
    elif_.get_by_text("Waiting for the helper").wait_for()
    _fits(elif_, width)
    need_url = elif_.url

    jamal = _page(new_page, "en-GB", width)
    _sign_in(jamal, live_server.url, "jamal")
    jamal.goto(f"{live_server.url}/notifications/")
    jamal.get_by_text("elif would like 1 from your offer “Fixing bikes and small repairs”").wait_for()
    jamal.goto(need_url)
    jamal.get_by_role("button", name="Yes, I will bring it").click()
    jamal.get_by_role("heading", name="Contact details").wait_for()  # shown once he said yes
    _fits(jamal, width)

    elif_.goto(f"{live_server.url}/notifications/")
    elif_.get_by_text("jamal will bring 1 for your need “Fixing bikes and small repairs”.").wait_for()
