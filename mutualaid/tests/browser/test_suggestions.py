"""A helper accepts a suggestion in the browser, and it becomes a match."""
from __future__ import annotations

import pytest

from mutualaid.circulation import services as circulation
from mutualaid.circulation.models import Match
from mutualaid.circulation.suggestions import services as suggestions
from mutualaid.networks import services as networks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-passphrase-42"


def test_a_helper_accepts_a_suggested_need_and_it_becomes_a_match(live_server, new_page):
    coordinator = networks.user_register(username="amara", password=PASSWORD)
    helper = networks.user_register(username="ben", password=PASSWORD)
    group = networks.group_create(actor=coordinator, name="Riverside Pod", lat=51.46, lon=-0.11)
    networks.group_join(actor=helper, group=group)
    networks.trust_give(actor=coordinator, group=group, receiver=helper)  # a member: his claims confirm at once
    circulation.offer_create(actor=helper, group=group, title="Veg boxes", category="groceries", quantity=2,
                             lat=51.461, lon=-0.112, max_distance_km=4)
    need = circulation.need_create(actor=coordinator, group=group, title="Food for a family of five",
                                   category="groceries", quantity=2, urgency="critical", lat=51.462, lon=-0.115,
                                   on_behalf=True, contact={"name": "Mrs. Okafor", "phone": "+44 20 7946 0011"})
    suggestions.suggestions_work_out_all()  # as the worker does: the page shows what it stored

    page = new_page("en-GB")
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "ben")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)

    page.get_by_role("link", name="Needs you could meet").click()
    page.wait_for_url("**/me/suggestions/")
    card = page.locator(".card", has_text="Food for a family of five")
    assert "2 bags from your offer “Veg boxes”" in card.inner_text()
    assert not Match.objects.exists()  # nothing is claimed before the helper says yes

    card.get_by_role("button", name="Yes, I will bring it").click()
    page.wait_for_url(f"**/needs/{need.public_id}/")
    page.locator(".page-header .badge--matched").wait_for()
    assert "Mrs. Okafor" in page.content()  # now matched: the helper sees how to reach her
    match = Match.objects.get(need=need)
    assert (match.helper, match.quantity, match.offer.title) == (helper, 2, "Veg boxes")
