"""With JavaScript on, what a person does says that it was done: trusting someone from the members page (htmx swaps
only that member's row) shows the confirmation too."""
from __future__ import annotations

import pytest

from mutualaid.networks import services as networks
from mutualaid.networks.models import Trust

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-passphrase-42"


def test_trusting_someone_with_htmx_says_so(live_server, new_page):
    founder = networks.user_register(username="amara", password=PASSWORD)
    newcomer = networks.user_register(username="elif", password=PASSWORD)
    group = networks.group_create(actor=founder, name="Riverside Pod")
    networks.group_join(actor=newcomer, group=group)

    page = new_page("en-GB")
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "amara")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(f"{live_server.url}/groups/{group.public_id}/members/")
    page.wait_for_function("() => window.htmx !== undefined")

    page.get_by_role("button", name="Trust to coordinate (elif)").click()
    page.locator("#messages", has_text="You trust elif to coordinate.").wait_for()
    page.get_by_role("button", name="Withdraw trust (elif)").wait_for()  # the row was swapped in place
    assert Trust.objects.filter(giver=founder, receiver=newcomer).exists()
