"""Fixing mistakes (issue 11): the requester corrects a need, the helper an offer, on the web and with PATCH; the
quantity never drops below what is promised, each edit is audited without its text, and helpers on the way are told
of a new quantity, time or place."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mutualaid.audit.models import AuditEntry
from mutualaid.audit.tests.helpers import chain_stays_valid  # noqa: F401
from mutualaid.circulation import notices, services
from mutualaid.circulation.models import Need, NeedContact, Offer
from mutualaid.core.errors import InvalidInput, NotAllowed
from mutualaid.networks import services as networks
from mutualaid.networks.models import Notification
from mutualaid.tests.api_helpers import assert_error, ok

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chain_stays_valid")]


@pytest.fixture
def asked(group, member):
    """Mateo asks for 3 bags; no helper yet."""
    return services.need_create(actor=member, group=group, title="Bread and milk", category="groceries", quantity=3,
                                description="Semi-skimmed milk", location_name="Northside",
                                contact={"phone": "+44 7700 900777"})


def _form(need: Need, **overrides) -> dict:
    data = {"title": need.title, "description": need.description, "quantity": str(need.quantity),
            "urgency": need.urgency, "needed_by": "", "location_name": need.location_name, "lat": "", "lon": "",
            "contact_name": "", "contact_phone": "+44 7700 900777", "contact_email": "", "contact_address": "",
            "contact_preferred_language": "", "contact_notes": ""}
    data.update(overrides)
    return data


def test_the_requester_changes_the_quantity_and_the_helper_is_told(client: Client, asked, member, helper,
                                                                   django_capture_on_commit_callbacks):
    services.match_claim(actor=helper, need=asked, quantity=1)
    client.force_login(member)
    page = client.get(reverse("need_detail", args=[asked.public_id])).content.decode()
    assert reverse("need_edit", args=[asked.public_id]) in page
    form = client.get(reverse("need_edit", args=[asked.public_id])).content.decode()
    assert "Bread and milk" in form and "+44 7700 900777" in form  # what is there now, to correct
    assert "At least 1: helpers have already claimed that much." in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("need_edit", args=[asked.public_id]), _form(asked, quantity="5"))
    assert response.status_code == 302 and response["Location"] == reverse("need_detail", args=[asked.public_id])
    asked.refresh_from_db()
    assert (asked.quantity, asked.quantity_left, asked.status) == (5, 4, Need.Status.PARTLY_MATCHED)
    told = Notification.objects.get(user=helper, kind=notices.NEED_CHANGED)
    assert told.params == {"need": "Bread and milk", "changes": ["quantity"]}
    from mutualaid.networks.notices import notification_text
    assert notification_text(told.kind, told.params) == ("“Bread and milk”, which you are helping with, was changed "
                                                         "(the quantity): see the need's page.")
    entry = AuditEntry.objects.get(action="need.updated")
    assert entry.before["quantity"] == 3 and entry.after["quantity"] == 5 and entry.after["changed"] == ["quantity"]
    assert NeedContact.objects.get(need=asked).phone == "+44 7700 900777"  # the rest as it was


def test_a_quantity_below_what_is_claimed_is_refused_and_nothing_changes(client: Client, asked, member, helper):
    services.match_claim(actor=helper, need=asked, quantity=2)
    client.force_login(member)
    response = client.post(reverse("need_edit", args=[asked.public_id]), _form(asked, quantity="1", title="Bread"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Helpers have already claimed 2: the quantity cannot be less than that." in page
    asked.refresh_from_db()
    assert (asked.quantity, asked.title) == (3, "Bread and milk")
    assert not AuditEntry.objects.filter(action="need.updated").exists()


def test_a_text_change_is_audited_by_name_and_tells_no_helper(asked, member, helper,
                                                              django_capture_on_commit_callbacks):
    services.match_claim(actor=helper, need=asked, quantity=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.need_update(actor=member, need=asked, changes={"title": "Bread, milk and eggs",
                                                                "description": "Free-range eggs please"})
    entry = AuditEntry.objects.get(action="need.updated")
    assert entry.after["changed"] == ["description", "title"]
    assert "eggs" not in json.dumps([entry.before, entry.after])
    assert not Notification.objects.filter(kind=notices.NEED_CHANGED).exists()


def test_who_may_change_a_need(client: Client, asked, group, owner, helper, outsider):
    url = reverse("need_edit", args=[asked.public_id])
    for person, status in ((helper, 403), (owner, 403), (outsider, 404)):  # a coordinator: not someone's own need
        client.force_login(person)
        assert client.get(url).status_code == status, person
    with pytest.raises(NotAllowed):
        services.need_update(actor=owner, need=asked, changes={"quantity": 9})
    # A need a coordinator entered for someone without an account: the coordinators correct it (that person
    # has no account to do it with); its other members do not.
    proxy = services.need_create(actor=owner, group=group, title="Soup for Mr Patel", category="food", quantity=2,
                                 on_behalf=True, contact={"phone": "020 7946 0000"})
    services.need_update(actor=owner, need=proxy, changes={"quantity": 4})
    proxy.refresh_from_db()
    assert proxy.quantity == 4
    with pytest.raises(NotAllowed):
        services.need_update(actor=helper, need=proxy, changes={"quantity": 1})


def test_a_closed_need_cannot_be_changed(client: Client, asked, member):
    services.need_cancel(actor=member, need=asked, reason="Sorted")
    client.force_login(member)
    response = client.get(reverse("need_edit", args=[asked.public_id]), follow=True)
    assert "can no longer be changed" in response.content.decode()
    assert_error(_patch(member, f"/needs/{asked.public_id}", {"title": "Bread"}), 409, "closed")


def _patch(user, path: str, body: dict):
    return Client().patch(f"/api/v1{path}", json.dumps(body), content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {networks.token_create(actor=user)}")


def test_patch_a_need(asked, member, helper, django_capture_on_commit_callbacks):
    services.match_claim(actor=helper, need=asked, quantity=1)
    with django_capture_on_commit_callbacks(execute=True):
        body = ok(_patch(member, f"/needs/{asked.public_id}", {"lat": 51.50123, "lon": -0.10456,
                                                                "urgency": "critical"}))
    assert body["urgency"] == "critical" and body["title"] == "Bread and milk"
    assert body["contact"]["lat"] == 51.50123  # exact, for the requester; the need itself holds it rounded
    asked.refresh_from_db()
    assert (asked.lat, asked.lon, asked.urgency_rank) == (51.5, -0.1, 0)
    assert Notification.objects.get(user=helper, kind=notices.NEED_CHANGED).params["changes"] == ["place"]
    assert_error(_patch(member, f"/needs/{asked.public_id}", {"quantity": 0}), 422)
    assert_error(_patch(member, f"/needs/{asked.public_id}", {"group": "x"}), 422)  # not a field to change
    assert_error(_patch(member, f"/needs/{asked.public_id}", {"title": None}), 422, "title")
    assert_error(_patch(member, f"/needs/{asked.public_id}", {"needed_by": "2020-01-01T10:00:00"}), 422, "past")
    assert_error(_patch(helper, f"/needs/{asked.public_id}", {"title": "Mine now"}), 403)
    body = ok(_patch(member, f"/needs/{asked.public_id}", {"contact": {"notes": "Ring twice"}}))
    assert body["contact"]["phone"] == "+44 7700 900777" and body["contact"]["notes"] == "Ring twice"  # merged


def test_an_overdue_need_keeps_its_time_through_other_corrections(asked, member):
    Need.objects.filter(pk=asked.pk).update(needed_by=timezone.now() - timedelta(hours=2))
    asked.refresh_from_db()
    services.need_update(actor=member, need=asked, changes={"needed_by": asked.needed_by, "title": "Bread"})
    with pytest.raises(InvalidInput):
        services.need_update(actor=member, need=asked, changes={"needed_by": timezone.now() - timedelta(days=1)})


def test_the_helper_corrects_an_offer(client: Client, group, helper, member, asked):
    offer = services.offer_create(actor=helper, group=group, title="Bags of food", category="groceries", quantity=2)
    services.match_claim(actor=helper, need=asked, quantity=2, offer=offer)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.EXHAUSTED
    client.force_login(helper)
    posts = client.get(reverse("my_posts")).content.decode()
    assert reverse("offer_edit", args=[offer.public_id]) in posts
    response = client.post(reverse("offer_edit", args=[offer.public_id]), {
        "title": "Bags of food", "description": "", "quantity": "1", "available_from": "",
        "available_until": "", "location_name": "", "max_distance_km": ""})
    assert "You have already promised 2 from this offer" in response.content.decode()
    response = client.post(reverse("offer_edit", args=[offer.public_id]), {
        "title": "Bags of food and nappies", "description": "", "quantity": "4", "available_from": "",
        "available_until": "", "location_name": "", "max_distance_km": ""})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.title, offer.quantity, offer.status) == ("Bags of food and nappies", 4, Offer.Status.ACTIVE)
    entry = AuditEntry.objects.get(action="offer.updated")
    assert entry.after["changed"] == ["quantity", "title"] and "nappies" not in json.dumps(entry.after)
    body = ok(_patch(helper, f"/offers/{offer.public_id}", {"quantity": 3}))
    assert body["quantity"] == 3 and body["quantity_left"] == 1
    assert_error(_patch(helper, f"/offers/{offer.public_id}", {"quantity": 1}), 422, "promised")
    assert_error(_patch(member, f"/offers/{offer.public_id}", {"quantity": 9}), 403)
    client.force_login(member)
    assert client.get(reverse("offer_edit", args=[offer.public_id])).status_code == 403


def test_a_need_entered_for_someone_keeps_a_way_to_reach_them(group, owner):
    proxy = services.need_create(actor=owner, group=group, title="Soup for Mr Patel", category="food", quantity=2,
                                 on_behalf=True, contact={"phone": "020 7946 0000"})
    with pytest.raises(InvalidInput, match="at least a name, phone or address"):
        services.need_update(actor=owner, need=proxy, changes={"contact": {"phone": ""}})
    assert NeedContact.objects.get(need=proxy).phone == "020 7946 0000"  # nothing lost
    services.need_update(actor=owner, need=proxy, changes={"contact": {"phone": "", "name": "Mr Patel"}})
    assert NeedContact.objects.get(need=proxy).name == "Mr Patel"
