"""Standings earned by trust: newcomer, member, coordinator; what fake accounts cannot earn (issue 9, findings 1
and 12)."""
from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from mutualaid.networks import selectors, services
from mutualaid.networks.models import Membership, Notification
from mutualaid.networks.selectors import group_standings

from mutualaid.audit.tests.helpers import chain_stays_valid  # noqa: F401

from mutualaid.networks.tests.helpers import role
from mutualaid.networks import notices as networks_notices

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chain_stays_valid")]


def test_four_fresh_sign_ups_cannot_make_one_of_them_coordinator(owner, join):
    """Finding 1: three fake accounts trusting a fourth made it coordinator, reading every contact detail."""
    group = services.group_create(actor=owner, name="Open Pod")
    honest = [join(group) for _ in range(3)]
    for person in honest:
        services.trust_give(actor=owner, group=group, receiver=person)
    sybils = [join(group) for _ in range(4)]
    for giver in sybils[:3]:
        services.trust_give(actor=giver, group=group, receiver=sybils[3])
    for giver in sybils:  # and every other way round
        for receiver in sybils:
            if giver != receiver and not (receiver == sybils[3] and giver in sybils[:3]):
                services.trust_give(actor=giver, group=group, receiver=receiver)
    assert {role(s, group) for s in sybils} == {Membership.Role.NEWCOMER}
    assert group_standings(group)[sybils[3].pk] == (Membership.Role.NEWCOMER, 0)


def test_one_honest_edge_into_a_cluster_gives_it_one_unit_of_trust_at_most(owner, join):
    group = services.group_create(actor=owner, name="Bridge Pod")
    honest = [join(group) for _ in range(3)]
    for person in honest:
        services.trust_give(actor=owner, group=group, receiver=person)
    sybils = [join(group) for _ in range(6)]
    services.trust_give(actor=honest[0], group=group, receiver=sybils[0])  # one person was fooled once
    for giver in sybils:
        for receiver in sybils:
            if giver != receiver and receiver != sybils[0]:
                services.trust_give(actor=giver, group=group, receiver=receiver)
    standings = group_standings(group)
    assert max(standings[s.pk][1] for s in sybils) == 1
    assert {role(s, group) for s in sybils} == {Membership.Role.MEMBER}  # they may take part; not coordinate


def test_trust_from_a_newcomer_counts_for_nothing(owner, join):
    group = services.group_create(actor=owner, name="Newcomer Pod", trust_threshold=1)
    a, b = join(group), join(group)
    services.trust_give(actor=a, group=group, receiver=b)
    assert role(b, group) == Membership.Role.NEWCOMER
    services.trust_give(actor=owner, group=group, receiver=a)  # a is vouched for: now a's trust carries
    assert role(a, group) == Membership.Role.COORDINATOR  # threshold 1: the founder's own trust
    assert role(b, group) == Membership.Role.COORDINATOR


def test_the_default_threshold_grows_past_three(owner, join):
    group = services.group_create(actor=owner, name="Big Pod")
    for _ in range(24):
        join(group)
    assert selectors.group_threshold(group) == 5


def test_a_member_joining_rechecks_roles_and_tells_the_person(owner, join, django_capture_on_commit_callbacks):
    """Finding 12: roles were not re-checked when the member count changed, and nobody was told."""
    group = services.group_create(actor=owner, name="Growing Pod")
    a, b = join(group, "ana"), join(group, "bo")
    services.trust_give(actor=owner, group=group, receiver=a)
    services.trust_give(actor=owner, group=group, receiver=b)
    services.trust_give(actor=b, group=group, receiver=a)
    assert role(a, group) == Membership.Role.COORDINATOR  # two paths, three members: threshold 2
    Notification.objects.all().delete()
    mail.outbox.clear()
    join(group)
    with django_capture_on_commit_callbacks(execute=True):
        join(group)  # five members: the threshold becomes 3, and ana has two
    assert role(a, group) == Membership.Role.MEMBER
    note = Notification.objects.get(user=a)
    assert note.kind == networks_notices.ROLE_CHANGED and note.params["role"] == "member"
    assert any("You are now a member in Growing Pod." in m.body for m in mail.outbox)


def test_every_coordinator_listed_meets_the_rule_the_page_states(owner, join):
    """Finding 12: coordinators with 2 or 1 trust were listed beside "a member trusted by 3 becomes a coordinator"."""
    group = services.group_create(actor=owner, name="Listed Pod")
    people = [join(group) for _ in range(4)]
    for person in people[:3]:
        services.trust_give(actor=owner, group=group, receiver=person)
    services.trust_give(actor=people[0], group=group, receiver=people[2])  # two paths: not enough
    services.trust_give(actor=people[0], group=group, receiver=people[3])
    services.trust_give(actor=people[1], group=group, receiver=people[3])
    services.trust_give(actor=people[2], group=group, receiver=people[3])  # three paths: a coordinator
    threshold = selectors.group_threshold(group)
    assert threshold == 3  # five members
    standings = group_standings(group)
    coordinators = set(Membership.objects.active().filter(group=group, role="coordinator")
                       .values_list("user_id", flat=True))
    assert coordinators == {owner.pk, people[3].pk}
    assert standings[people[3].pk] == ("coordinator", 3)
    assert standings[people[2].pk] == ("member", 2)


def test_members_page_explains_each_standing(client: Client, owner, join):
    group = services.group_create(actor=owner, name="Page Pod")
    a = join(group, "ana")
    services.trust_give(actor=owner, group=group, receiver=a)
    client.force_login(a)
    page = client.get(f"/groups/{group.public_id}/members/").content.decode()
    assert "Newcomers" in page and "Members" in page and "Coordinators" in page
    assert "trust from newcomers does not count" in page
    assert "founded the group" in page
    client.force_login(owner)
    es = client.get(f"/groups/{group.public_id}/members/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "la confianza de quienes acaban de llegar no cuenta" in es and "fundó el grupo" in es
