"""Need-based allocation in the product: suggestions that people accept or decline, never assignments."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mutualaid.circulation import services
from mutualaid.circulation.suggestions import selectors
from mutualaid.circulation.suggestions import services as suggestions
from mutualaid.circulation.models import Match, Need, SuggestionDecline
from mutualaid.core.errors import Conflict, NotAllowed, NotFound
from mutualaid.networks import services as networks
from mutualaid.networks.models import Group, Notification
from mutualaid.circulation import notices as circulation_notices

pytestmark = pytest.mark.django_db


@pytest.fixture
def veg(helper, group):
    return services.offer_create(actor=helper, group=group, title="Veg boxes", category="groceries", quantity=3,
                                 lat=51.501, lon=-0.101, max_distance_km=5)


def groups_of(user):
    return Group.objects.filter(memberships__user=user, memberships__left_at__isnull=True)


def suggested(helper, group):
    """What the helper's page shows once the group's suggestions were worked out (as the worker does)."""
    suggestions.suggestions_work_out(actor=None, group=group)
    return selectors.helper_suggestions(helper, groups_of(helper)).proposals


def post_need(actor, group, title, urgency, quantity=1, **kw):
    return services.need_create(actor=actor, group=group, title=title, category="groceries", quantity=quantity,
                                urgency=urgency, lat=51.5, lon=-0.1, **kw)


def test_the_most_urgent_needs_are_suggested_first_and_capacity_is_respected(group, owner, member, helper, veg):
    low = post_need(member, group, "Snacks for the film night", "low", 2)
    critical = post_need(owner, group, "Food for a family just out of hospital", "critical", 2)
    proposals = suggested(helper, group)
    got = {p.need.pk: p.quantity for p in proposals}
    assert got == {critical.pk: 2, low.pk: 1}  # 3 boxes: the critical need first, in full
    assert proposals[0].need == critical


def test_nothing_is_claimed_until_the_helper_says_yes(group, owner, helper, veg):
    need = post_need(owner, group, "Groceries", "high", 2)
    assert suggested(helper, group)
    need.refresh_from_db()
    assert need.quantity_claimed == 0 and not Match.objects.exists()


def test_accepting_claims_through_the_atomic_service(group, owner, helper, veg):
    need = post_need(owner, group, "Groceries", "high", 2)
    match = suggestions.suggestion_accept(actor=helper, need=need, offer=veg, quantity=2)
    need.refresh_from_db()
    veg.refresh_from_db()
    assert (match.quantity, match.offer, need.status) == (2, veg, Need.Status.MATCHED)
    assert veg.quantity_left == 1


def test_accepting_a_suggestion_that_shrank_claims_what_is_left(group, owner, member, helper, veg):
    need = post_need(owner, group, "Groceries", "high", 2)
    services.match_claim(actor=member, need=need, quantity=1)
    match = suggestions.suggestion_accept(actor=helper, need=need, offer=veg, quantity=2)
    assert match.quantity == 1
    with pytest.raises(Conflict, match="lapsed"):
        suggestions.suggestion_accept(actor=helper, need=need, offer=veg, quantity=1)


def test_a_declined_pair_is_not_suggested_again(group, owner, helper, veg):
    need = post_need(owner, group, "Groceries", "high", 1)
    suggestions.suggestion_decline(actor=helper, need=need, offer=veg)
    assert SuggestionDecline.objects.filter(need=need, offer=veg).exists()
    assert all(p.need != need for p in suggested(helper, group))
    with pytest.raises(Conflict):
        suggestions.suggestion_decline(actor=helper, need=need, offer=veg)


def test_only_the_offers_helper_answers_its_suggestions(group, owner, member, outsider, helper, veg):
    need = post_need(owner, group, "Groceries", "high", 1)
    with pytest.raises(NotAllowed):
        suggestions.suggestion_accept(actor=member, need=need, offer=veg, quantity=1)
    with pytest.raises(NotFound):
        suggestions.suggestion_decline(actor=outsider, need=need, offer=veg)


def test_needs_past_their_time_closed_needs_and_own_needs_are_not_suggested(group, owner, helper, veg):
    late = post_need(owner, group, "Too late", "critical", 1, needed_by=timezone.now() + timedelta(minutes=1))
    Need.objects.filter(pk=late.pk).update(needed_by=timezone.now() - timedelta(hours=1))
    cancelled = post_need(owner, group, "Cancelled", "critical", 1)
    services.need_cancel(actor=owner, need=cancelled)
    mine = post_need(helper, group, "My own", "critical", 1)
    assert suggested(helper, group) == []
    assert mine.requester == helper


def test_a_coordinator_sends_suggestions_and_helpers_are_notified(group, owner, helper, veg,
                                                                  django_capture_on_commit_callbacks):
    post_need(owner, group, "Groceries", "high", 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert suggestions.suggestions_send(actor=owner, group=group) == 0  # nothing worked out yet
        suggestions.suggestions_work_out(actor=owner, group=group)
        assert suggestions.suggestions_send(actor=owner, group=group) == 1
    note = Notification.objects.get(user=helper, kind=circulation_notices.SUGGESTIONS)
    assert note.url == "/me/suggestions/" and note.params["count"] == 1
    assert any("waiting for your yes or no" in m.body for m in mail.outbox)


def test_only_coordinators_send_suggestions(group, member):
    with pytest.raises(NotAllowed):
        suggestions.suggestions_send(actor=member, group=group)


# --- Pages ----------------------------------------------------------------------------------------


def test_the_helper_accepts_on_the_suggestions_page(client, group, owner, helper, veg):
    need = post_need(owner, group, "Rice and beans", "critical", 1)
    suggestions.suggestions_work_out(actor=None, group=group)
    client.force_login(helper)
    page = client.get(reverse("my_suggestions")).content.decode()
    assert "Rice and beans" in page and "Yes, I will bring it" in page
    response = client.post(reverse("suggestion_accept"), {"need": need.public_id, "offer": veg.public_id,
                                                          "quantity": 1})
    assert response.status_code == 302 and response["Location"] == reverse("need_detail", args=[need.public_id])
    assert Match.objects.get(need=need).helper == helper


def test_the_helper_declines_on_the_suggestions_page(client, group, owner, helper, veg):
    need = post_need(owner, group, "Rice and beans", "critical", 1)
    suggestions.suggestions_work_out(actor=None, group=group)
    client.force_login(helper)
    assert "Rice and beans" in client.get(reverse("my_suggestions")).content.decode()
    client.post(reverse("suggestion_decline"), {"need": need.public_id, "offer": veg.public_id})
    client.get(reverse("my_suggestions"))  # shows (and uses up) the confirmation, which names the need
    assert "Rice and beans" not in client.get(reverse("my_suggestions")).content.decode()


def test_the_coordinators_allocation_page_compares_with_first_come_first_served(client, group, owner, member,
                                                                                helper, veg):
    post_need(member, group, "Snacks", "low", 3)  # first come...
    post_need(owner, group, "Baby formula", "critical", 3)
    client.force_login(owner)
    assert client.post(reverse("group_allocation_work_out", args=[group.public_id])).status_code == 302
    response = client.get(reverse("group_allocation", args=[group.public_id]))
    assert response.status_code == 200
    stored = response.context["stored"]
    optimal, fcfs = stored.optimal, stored.fcfs
    assert stored.unmet_critical == {"optimal": 0, "fcfs": 3}
    assert optimal.summary["weighted_fulfilment"] > fcfs.summary["weighted_fulfilment"]
    assert "Baby formula" in response.content.decode()


def test_the_allocation_page_is_for_coordinators(client, group, other_group, member, outsider):
    client.force_login(member)
    assert client.get(reverse("group_allocation", args=[group.public_id])).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("group_allocation", args=[group.public_id])).status_code == 404
    assert client.get(reverse("network_allocation")).status_code == 200  # outsider founded another group
    client.force_login(member)
    assert client.get(reverse("network_allocation")).status_code == 403


# --- API ------------------------------------------------------------------------------------------


def api(client, user):
    token = networks.token_create(actor=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_api_suggestions_accept_and_decline(client, group, owner, member, helper, veg):
    first = post_need(owner, group, "Groceries", "critical", 1)
    second = post_need(member, group, "More groceries", "normal", 1)
    auth = api(client, helper)
    assert client.get("/api/v1/suggestions", **auth).json() == []  # nothing worked out yet
    suggestions.suggestions_work_out(actor=None, group=group)
    listed = client.get("/api/v1/suggestions", **auth).json()
    assert {s["need"] for s in listed} == {str(first.public_id), str(second.public_id)}
    accepted = client.post("/api/v1/suggestions/accept", {"need": str(first.public_id), "offer": str(veg.public_id),
                                                          "quantity": 1}, content_type="application/json", **auth)
    assert accepted.status_code == 201 and accepted.json()["status"] == "confirmed"
    declined = client.post("/api/v1/suggestions/decline", {"need": str(second.public_id),
                                                           "offer": str(veg.public_id)},
                           content_type="application/json", **auth)
    assert declined.status_code == 200
    assert client.get("/api/v1/suggestions", **auth).json() == []
    assert client.get("/api/v1/suggestions").status_code == 401


def test_api_runs_an_allocation_for_coordinators_only(client, group, owner, member, helper, veg):
    need = post_need(member, group, "Groceries", "high", 2)
    body = {"group": str(group.public_id), "method": "optimal"}
    ok = client.post("/api/v1/allocations", body, content_type="application/json", **api(client, owner))
    assert ok.status_code == 200
    result = ok.json()
    assert result["allocations"] == [{"need": str(need.public_id), "offer": str(veg.public_id), "quantity": 2,
                                      "distance_km": result["allocations"][0]["distance_km"],
                                      "score": result["allocations"][0]["score"]}]
    assert result["summary"]["units_allocated"] == 2 and result["summary"]["method"] == "optimal"
    assert not Match.objects.exists()  # a proposal, not a claim
    refused = client.post("/api/v1/allocations", body, content_type="application/json", **api(client, member))
    assert refused.status_code == 403
    bad = client.post("/api/v1/allocations", {"method": "lottery"}, content_type="application/json",
                      **api(client, owner))
    assert bad.status_code == 422
