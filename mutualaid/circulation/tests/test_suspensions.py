"""Coordinators act on a safety concern at once, and others check it (issue 9, finding 1: no way to suspend)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mutualaid.circulation import services
from mutualaid.circulation.models import Match
from mutualaid.core.errors import Conflict, InvalidInput, NotAllowed
from mutualaid.networks import services as networks
from mutualaid.networks.models import Membership, Notification, Suspension
from mutualaid.networks.tests.helpers import role
from mutualaid.tests.api_helpers import Api, assert_error, ok

from mutualaid.audit.tests.helpers import chain_stays_valid  # noqa: F401
from mutualaid.networks import notices as networks_notices

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chain_stays_valid")]


@pytest.fixture
def second_coordinator(make_user, group, owner):
    """Coordinator by trust: two paths from the founder (threshold 2)."""
    c, via = make_user("cleo"), make_user("vic")
    for person in (c, via):
        networks.group_join(actor=person, group=group)
        networks.trust_give(actor=owner, group=group, receiver=person)
    group.trust_threshold = 2
    group.save()
    networks.trust_give(actor=via, group=group, receiver=c)
    assert Membership.objects.active().get(group=group, user=c).role == "coordinator"
    return c


def test_a_suspension_hides_contact_hands_back_claims_and_tells_everyone(client: Client, group, owner, member,
                                                                         second_coordinator, need,
                                                                         django_capture_on_commit_callbacks):
    match = services.match_claim(actor=member, need=need, quantity=1)
    client.force_login(member)
    assert "+44 7700 900123" in client.get(reverse("need_detail", args=[need.public_id])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        networks.suspension_create(actor=second_coordinator, group=group, user=member, reason="Asked for addresses")
    match.refresh_from_db()
    assert match.status == Match.Status.CANCELLED
    assert "+44 7700 900123" not in client.get(reverse("need_detail", args=[need.public_id])).content.decode()
    assert role(member, group) == "newcomer"
    with pytest.raises(NotAllowed, match="suspended"):
        services.match_claim(actor=member, need=need, quantity=1)
    told = set(Notification.objects.filter(kind=networks_notices.SUSPENDED).values_list("user__username",
                                                                                          flat=True))
    assert told == {"mateo", "olga"}  # the person and every other coordinator


def test_a_suspended_coordinator_loses_the_role_and_their_trust_counts_for_nothing(group, owner, member,
                                                                                  second_coordinator):
    networks.suspension_create(actor=owner, group=group, user=second_coordinator, reason="Shared a phone number")
    assert role(second_coordinator, group) == "newcomer"


def test_it_lapses_after_seven_days_unless_a_second_coordinator_confirms(group, owner, member, second_coordinator):
    suspension = networks.suspension_create(actor=owner, group=group, user=member, reason="Concern")
    with pytest.raises(NotAllowed, match="Another coordinator"):
        networks.suspension_confirm(actor=owner, suspension=suspension)
    Suspension.objects.filter(pk=suspension.pk).update(created_at=timezone.now() - timedelta(days=8))
    suspension.refresh_from_db()
    assert not suspension.in_force()
    with pytest.raises(Conflict, match="lapsed"):
        networks.suspension_confirm(actor=second_coordinator, suspension=suspension)
    again = networks.suspension_create(actor=owner, group=group, user=member, reason="Again")
    networks.suspension_confirm(actor=second_coordinator, suspension=again)
    Suspension.objects.filter(pk=again.pk).update(created_at=timezone.now() - timedelta(days=30))
    again.refresh_from_db()
    assert again.in_force()  # confirmed: it stays


def test_only_coordinators_suspend_with_a_reason(group, owner, member):
    with pytest.raises(NotAllowed):
        networks.suspension_create(actor=member, group=group, user=owner, reason="No")
    with pytest.raises(InvalidInput):
        networks.suspension_create(actor=owner, group=group, user=member, reason="  ")
    assert not Suspension.objects.exists()


def test_suspend_and_confirm_on_the_web_and_the_api(client: Client, group, owner, member, second_coordinator):
    client.force_login(owner)
    page = client.get(reverse("group_members", args=[group.public_id])).content.decode()
    assert "Suspend…" in page
    response = client.post(reverse("member_suspend", args=[group.public_id, member.public_id]),
                           {"reason": "Concern raised at the meeting"}, follow=True)
    assert "Another coordinator must confirm it within 7 days." in response.content.decode()
    suspension = Suspension.objects.get()
    as_cleo = Api(networks.token_create(actor=second_coordinator))
    assert ok(as_cleo.post(f"/suspensions/{suspension.public_id}/confirm"))["confirmed"] is True
    assert_error(as_cleo.post(f"/suspensions/{suspension.public_id}/confirm"), 409, "already confirmed")
    as_owner = Api(networks.token_create(actor=owner))
    path = f"/groups/{group.public_id}/members/{member.public_id}/suspend"
    assert_error(as_owner.post(path, {"reason": "x"}), 409, "already suspended")
    assert_error(as_owner.post(path, {}), 422)


def test_the_reason_is_never_in_the_audit_chain_and_goes_with_the_account(group, owner, member):
    from mutualaid.audit.models import AuditEntry
    from mutualaid.front.services import account_delete

    networks.suspension_create(actor=owner, group=group, user=member, reason="Secret concern 42")
    assert not [e for e in AuditEntry.objects.all() if "Secret concern 42" in str(e.after) + str(e.before)]
    member.set_password("a-long-passphrase-42")
    member.save()
    account_delete(actor=member, password="a-long-passphrase-42")
    assert Suspension.objects.get().reason == ""


def test_an_unconfirmed_suspension_lapses_on_the_worker_and_the_standing_comes_back(group, owner, member,
                                                                                   django_capture_on_commit_callbacks):
    assert role(member, group) == "member"  # vouched for by the founder (circulation's conftest)
    suspension = networks.suspension_create(actor=owner, group=group, user=member, reason="Concern")
    assert role(member, group) == "newcomer"
    assert networks.suspensions_lapse() == 0  # not yet seven days
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert networks.suspensions_lapse(now=timezone.now() + timedelta(days=7, minutes=1)) == 1
    suspension.refresh_from_db()
    assert suspension.ended_at == suspension.created_at + timedelta(days=7)
    assert role(member, group) == "member"
    assert Notification.objects.filter(user=member, kind=networks_notices.ROLE_CHANGED).exists()
    assert networks.suspensions_lapse(now=timezone.now() + timedelta(days=8)) == 0


def test_a_confirmed_suspension_never_lapses(group, owner, member, second_coordinator):
    suspension = networks.suspension_create(actor=owner, group=group, user=member, reason="Concern")
    networks.suspension_confirm(actor=second_coordinator, suspension=suspension)
    assert networks.suspensions_lapse(now=timezone.now() + timedelta(days=60)) == 0
    assert role(member, group) == "newcomer"


def test_a_suspended_member_sees_why_they_cannot_claim_instead_of_the_form(client: Client, group, owner, member,
                                                                           need):
    networks.suspension_create(actor=owner, group=group, user=member, reason="Concern")
    client.force_login(member)
    page = client.get(reverse("need_detail", args=[need.public_id])).content.decode()
    assert "You are suspended in this group and cannot claim needs." in page
    assert f"/needs/{need.public_id}/claim/" not in page
