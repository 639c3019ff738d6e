"""The board and the need lists run a fixed number of queries, whatever the amount of data."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mutualaid.circulation import services
from mutualaid.circulation.models import Match, Need
from mutualaid.circulation.tests.rows import add_needs, add_offers
from mutualaid.networks import services as networks

pytestmark = pytest.mark.django_db


def count_queries(client, path, params=None) -> int:
    cache.clear()  # rows added with bulk_create bypass the services, so they stamp no cached board stale
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"category": "food"}, {"urgency": "high", "page": "2"}])
def test_the_group_board_runs_the_same_queries_for_10_and_200_needs(client, group, member, people,
                                                                    django_assert_num_queries, params):
    client.force_login(member)
    path = reverse("group_board", args=[group.public_id])
    add_needs(group, people, 10)
    add_offers(group, people, 5)
    small = count_queries(client, path, params)
    add_needs(group, people, 190)
    add_offers(group, people, 95)
    cache.clear()
    with django_assert_num_queries(small):
        response = client.get(path, params)
    assert response.status_code == 200
    assert response.context["needs"].paginator.count > 10 or params


def test_the_group_page_runs_the_same_queries_for_10_and_200_needs(client, group, member, people,
                                                                   django_assert_num_queries):
    client.force_login(member)
    path = reverse("group_detail", args=[group.public_id])
    add_needs(group, people, 10)
    add_offers(group, people, 5)
    small = count_queries(client, path)
    add_needs(group, people, 190)
    add_offers(group, people, 95)
    cache.clear()
    with django_assert_num_queries(small):
        client.get(path)


def test_the_need_list_runs_the_same_queries_for_10_and_200_needs(client, group, other_group, member, people,
                                                                  outsider, django_assert_num_queries):
    networks.group_join(actor=member, group=other_group)
    client.force_login(member)
    path = reverse("need_list")
    add_needs(group, people, 10)
    small = count_queries(client, path)
    add_needs(group, people, 150)
    add_needs(other_group, [outsider], 40)
    with django_assert_num_queries(small):
        response = client.get(path)
    assert response.context["needs"].paginator.count == 200


def test_my_posts_and_my_matches_run_the_same_queries_for_few_and_many(client, group, member, people,
                                                                        django_assert_num_queries):
    client.force_login(member)
    add_needs(group, [member], 3)
    add_offers(group, [member], 3)
    for need in Need.objects.filter(requester=member)[:3]:
        services.match_claim(actor=people[0], need=need, quantity=1)
    posts, matches = reverse("my_posts"), reverse("my_matches")
    small_posts, small_matches = count_queries(client, posts), count_queries(client, matches)
    add_needs(group, [member], 60)
    add_offers(group, [member], 60)
    for i, need in enumerate(Need.objects.filter(requester=member, quantity_claimed=0)[:30]):
        services.match_claim(actor=people[i % 5], need=need, quantity=1)
    with django_assert_num_queries(small_posts):
        client.get(posts)
    with django_assert_num_queries(small_matches):
        client.get(matches)


def test_a_need_page_runs_the_same_queries_for_1_and_20_matches(client, group, owner, people,
                                                                django_assert_num_queries):
    need = services.need_create(actor=owner, group=group, title="Many hands", category="food", quantity=40)
    client.force_login(owner)
    path = reverse("need_detail", args=[need.public_id])
    services.match_claim(actor=people[0], need=need, quantity=1)
    small = count_queries(client, path)
    for i in range(19):
        services.match_claim(actor=people[i % 5], need=need, quantity=1)
    assert Match.objects.filter(need=need).count() == 20
    with django_assert_num_queries(small):
        client.get(path)


def test_the_api_need_list_runs_the_same_queries_for_10_and_200_needs(client, group, member, people):
    token = networks.token_create(actor=member)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def api_queries(params):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/needs", params, **auth)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()

    add_needs(group, people, 10)
    small, body = api_queries({"group": str(group.public_id)})
    assert body["count"] == 10
    add_needs(group, people, 190)
    large, body = api_queries({"group": str(group.public_id)})
    assert body["count"] == 200 and len(body["items"]) == 20
    assert small == large
