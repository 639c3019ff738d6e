"""One rule for confirming help (completing a match), on the web and the API alike, enforced by the service.

The person confirming that help was received is never the match's helper, whoever entered the need. A need entered
on someone's behalf (proxy intake: no requester account) is confirmed by a coordinator; any other need by its
requester or a coordinator. Whoever entered a need on someone's behalf does not claim it themselves: so a
coordinator cannot post on behalf, claim and complete, and fake a fulfilled need.
"""
from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from mutualaid.circulation import services
from mutualaid.circulation.models import Match, Need
from mutualaid.circulation.permissions import need_access
from mutualaid.core.errors import NotAllowed
from mutualaid.networks import services as networks
from mutualaid.networks.models import Membership

from mutualaid.tests.api_helpers import bearer, signed_in

pytestmark = pytest.mark.django_db

API = "/api/v1"


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def coordinator2(make_user, group, owner):
    """A second coordinator of the group (set directly: how a coordinator earns it is tested in networks)."""
    user = make_user("cleo")
    networks.group_join(actor=user, group=group)
    networks.trust_give(actor=owner, group=group, receiver=user)
    Membership.objects.filter(group=group, user=user).update(role=Membership.Role.COORDINATOR)
    return user


@pytest.fixture
def proxy_need(group, owner):
    return services.need_create(actor=owner, group=group, title="Meals for Mrs Alvarez", category="food", quantity=2,
                                on_behalf=True, contact={"name": "Mrs Alvarez", "phone": "+34 600 000 001"})


@pytest.fixture
def own_match(proxy_need, owner):
    """A match whose helper is the coordinator who entered the need on someone's behalf (as a claim made before the
    rule could leave it)."""
    match = Match.objects.create(need=proxy_need, helper=owner, quantity=1, status=Match.Status.CONFIRMED)
    Need.objects.filter(pk=proxy_need.pk).update(quantity_claimed=1, status=Need.Status.PARTLY_MATCHED)
    return match




# --- The service ----------------------------------------------------------------------------------


def test_it_refuses_a_claim_by_whoever_entered_the_need_on_someones_behalf(proxy_need, owner):
    with pytest.raises(NotAllowed) as exc:
        services.match_claim(actor=owner, need=proxy_need, quantity=1)
    assert "behalf" in exc.value.message
    assert not Match.objects.filter(need=proxy_need).exists()
    assert fresh(proxy_need).quantity_claimed == 0


def test_it_refuses_the_helper_confirming_their_own_help_on_a_need_they_entered(own_match, owner, coordinator2):
    with pytest.raises(NotAllowed) as exc:
        services.match_complete(actor=owner, match=own_match)
    assert "You gave this help" in exc.value.message
    assert fresh(own_match).status == Match.Status.CONFIRMED
    assert fresh(own_match.need).quantity_fulfilled == 0

    services.match_complete(actor=coordinator2, match=own_match)  # another coordinator confirms
    assert fresh(own_match).status == Match.Status.COMPLETED
    assert fresh(own_match).completed_by == coordinator2


def test_the_refusal_is_translated(own_match, owner):
    with translation.override("es"), pytest.raises(NotAllowed) as exc:
        services.match_complete(actor=owner, match=own_match)
    assert "Esta ayuda la diste tú" in exc.value.message


def test_the_new_refusals_are_translated(group, proxy_need, owner, helper):
    with translation.override("es"), pytest.raises(NotAllowed) as exc:
        services.match_claim(actor=owner, need=proxy_need, quantity=1)
    assert "en nombre de otra persona" in exc.value.message
    match = services.match_claim(actor=helper, need=proxy_need, quantity=1)
    Membership.objects.filter(group=group, user=owner).update(role=Membership.Role.MEMBER)
    with translation.override("es"), pytest.raises(NotAllowed) as exc:
        services.match_complete(actor=owner, match=match)
    assert "una persona coordinadora que no dio la ayuda" in exc.value.message


def test_a_proxy_need_is_confirmed_by_a_coordinator_who_did_not_help(proxy_need, owner, helper, coordinator2):
    match = services.match_claim(actor=helper, need=proxy_need, quantity=1)
    with pytest.raises(NotAllowed):
        services.match_complete(actor=helper, match=match)
    services.match_complete(actor=owner, match=match)  # who entered it, a coordinator, not the helper
    assert fresh(match).status == Match.Status.COMPLETED


