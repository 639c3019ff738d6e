"""The allocation page speaks plainly (issue 11): how many needs the suggestions meet in full and how many critical
ones get no help, in words, with the figures behind a disclosure; large numbers grouped, shares as percentages, and
a table that scrolls on a phone rather than breaking its words."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from mutualaid.circulation import services
from mutualaid.circulation.suggestions import services as suggestions

pytestmark = pytest.mark.django_db


def _page(client, owner, group) -> str:
    suggestions.suggestions_work_out(actor=owner, group=group)
    client.force_login(owner)
    response = client.get(reverse("group_allocation", args=[group.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_says_in_words_how_many_needs_are_met_and_which_critical_ones_are_not(client, group, owner,
                                                                                        member, helper):
    services.offer_create(actor=helper, group=group, title="Veg boxes", category="groceries", quantity=3)
    for title in ("Veg for Ana", "Veg for Ben"):
        services.need_create(actor=member, group=group, title=title, category="groceries", quantity=1)
    services.need_create(actor=member, group=group, title="A lift tonight", category="transport", quantity=1,
                         urgency="critical")  # nobody offers transport
    page = _page(client, owner, group)
    text = _text(page)
    assert "2 of 3 needs fully met, 1 critical need left without help." in text
    assert "First come, first served would fully meet 2, and leave 1 critical need without help." in text
    figures = page[page.index("<details"):page.index("</details>")]
    assert "The numbers behind this" in figures and "Units that reach someone" in figures
    assert "Urgency-weighted fulfilment" not in page
    assert 'class="table table--figures"' in figures  # kept on one line each; the table scrolls on a phone


def test_a_huge_need_reads_as_grouped_numbers_and_a_share_not_a_zero(client, group, owner, member, helper):
    services.offer_create(actor=helper, group=group, title="Soup", category="food", quantity=12)
    services.need_create(actor=member, group=group, title="Meals for the shelter", category="food",
                         quantity=100_000)
    page = _text(_page(client, owner, group))
    assert "0 of 1 need fully met; no critical need left without help." in page
    assert "12 of 100,000" in page and "100000" not in page
    assert "under 1 %" in page and "0.00" not in page
