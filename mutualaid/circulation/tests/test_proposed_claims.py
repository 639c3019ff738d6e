"""Contact details only to helpers the group knows (issue 9, finding 2: claim-and-cancel harvesting).

Not using the circulation conftest's vouched-for `member`: here the helpers are newcomers nobody vouched for."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from mutualaid.circulation import services
from mutualaid.circulation.models import ClaimBlock, ContactView, GroupPolicy, Match
from mutualaid.core.errors import Conflict, NotAllowed
from mutualaid.networks import services as networks
from mutualaid.networks.models import Notification
from mutualaid.tests.api_helpers import Api, ok, assert_error

from mutualaid.audit.tests.helpers import chain_stays_valid  # noqa: F401
from mutualaid.circulation import notices as circulation_notices

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chain_stays_valid")]
PHONE = "+44 7700 900123"


@pytest.fixture
def newcomer(make_user, group):
    user = make_user("nina")
    networks.group_join(actor=user, group=group)
    return user


def test_a_newcomers_claim_is_proposed_and_shows_no_contact_until_accepted(client: Client, need, owner, newcomer,
                                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        match = services.match_claim(actor=newcomer, need=need, quantity=1)
    assert match.status == Match.Status.PROPOSED
    need.refresh_from_db()
    assert need.quantity_left == 2  # the quantity is held meanwhile
    assert Notification.objects.filter(user=owner, kind=circulation_notices.MATCH_PROPOSED).exists()
    client.force_login(newcomer)
    page = client.get(reverse("need_detail", args=[need.public_id])).content.decode()
    assert PHONE not in page and "12 Example Street" not in page and "51.50123" not in page
    token = networks.token_create(actor=newcomer)
    body = ok(Api(token).get(f"/needs/{need.public_id}"))
    assert "contact" not in body

    client.force_login(owner)  # the requester (and coordinator) accepts, with the button on the need page
    page = client.get(reverse("need_detail", args=[need.public_id])).content.decode()
    assert "Accept this claim" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("match_accept", args=[match.public_id]))
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.status == Match.Status.CONFIRMED
    assert Notification.objects.filter(user=newcomer, kind=circulation_notices.MATCH_ACCEPTED).exists()
    client.force_login(newcomer)
    assert PHONE in client.get(reverse("need_detail", args=[need.public_id])).content.decode()
    assert ok(Api(token).get(f"/needs/{need.public_id}"))["contact"]["phone"] == PHONE


def test_accept_over_the_api_and_who_may_accept(need, owner, member, newcomer):
    match = services.match_claim(actor=newcomer, need=need, quantity=1)
    as_newcomer = Api(networks.token_create(actor=newcomer))
    assert_error(as_newcomer.post(f"/matches/{match.public_id}/accept"), 403, "requester or a coordinator")
    as_member = Api(networks.token_create(actor=member))
    assert_error(as_member.post(f"/matches/{match.public_id}/accept"), 403)
    body = ok(Api(networks.token_create(actor=owner)).post(f"/matches/{match.public_id}/accept"))
    assert body["status"] == "confirmed"
    assert_error(Api(networks.token_create(actor=owner)).post(f"/matches/{match.public_id}/accept"), 409,
                 "nothing to accept")


def test_a_members_claim_confirms_at_once(need, owner, member):
    # (the circulation conftest has the founder vouch for `member`)
    assert services.match_claim(actor=member, need=need, quantity=1).status == Match.Status.CONFIRMED


def test_the_group_can_let_newcomers_claims_confirm_at_once(need, newcomer):
    GroupPolicy.objects.create(group_id=need.group_id, newcomer_claims_confirm=True)
    need.group.refresh_from_db()
    assert services.match_claim(actor=newcomer, need=need, quantity=1).status == Match.Status.CONFIRMED


def test_claim_and_cancel_in_a_loop_is_stopped_and_the_coordinators_told(owner, group, newcomer,
                                                                        django_capture_on_commit_callbacks):
    GroupPolicy.objects.create(group=group, newcomer_claims_confirm=True)  # even where claims confirm at once
    group.refresh_from_db()
    needs = [services.need_create(actor=owner, group=group, title=f"Need {i}", category="food", quantity=2,
                                  contact={"phone": PHONE}) for i in range(6)]
    with django_capture_on_commit_callbacks(execute=True):
        for need in needs[:4]:
            match = services.match_claim(actor=newcomer, need=need, quantity=1)
            services.match_cancel(actor=newcomer, match=match, reason="Changed my mind")
    with pytest.raises(NotAllowed, match="lift the pause"):
        services.match_claim(actor=newcomer, need=needs[4], quantity=1)
    assert Notification.objects.filter(user=owner, kind=circulation_notices.CLAIMS_PAUSED).exists()
    assert ClaimBlock.objects.filter(group=group, user=newcomer, lifted_at__isnull=True).count() == 1
    with pytest.raises(NotAllowed):
        services.claims_unblock(actor=newcomer, group=group, user=newcomer)
    services.claims_unblock(actor=owner, group=group, user=newcomer)
    assert services.match_claim(actor=newcomer, need=needs[4], quantity=1).is_live
    with pytest.raises(Conflict):
        services.claims_unblock(actor=owner, group=group, user=newcomer)


def test_every_view_of_contact_details_is_recorded_and_shown_to_the_requester(client: Client, need, owner,
                                                                              newcomer):
    match = services.match_claim(actor=newcomer, need=need, quantity=1)
    services.match_accept(actor=owner, match=match)
    client.force_login(newcomer)
    client.get(reverse("need_detail", args=[need.public_id]))
    ok(Api(networks.token_create(actor=newcomer)).get(f"/needs/{need.public_id}"))
    assert ContactView.objects.filter(need=need, viewer=newcomer).count() == 2
    client.force_login(owner)
    page = client.get(reverse("need_detail", args=[need.public_id])).content.decode()
    assert "Seen 2 times by others" in page and "nina" in page
    assert not ContactView.objects.filter(viewer=owner).exists()  # the requester's own view is not counted


def test_coordinators_see_paused_helpers_and_lift_the_pause_on_the_web_and_the_api(client: Client, owner, group,
                                                                                   newcomer, make_user):
    ClaimBlock.objects.create(group=group, user=newcomer)
    client.force_login(owner)
    page = client.get(reverse("group_detail", args=[group.public_id])).content.decode()
    assert "Claims paused" in page and "nina" in page
    response = client.post(reverse("claims_resume", args=[group.public_id, newcomer.public_id]), follow=True)
    assert "nina can claim again." in response.content.decode()
    assert not ClaimBlock.objects.filter(lifted_at__isnull=True).exists()
    ClaimBlock.objects.create(group=group, user=newcomer)
    as_owner = Api(networks.token_create(actor=owner))
    path = f"/groups/{group.public_id}/members/{newcomer.public_id}/claims/resume"
    assert ok(as_owner.post(path)) == {"detail": "nina can claim again."}
    assert_error(as_owner.post(path), 409, "not paused")


def test_a_proposed_claim_cannot_be_marked_received_before_it_is_accepted(need, owner, newcomer):
    match = services.match_claim(actor=newcomer, need=need, quantity=1)
    with pytest.raises(Conflict, match="accept it first"):
        services.match_complete(actor=owner, match=match)
    assert_error(Api(networks.token_create(actor=owner)).post(f"/matches/{match.public_id}/complete"), 409,
                 "accept it first")
    services.match_accept(actor=owner, match=match)
    assert services.match_complete(actor=owner, match=match).status == Match.Status.COMPLETED