def test_who_entered_a_proxy_need_no_longer_confirms_once_no_longer_a_coordinator(group, proxy_need, owner, helper,
                                                                                  coordinator2):
    match = services.match_claim(actor=helper, need=proxy_need, quantity=1)
    Membership.objects.filter(group=group, user=owner).update(role=Membership.Role.MEMBER)
    with pytest.raises(NotAllowed) as exc:
        services.match_complete(actor=owner, match=match)
    assert "coordinator" in exc.value.message
    services.match_complete(actor=coordinator2, match=match)
    assert fresh(match).status == Match.Status.COMPLETED


def test_a_coordinator_who_helped_does_not_confirm_a_members_need(group, owner, member):
    need = services.need_create(actor=member, group=group, title="A lift", category="transport", quantity=1)
    match = services.match_claim(actor=owner, need=need, quantity=1)
    with pytest.raises(NotAllowed):
        services.match_complete(actor=owner, match=match)
    services.match_complete(actor=member, match=match)
    assert fresh(need).status == Need.Status.FULFILLED


def test_the_page_rule_is_the_service_rule(own_match, proxy_need, owner, helper, coordinator2):
    assert not need_access(owner, proxy_need.public_id).can_confirm(own_match)
    assert not need_access(helper, proxy_need.public_id).can_confirm(own_match)
    assert need_access(coordinator2, proxy_need.public_id).can_confirm(own_match)


# --- The API --------------------------------------------------------------------------------------


def test_the_api_refuses_post_on_behalf_claim_complete(client, group, owner, coordinator2):
    headers = bearer(owner)
    body = {"group": str(group.public_id), "title": "Soup", "category": "food", "quantity": 1, "on_behalf": True,
            "contact": {"name": "Mr Lee", "phone": "+44 7700 900106"}}
    created = client.post(f"{API}/needs", body, content_type="application/json", **headers)
    assert created.status_code == 201, created.content
    need_id = created.json()["id"]
    claim = client.post(f"{API}/needs/{need_id}/claim", {"quantity": 1}, content_type="application/json", **headers)
    assert claim.status_code == 403, claim.content
    assert "behalf" in claim.json()["detail"]
    assert not Match.objects.filter(need__public_id=need_id).exists()


def test_the_api_refuses_the_helper_completing_and_lets_another_coordinator(client, own_match, owner, coordinator2):
    answer = client.post(f"{API}/matches/{own_match.public_id}/complete", **bearer(owner))
    assert answer.status_code == 403, answer.content
    assert "You gave this help" in answer.json()["detail"]
    assert fresh(own_match).status == Match.Status.CONFIRMED
    answer = client.post(f"{API}/matches/{own_match.public_id}/complete", **bearer(coordinator2))
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "completed"


# --- The web --------------------------------------------------------------------------------------


def test_the_web_shows_no_confirm_button_to_the_helper_and_refuses_the_post(own_match, proxy_need, owner,
                                                                          coordinator2):
    you = signed_in(owner)
    complete_url = reverse("match_complete", args=[own_match.public_id])
    page = you.get(reverse("need_detail", args=[proxy_need.public_id]))
    assert page.status_code == 200
    assert complete_url not in page.content.decode()
    answer = you.post(complete_url)
    assert answer.status_code == 403
    assert "You gave this help" in answer.content.decode()
    assert fresh(own_match).status == Match.Status.CONFIRMED

    other = signed_in(coordinator2)
    assert complete_url in other.get(reverse("need_detail", args=[proxy_need.public_id])).content.decode()
    assert other.post(complete_url).status_code == 302
    assert fresh(own_match).status == Match.Status.COMPLETED


def test_the_web_refuses_a_claim_by_whoever_entered_the_need_on_someones_behalf(proxy_need, owner):
    you = signed_in(owner)
    page = you.get(reverse("need_detail", args=[proxy_need.public_id]))
    assert reverse("need_claim", args=[proxy_need.public_id]) not in page.content.decode()
    answer = you.post(reverse("need_claim", args=[proxy_need.public_id]), {"quantity": "1"})
    assert answer.status_code == 403
    assert not Match.objects.filter(need=proxy_need).exists()
