"""Offers people can answer (issue 11): an offer has its own page, and "I'd like this" posts a need and claims it
from the offer in one step, waiting for the helper to say yes."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from mutualaid.audit.tests.helpers import chain_stays_valid  # noqa: F401
from mutualaid.circulation import notices, services
from mutualaid.circulation.models import ContactView, Match, Need, Offer
from mutualaid.core.errors import Conflict, NotAllowed
from mutualaid.networks import services as networks
from mutualaid.networks.models import Notification
from mutualaid.tests.api_helpers import Api, assert_error, ok

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chain_stays_valid")]


@pytest.fixture
def veg(group, helper):
    return services.offer_create(actor=helper, group=group, title="Veg boxes from the allotment",
                                 category="groceries", quantity=3, description="Leeks, kale, potatoes")


def test_a_member_asks_for_an_offer_and_the_helper_says_yes(client: Client, veg, member, helper,
                                                             django_capture_on_commit_callbacks):
    client.force_login(member)
    board = client.get(reverse("group_detail", args=[veg.group.public_id])).content.decode()
    assert reverse("offer_detail", args=[veg.public_id]) in board  # the board's card opens the offer's page
    page = client.get(reverse("offer_detail", args=[veg.public_id])).content.decode()
    assert "Leeks, kale, potatoes" in page and "I'd like this" in page and "from hana" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("offer_request", args=[veg.public_id]),
                               {"quantity": "2", "note": "For the family lunch on Sunday"})
    need = Need.objects.get(requester=member)
    assert response.status_code == 302 and response["Location"] == reverse("need_detail", args=[need.public_id])
    assert (need.title, need.category.slug, need.quantity, need.quantity_claimed, need.description) == (
        "Veg boxes from the allotment", "groceries", 2, 2, "For the family lunch on Sunday")
    match = Match.objects.get(need=need)
    assert (match.helper, match.offer, match.status) == (helper, veg, Match.Status.REQUESTED)
    veg.refresh_from_db()
    assert veg.quantity_left == 1
    told = Notification.objects.get(user=helper, kind=notices.OFFER_REQUESTED)
    assert told.params == {"requester": "mateo", "quantity": 2, "offer": "Veg boxes from the allotment"}

    page = client.get(response["Location"]).content.decode()
    assert "You asked hana for 2 bags." in page and "Waiting for the helper" in page
    assert "Yes, I will bring it" not in page  # the requester does not say yes for the helper

    client.force_login(helper)
    page = client.get(reverse("need_detail", args=[need.public_id])).content.decode()
    assert "Yes, I will bring it" in page and "Contact details" not in page  # nothing private before yes
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("match_accept", args=[match.public_id]))
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.status == Match.Status.CONFIRMED
    assert Notification.objects.get(user=member, kind=notices.MATCH_CLAIMED).params["helper"] == "hana"
    page = client.get(reverse("need_detail", args=[need.public_id])).content.decode()
    assert "Contact details" in page


def test_the_helper_says_no_and_the_offer_is_free_again(veg, member, helper):
    match = services.offer_request(actor=member, offer=veg, quantity=3)
    veg.refresh_from_db()
    assert (veg.quantity_left, veg.status) == (0, Offer.Status.EXHAUSTED)
    services.match_cancel(actor=helper, match=match, reason="The slugs got the kale, sorry")
    veg.refresh_from_db()
    match.need.refresh_from_db()
    assert (veg.quantity_left, veg.status) == (3, Offer.Status.ACTIVE)
    assert (match.need.status, match.need.quantity_left) == (Need.Status.OPEN, 3)  # open to other helpers


def test_nobody_else_says_yes_for_the_helper(veg, member, owner, helper):
    match = services.offer_request(actor=member, offer=veg, quantity=1)
    for person in (member, owner):  # the requester, and a coordinator
        with pytest.raises(NotAllowed):
            services.match_accept(actor=person, match=match)
    with pytest.raises(Conflict):
        services.match_complete(actor=member, match=match)  # nothing received before the helper's yes
    assert not ContactView.objects.exists()


def test_what_cannot_be_asked_for(client: Client, veg, member, helper, owner, group):
    client.force_login(helper)
    page = client.get(reverse("offer_detail", args=[veg.public_id])).content.decode()
    assert "I'd like this" not in page and reverse("offer_edit", args=[veg.public_id]) in page
    with pytest.raises(NotAllowed):
        services.offer_request(actor=helper, offer=veg, quantity=1)
    client.force_login(member)
    response = client.post(reverse("offer_request", args=[veg.public_id]), {"quantity": "5", "note": ""})
    assert response.status_code == 200
    assert "This offer has only 3 left." in response.content.decode()
    networks.suspension_create(actor=owner, group=group, user=helper, reason="Reported")
    with pytest.raises(Conflict):
        services.offer_request(actor=member, offer=veg, quantity=1)
    assert not Need.objects.filter(requester=member).exists()  # nothing was posted on the way


def test_the_api_asks_and_the_helper_accepts(veg, member, helper, outsider):
    as_member = Api(networks.token_create(actor=member))
    body = ok(as_member.post(f"/offers/{veg.public_id}/request", {"quantity": 1, "note": "Soup"}), 201)
    assert body["status"] == "requested" and body["helper"] == "hana" and body["offer"] == str(veg.public_id)
    assert_error(as_member.post(f"/matches/{body['id']}/accept"), 403, "helper")
    accepted = ok(Api(networks.token_create(actor=helper)).post(f"/matches/{body['id']}/accept"))
    assert accepted["status"] == "confirmed"
    assert_error(as_member.post(f"/offers/{veg.public_id}/request", {"quantity": 0}), 422)
    assert_error(Api(networks.token_create(actor=outsider)).post(f"/offers/{veg.public_id}/request",
                                                                  {"quantity": 1}), 404)
