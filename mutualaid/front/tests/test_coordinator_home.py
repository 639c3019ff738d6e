"""Coordinators see their work on their home page (issue 11): applications to decide, newcomers' claims to accept,
needs nobody has taken on with half their time gone, members suspended; and the navigation links to the pages they
can use."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mutualaid.circulation import services as circulation
from mutualaid.circulation.models import Need
from mutualaid.networks import services as networks
from mutualaid.networks.models import Group

pytestmark = pytest.mark.django_db


def _home(client: Client, user) -> str:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def busy(group, owner, member, make_user):
    """Northside with one of everything waiting for its founder, Olga."""
    Group.objects.filter(pk=group.pk).update(is_open=False)
    group.refresh_from_db()
    applicant = make_user("ada")
    networks.application_submit(actor=applicant, group=group, answers=[])
    newcomer = make_user("nina")
    Group.objects.filter(pk=group.pk).update(is_open=True)
    group.refresh_from_db()
    networks.group_join(actor=newcomer, group=group)
    claimed = circulation.need_create(actor=member, group=group, title="Soup for two", category="food", quantity=2)
    circulation.match_claim(actor=newcomer, need=claimed, quantity=1)  # a newcomer's claim: proposed
    late = circulation.need_create(actor=member, group=group, title="A lift to the clinic", category="transport",
                                   quantity=1, needed_by=timezone.now() + timedelta(days=1))
    Need.objects.filter(pk=late.pk).update(created_at=timezone.now() - timedelta(days=3))  # three quarters gone
    circulation.need_create(actor=member, group=group, title="Winter coat", category="clothing", quantity=1,
                            needed_by=timezone.now() + timedelta(days=30))  # most of its time still ahead
    suspended = make_user("sam")
    networks.group_join(actor=suspended, group=group)
    networks.suspension_create(actor=owner, group=group, user=suspended, reason="Asked for addresses")
    return group


def test_a_coordinators_home_page_lists_what_waits_for_them(client: Client, busy, owner):
    page = _home(client, owner)
    assert "Waiting for you as a coordinator" in page
    assert f"/groups/{busy.public_id}/applications/" in page and "1 application to decide" in page
    assert "nina's claim on “Soup for two” waits for acceptance" in page
    assert "A lift to the clinic" in page and "Nobody has taken it on yet" in page
    assert "Winter coat" not in page  # most of its time is still ahead
    assert "1 member suspended" in page and "sam" in page
    assert f"/groups/{busy.public_id}/allocation/" in page
    assert 'href="/allocation/"' in page  # in the navigation, for whoever coordinates a group


def test_a_member_sees_no_coordinators_work_and_no_allocation_link(client: Client, busy, member):
    page = _home(client, member)
    assert "Waiting for you as a coordinator" not in page and "application to decide" not in page
    assert 'href="/allocation/"' not in page
    assert 'href="/me/suggestions/"' in page  # "Needs you could meet", in everyone's navigation


def test_nothing_waiting_says_so(client: Client, group, owner):
    page = _home(client, owner)
    assert "Nothing is waiting for you here." in page


def test_the_work_costs_the_same_queries_for_one_group_or_many(client: Client, busy, owner, make_user,
                                                               django_assert_max_num_queries):
    client.force_login(owner)
    with django_assert_max_num_queries(20) as one:
        client.get("/")
    for i in range(4):  # four more groups Olga founded, each with a claim waiting and an application
        group = networks.group_create(actor=owner, name=f"Pod {i}")
        newcomer = make_user(f"new{i}")
        networks.group_join(actor=newcomer, group=group)
        need = circulation.need_create(actor=owner, group=group, title=f"Need {i}", category="food", quantity=2)
        circulation.match_claim(actor=newcomer, need=need, quantity=1)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/").content.decode()
    assert page.count("waits for acceptance") == 5


def test_a_coordinator_is_asked_to_name_the_groups_areas_until_there_are_some(client: Client, group, owner, member):
    client.force_login(owner)
    areas_url = reverse("group_areas", args=[group.public_id])
    page = client.get("/").content.decode()
    assert f'<a href="{areas_url}">Name the group\'s areas</a>, so that people pick a place' in page
    networks.area_add(actor=owner, group=group, name="Elm Road")
    assert areas_url not in client.get("/").content.decode()
    client.force_login(member)  # not a coordinator: not asked
    assert areas_url not in client.get("/").content.decode()
