"""The board is rendered once per change, not once per visit, and a member never sees it older than the data.

Each audited change to a group's needs, offers, matches, memberships or members' names stamps the group
(`audit.ScopeStamp`); the cached board is keyed on that stamp. These tests make every kind of change through the
services, then compare the board a member is shown with one rendered from scratch.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mutualaid.front import services as accounts
from mutualaid.audit.models import ScopeStamp
from mutualaid.audit.services import audited_atomic, scope_stamp
from mutualaid.circulation import services
from mutualaid.circulation.models import Match, Offer
from mutualaid.networks import services as networks
from mutualaid.networks.models import group_scope

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"  # conftest make_user


def board_of(client, group, params=None) -> str:
    """The board part of the group's page, as the member is shown it (a cached one when there is one)."""
    response = client.get(reverse("group_detail", args=[group.public_id]), params or {})
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<div id="board"')
    return html[start:html.index('<details class="disclosure section">', start)]


def fresh_board_of(client, group, params=None) -> str:
    cache.clear()
    return board_of(client, group, params)


def member_count_of(client, group) -> str:
    html = client.get(reverse("group_detail", args=[group.public_id])).content.decode()
    return re.search(r"<span>(\d+) members?</span>", html).group(1)


@pytest.fixture
def viewer(client, member):
    client.force_login(member)
    return client


def test_every_kind_of_change_shows_on_the_board_at_once(viewer, group, owner, member, helper, make_user):
    """After each change the cached board equals a freshly rendered one, and shows the change."""
    assert "No open needs right now." in board_of(viewer, group)

    def check(expect_in: str = "", expect_gone: str = "") -> str:
        shown = board_of(viewer, group)
        assert shown == fresh_board_of(viewer, group)
        if expect_in:
            assert expect_in in shown
        if expect_gone:
            assert expect_gone not in shown
        return shown

    need = services.need_create(actor=owner, group=group, title="Soup for the Tuesday table", category="food",
                                quantity=3, urgency="high", needed_by=timezone.now() + timedelta(days=2))
    check(expect_in="Soup for the Tuesday table")
    match = services.match_claim(actor=helper, need=need, quantity=2)
    assert "1 of 3" in check(expect_in="Partly matched")
    services.match_cancel(actor=helper, match=match, reason="My car broke down")
    assert "3 of 3" in check()
    match = services.match_claim(actor=helper, need=need, quantity=3)
    check(expect_in="Matched")
    services.match_complete(actor=owner, match=Match.objects.get(pk=match.pk))
    check(expect_gone="Soup for the Tuesday table")

    offer = services.offer_create(actor=helper, group=group, title="Van on weekends", category="transport",
                                  quantity=4)
    check(expect_in="Van on weekends")
    services.offer_set_status(actor=helper, offer=offer, status=Offer.Status.PAUSED)
    check(expect_gone="Van on weekends")
    services.offer_set_status(actor=helper, offer=Offer.objects.get(pk=offer.pk), status=Offer.Status.ACTIVE)
    check(expect_in="from hana")

    other = services.need_create(actor=member, group=group, title="Nappies, size 4", category="groceries",
                                 quantity=1)
    check(expect_in="Nappies, size 4")
    services.need_cancel(actor=member, need=other, reason="A neighbour brought some")
    check(expect_gone="Nappies, size 4")

    # The helper deletes their account: their name leaves the offer card (their offer is withdrawn).
    accounts.account_delete(actor=helper, password=PASSWORD)
    check(expect_gone="from hana")

    services.need_create(actor=owner, group=group, title="Bread before noon", category="groceries",
                         quantity=1, needed_by=timezone.now() + timedelta(minutes=5))
    check(expect_in="Bread before noon")
    services.needs_expire_overdue(now=timezone.now() + timedelta(hours=1))
    check(expect_gone="Bread before noon")


