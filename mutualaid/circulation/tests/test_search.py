"""Finding things (issue 11): search over the needs and offers a member may see, by words of their title and
description, in the member's language (PostgreSQL full-text search, SQLite FTS5), on the board, the needs list and
GET /api/v1/needs?q=, in one query however many needs there are."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from mutualaid.circulation import search, services
from mutualaid.circulation.models import URGENCY_RANK, Category, Need
from mutualaid.networks import services as networks
from mutualaid.tests.api_helpers import Api, ok

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted(group, member, helper):
    milk = services.need_create(actor=member, group=group, title="Groceries for the week", category="groceries",
                                quantity=2, description="Semi-skimmed milk and wholemeal bread")
    leche = services.need_create(actor=member, group=group, title="Compra para la semana", category="groceries",
                                 quantity=1, description="Leche semidesnatada y pan integral")
    ramp = services.need_create(actor=member, group=group, title="Wheelchair ramp repair", category="household-repair",
                                quantity=1)
    offer = services.offer_create(actor=helper, group=group, title="Spare milk crates", category="other", quantity=4,
                                  description="Sturdy, for carrying shopping")
    return {"milk": milk, "leche": leche, "ramp": ramp, "offer": offer}


def _titles(needs) -> set[str]:
    return {n.title for n in needs}


def test_words_of_the_description_find_a_need_and_stems_count(posted, member):
    with translation.override("en"):
        assert _titles(services_needs(member, "milk")) == {"Groceries for the week"}
        assert _titles(services_needs(member, "breads")) == {"Groceries for the week"}  # stemmed
        assert _titles(services_needs(member, "wheel")) == {"Wheelchair ramp repair"}  # the start of a word
        assert _titles(services_needs(member, "milk ramp")) == set()  # every word must be there
    with translation.override("es"):
        assert _titles(services_needs(member, "leche")) == {"Compra para la semana"}
        assert _titles(services_needs(member, "semidesnatada integral")) == {"Compra para la semana"}


def services_needs(member, q):
    from mutualaid.circulation import selectors
    return list(selectors.visible_needs(member, q=q))


def test_what_people_type_never_reaches_the_query_syntax(posted, member):
    for hostile in ('"', "milk\"*) OR (", "NOT AND", "*", "milk:* | !", "'; DROP TABLE x; --", "((("):
        list(services_needs(member, hostile))  # no error, whatever came of it
    assert search.words('milk") OR title:*') == ["milk", "or", "title"]


def test_the_board_searches_needs_and_offers_and_says_when_nothing_matches(client: Client, group, member, posted):
    client.force_login(member)
    page = client.get(reverse("group_board", args=[group.public_id]), {"q": "milk"}).content.decode()
    assert "Groceries for the week" in page and "Spare milk crates" in page
    assert "Wheelchair ramp repair" not in page and "Compra para la semana" not in page
    page = client.get(reverse("group_board", args=[group.public_id]), {"q": "wheelchair"}).content.decode()
    assert "Wheelchair ramp repair" in page and "No active offer has “wheelchair” in it." in page


def test_others_groups_needs_are_never_found(client: Client, posted, other_group, outsider):
    services.need_create(actor=outsider, group=other_group, title="Milk for the twins", category="groceries",
                         quantity=1)
    api = Api(networks.token_create(actor=outsider))
    assert [n["title"] for n in ok(api.get("/needs", {"q": "milk"}))["items"]] == ["Milk for the twins"]


def test_the_api_searches_in_the_callers_language(posted, member, group):
    api = Api(networks.token_create(actor=member))
    body = ok(api.get("/needs", {"q": "milk", "group": str(group.public_id)}))
    assert [n["title"] for n in body["items"]] == ["Groceries for the week"] and body["count"] == 1
    assert ok(api.get("/needs", {"q": ""}))["count"] == 3
    response = api.get("/needs", {"q": "x" * 201})
    assert response.status_code == 422


def test_an_erased_title_is_no_longer_found(posted, member):
    services.need_update(actor=member, need=posted["ramp"], changes={"title": "Ramp"})
    assert _titles(services_needs(member, "wheelchair")) == set()
    assert _titles(services_needs(member, "ramp")) == {"Ramp"}


def test_a_search_runs_the_same_queries_for_ten_needs_or_ten_thousand(client: Client, group, member,
                                                                      django_assert_max_num_queries):
    category = Category.objects.get(slug="food")

    def post(start: int, stop: int) -> None:
        Need.objects.bulk_create([
            Need(group=group, requester=member, created_by=member, title=f"Soup number {i}", category=category,
                 quantity=1, urgency="normal", urgency_rank=URGENCY_RANK["normal"],
                 description="Hot soup" if i % 100 == 0 else "Bread") for i in range(start, stop)], batch_size=2000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE circulation_need")

    def board():
        response = client.get(reverse("group_board", args=[group.public_id]), {"q": "hot soup"})
        assert response.status_code == 200
        return response

    post(0, 10)
    client.force_login(member)
    board()  # the session, warmed
    with django_assert_max_num_queries(12) as ten:
        assert board().context["board"].needs.paginator.count == 1
    post(10, 10_000)
    with django_assert_max_num_queries(len(ten.captured_queries)):
        assert board().context["board"].needs.paginator.count == 100
