"""A coordinator's home page lists what waits for them, and the way to it, at a desktop's and a phone's width."""
from __future__ import annotations

import pytest

from mutualaid.networks import services as networks
from mutualaid.tests.browser.pages import log_in
from mutualaid.networks.models import Group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-passphrase-42"


@pytest.mark.parametrize("width", [1280, 360])
def test_a_coordinators_home_page_lists_a_waiting_application(live_server, new_page, width):
    coordinator = networks.user_register(username="amara", password=PASSWORD)
    applicant = networks.user_register(username="ben", password=PASSWORD)
    group = networks.group_create(actor=coordinator, name="Hillcrest Commons", is_open=False,
                                  application_questions=["Which street do you live on?"])
    networks.application_submit(actor=applicant, group=group, answers=["Elm Road"])
    assert Group.objects.get(pk=group.pk).is_open is False

    page = new_page("en-GB")
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, live_server.url, "amara", PASSWORD)
    page.goto(f"{live_server.url}/")
    work = page.get_by_role("region", name="Waiting for you as a coordinator")
    work.get_by_role("link", name="1 application to decide").click()
    page.get_by_text("Elm Road").wait_for()  # the applications page, with the applicant's answer
    assert page.url.endswith(f"/groups/{group.public_id}/applications/")
    page.get_by_role("link", name="Allocation").first.wait_for()  # in the navigation, for a coordinator
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