def test_the_member_count_follows_joins_and_leaves(viewer, group, make_user):
    assert member_count_of(viewer, group) == "2"
    newcomer = make_user("nia")
    networks.group_join(actor=newcomer, group=group)
    assert member_count_of(viewer, group) == "3"
    networks.group_leave(actor=newcomer, group=group)
    assert member_count_of(viewer, group) == "2"


def test_filters_pages_and_languages_each_get_their_own_board(viewer, group, owner):
    services.need_create(actor=owner, group=group, title="Oat milk", category="groceries", quantity=1,
                         urgency="low")
    services.need_create(actor=owner, group=group, title="Insulin pick-up", category="medicine-pickup", quantity=1,
                         urgency="critical")
    everything = board_of(viewer, group)
    assert "Oat milk" in everything and "Insulin pick-up" in everything
    critical = board_of(viewer, group, {"urgency": "critical"})
    assert "Insulin pick-up" in critical and "Oat milk" not in critical
    assert "Oat milk" in board_of(viewer, group)  # the unfiltered board did not become the filtered one
    spanish = viewer.get(reverse("group_detail", args=[group.public_id]), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Necesidades" in spanish and "Needs" not in spanish.split('<div id="board"')[1].split("</section>")[0]


def test_a_second_visit_does_not_read_the_board_again(viewer, group, owner):
    for i in range(5):
        services.need_create(actor=owner, group=group, title=f"Need {i}", category="food", quantity=1)
    path = reverse("group_detail", args=[group.public_id])
    with CaptureQueriesContext(connection) as first:
        viewer.get(path)
    with CaptureQueriesContext(connection) as second:
        response = viewer.get(path)
    assert "Need 4" in response.content.decode()
    board_tables = ("circulation_need", "circulation_offer")
    assert any(t in q["sql"] for q in first.captured_queries for t in board_tables)
    assert not any(t in q["sql"] for q in second.captured_queries for t in board_tables)
    assert len(second.captured_queries) < len(first.captured_queries)


def test_an_outsider_never_gets_the_members_board(client, group, owner, member, outsider):
    services.need_create(actor=owner, group=group, title="Private: rent help", category="food", quantity=1)
    client.force_login(member)
    assert "Private: rent help" in client.get(reverse("group_detail", args=[group.public_id])).content.decode()
    client.force_login(outsider)
    page = client.get(reverse("group_detail", args=[group.public_id])).content.decode()
    assert "Private: rent help" not in page and 'id="board"' not in page
    client.logout()
    page = client.get(reverse("group_detail", args=[group.public_id])).content.decode()
    assert "Private: rent help" not in page and 'id="board"' not in page


# --- The stamps themselves ---------------------------------------------------------------------------


def test_a_change_stamps_its_group_and_only_its_group(group, other_group, owner):
    before, other_before = scope_stamp(group_scope(group.pk)), scope_stamp(group_scope(other_group.pk))
    assert before and other_before  # creating a group is an audited change to it
    services.need_create(actor=owner, group=group, title="Blankets", category="groceries", quantity=2)
    assert scope_stamp(group_scope(group.pk)) not in {"", before}
    assert scope_stamp(group_scope(other_group.pk)) == other_before


def test_reading_notifications_stamps_no_board(group, owner, member):
    before = scope_stamp(group_scope(group.pk))
    networks.notifications_mark_read(actor=member)
    networks.user_update_settings(actor=member, language="es")
    assert scope_stamp(group_scope(group.pk)) == before


def test_a_change_that_fails_leaves_the_stamp_as_it_was(group, owner):
    before = scope_stamp(group_scope(group.pk))
    with pytest.raises(RuntimeError), audited_atomic():
        services.need_create(actor=owner, group=group, title="Never posted", category="food", quantity=1)
        raise RuntimeError("the request failed after the service ran")
    assert scope_stamp(group_scope(group.pk)) == before
    assert ScopeStamp.objects.filter(scope=group_scope(group.pk)).count() == 1
