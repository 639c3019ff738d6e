"""A need's page and the signed-in home page run a fixed, known number of queries, for few rows and for many.

The numbers count every query of a visit: the session and the signed-in user (2), the unread-notification count of
the navigation (1), and the page's own reads, listed in each test. Every visit makes its page: nothing is kept.
"""
from __future__ import annotations

import pytest
from django.urls import reverse

from mutualaid.circulation import services
from mutualaid.circulation.models import Match, Need
from mutualaid.networks import services as networks

pytestmark = pytest.mark.django_db

REQUEST = 3  # session, user, the navigation (unread notifications, and whether they coordinate a group)


def get(client, user, path, django_assert_num_queries, queries):
    client.force_login(user)
    with django_assert_num_queries(queries):
        response = client.get(path)
    assert response.status_code == 200
    return response


# --- A need's page --------------------------------------------------------------------------------

# The need with its group, category, requester and author (1), its matches with their helpers (1), the viewer's
# membership (1); then, by what the viewer may do: the contact details (1), the viewer's offers for a claim (1), the
# group's other needs and the network's other groups for a coordinator's duplicate and referral forms (2).
NEED = REQUEST + 3


def claims(need, helpers, count):
    for i in range(count):
        services.match_claim(actor=helpers[i % len(helpers)], need=need, quantity=1)


def test_need_page_for_a_helper_with_a_match_in_progress(client, group, member, people,
                                                         django_assert_num_queries):
    need = services.need_create(actor=member, group=group, title="Many hands", category="food", quantity=60,
                                contact={"phone": "+44 7700 900123"})
    helper, path = people[0], reverse("need_detail", args=[need.public_id])
    for offer in range(2):
        services.offer_create(actor=helper, group=group, title=f"Soup {offer}", category="food", quantity=3)
    claims(need, [helper], 1)
    # contact, view recorded, may claim, offers
    response = get(client, helper, path, django_assert_num_queries, NEED + 4)
    assert "+44 7700 900123" in response.content.decode()
    for offer in range(10):
        services.offer_create(actor=helper, group=group, title=f"Bread {offer}", category="food", quantity=3)
    claims(need, people, 30)
    assert Match.objects.filter(need=need).count() == 31
    response = get(client, helper, path, django_assert_num_queries, NEED + 4)
    assert "+44 7700 900123" in response.content.decode()


def test_need_page_for_a_member_who_may_not_see_the_contact(client, group, member, people,
                                                            django_assert_num_queries):
    need = services.need_create(actor=member, group=group, title="Many hands", category="food", quantity=60,
                                contact={"phone": "+44 7700 900123"})
    viewer, path = people[5], reverse("need_detail", args=[need.public_id])
    get(client, viewer, path, django_assert_num_queries, NEED + 2)  # may they claim, offers
    claims(need, people[:5], 30)
    response = get(client, viewer, path, django_assert_num_queries, NEED + 2)
    assert "+44 7700 900123" not in response.content.decode()


def test_need_page_for_its_requester(client, group, member, people, django_assert_num_queries):
    need = services.need_create(actor=member, group=group, title="Many hands", category="food", quantity=60)
    path = reverse("need_detail", args=[need.public_id])
    get(client, member, path, django_assert_num_queries, NEED + 2)  # contact, who saw it
    claims(need, people, 30)
    get(client, member, path, django_assert_num_queries, NEED + 2)


def test_need_page_for_a_coordinator(client, group, owner, member, people, django_assert_num_queries):
    need = services.need_create(actor=member, group=group, title="Many hands", category="food", quantity=60)
    path = reverse("need_detail", args=[need.public_id])
    get(client, owner, path, django_assert_num_queries, NEED + 5)  # contact, view recorded, who saw it, may claim,
    # offers (the duplicate and referral forms, which read the group's needs and the network's groups, are on demand)
    claims(need, people, 30)
    for i in range(30):
        services.need_create(actor=member, group=group, title=f"Other need {i}", category="food", quantity=1)
    for i in range(5):
        networks.group_create(actor=people[i], name=f"Pod {i}")
    get(client, owner, path, django_assert_num_queries, NEED + 5)


# --- The home page --------------------------------------------------------------------------------

# The user's groups (1), their open needs with how many there are (1), the ids of the needs they asked for (1), and
# their matches in progress with how many there are (1).
HOME = REQUEST + 4
HOME_COORDINATING = HOME + 4  # and what waits for them: applications, suspensions, claims to accept, unmet needs


def test_home_page_runs_the_same_queries_for_few_and_many(client, group, other_group, member, people,
                                                          django_assert_num_queries):
    networks.group_join(actor=member, group=other_group)
    response = get(client, member, "/", django_assert_num_queries, HOME)
    assert response.context["open_needs_count"] == 0 and response.context["live_matches_count"] == 0

    own = [services.need_create(actor=member, group=group, title=f"Need {i}", category="food", quantity=3)
           for i in range(25)]
    for need in own[:15]:
        claims(need, people, 2)  # the member's side of 30 matches
    others = services.need_create(actor=people[0], group=group, title="Someone else's", category="food", quantity=40)
    for i in range(20):
        services.match_claim(actor=member, need=others, quantity=1)  # and 20 as a helper
    response = get(client, member, "/", django_assert_num_queries, HOME)
    assert response.context["open_needs_count"] == 25 and len(response.context["open_needs"]) == 10
    assert response.context["live_matches_count"] == 50 and len(response.context["live_matches"]) == 10


def test_home_page_counts_what_it_lists(client, group, owner, member, people, django_assert_num_queries):
    """The counts cover every open need (proxy intake included) and every match in progress, not only those shown."""
    proxy = services.need_create(actor=owner, group=group, title="For a neighbour", category="food", quantity=5,
                                 on_behalf=True, contact={"name": "Ana"})
    closed = services.need_create(actor=owner, group=group, title="Done", category="food", quantity=1)
    services.need_cancel(actor=owner, need=closed)
    match = services.match_claim(actor=people[0], need=proxy, quantity=1)
    cancelled = services.match_claim(actor=people[1], need=proxy, quantity=1)
    services.match_cancel(actor=people[1], match=cancelled, reason="Cannot make it")
    response = get(client, owner, "/", django_assert_num_queries, HOME_COORDINATING)
    assert [n.pk for n in response.context["open_needs"]] == [proxy.pk]
    assert response.context["open_needs_count"] == 1
    # A need entered for someone else: its matches are the helpers', not the coordinator's.
    assert response.context["live_matches_count"] == 0
    response = get(client, people[0], "/", django_assert_num_queries, HOME)
    assert [m.pk for m in response.context["live_matches"]] == [match.pk]
    assert response.context["live_matches_count"] == 1
    assert Need.objects.filter(pk=closed.pk, status=Need.Status.CANCELLED).exists()
