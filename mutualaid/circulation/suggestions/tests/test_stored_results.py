"""Suggestions are worked out on an explicit POST or by the worker, stored, and shown as they stand now: no GET ever
runs the engine."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mutualaid import allocation
from mutualaid.audit.models import AuditEntry
from mutualaid.circulation import services
from mutualaid.circulation.models import AllocationProposal, AllocationResult, AllocationRun, Offer
from mutualaid.circulation.suggestions import selectors
from mutualaid.circulation.suggestions import services as suggestions
from mutualaid.core import periodic
from mutualaid.networks import services as networks

pytestmark = pytest.mark.django_db


@pytest.fixture
def veg(helper, group):
    return services.offer_create(actor=helper, group=group, title="Veg boxes", category="groceries", quantity=3,
                                 lat=51.501, lon=-0.101, max_distance_km=5)


def post_need(actor, group, title, urgency="high", quantity=1):
    return services.need_create(actor=actor, group=group, title=title, category="groceries", quantity=quantity,
                                urgency=urgency, lat=51.5, lon=-0.1)


def api(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {networks.token_create(actor=user)}"}


def shown(helper):
    return [(p.need.title, p.quantity) for p in selectors.helper_suggestions(helper).proposals]


# --- No GET runs the engine ---------------------------------------------------------------------------------


@pytest.mark.parametrize("worked_out", [False, True], ids=["before any run", "with stored results"])
def test_no_page_or_api_read_runs_the_engine(client, group, owner, helper, veg, monkeypatch, worked_out):
    post_need(owner, group, "Rice and beans", "critical")
    if worked_out:
        suggestions.suggestions_work_out(actor=owner, group=group)
        suggestions.suggestions_work_out(actor=owner, group=None)

    def refuse(*args, **kwargs):
        raise AssertionError("the allocation engine ran inside a GET")

    monkeypatch.setattr(allocation, "allocate", refuse)
    for user, url in ((helper, reverse("my_suggestions")), (owner, reverse("group_allocation", args=[group.public_id])),
                      (owner, reverse("network_allocation"))):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        assert ("Rice and beans" in response.content.decode()) is worked_out, url
    response = client.get("/api/v1/suggestions", **api(helper))
    assert response.status_code == 200 and len(response.json()) == int(worked_out)


def test_a_page_says_when_its_suggestions_were_worked_out_and_offers_to_work_them_out(client, group, owner, veg):
    client.force_login(owner)
    page = client.get(reverse("group_allocation", args=[group.public_id])).content.decode()
    assert "Not worked out yet" in page and "Work out suggestions" in page
    suggestions.suggestions_work_out(actor=owner, group=group)
    AllocationResult.objects.update(worked_out_at=timezone.now())
    page = client.get(reverse("group_allocation", args=[group.public_id])).content.decode()
    assert "Worked out now" in page and "0\xa0minutes" not in page  # never "0 minutes ago"
    AllocationResult.objects.update(worked_out_at=timezone.now() - timedelta(minutes=3))
    page = client.get(reverse("group_allocation", args=[group.public_id])).content.decode()
    assert "Worked out 3\xa0minutes ago" in page and "Work out suggestions again" in page
    spanish = client.get(reverse("group_allocation", args=[group.public_id]), HTTP_ACCEPT_LANGUAGE="es")
    assert "Calculado hace 3 minutos" in spanish.content.decode().replace("\xa0", " ")


# --- Runs: an explicit POST, the worker ----------------------------------------------------------------------


def test_the_work_out_button_runs_the_engine_and_stores_its_answer(client, group, owner, helper, veg):
    need = post_need(owner, group, "Rice and beans", "critical", 2)
    client.force_login(owner)
    response = client.post(reverse("group_allocation_work_out", args=[group.public_id]))
    assert response.status_code == 302 and response["Location"] == reverse("group_allocation",
                                                                           args=[group.public_id])
    result = AllocationResult.objects.get(scope=f"group:{group.public_id}")
    assert (result.group, result.worked_out_by) == (group, owner)
    assert list(result.proposals.values_list("need", "offer", "quantity")) == [(need.pk, veg.pk, 2)]
    assert result.summary["units_allocated"] == 2 and result.fcfs_summary["method"] == "greedy-fcfs"
    entry = AuditEntry.objects.get(action="allocation.worked_out")
    assert (entry.object_type, entry.object_id) == ("circulation.allocationresult", str(result.public_id))
    assert entry.after["scope"] == str(group.public_id) and entry.after["proposals"] == 1
    assert "Rice" not in str(entry.after)  # ids and counts, never typed text
    assert not AllocationRun.objects.exists()  # the slot is given back
    # A second run replaces the first: one result per scope.
    client.post(reverse("group_allocation_work_out", args=[group.public_id]))
    assert AllocationResult.objects.count() == 1 and AllocationProposal.objects.count() == 1
    assert AuditEntry.objects.get(action="allocation.worked_out", object_id=str(
        AllocationResult.objects.get().public_id)).after["replaces"] == str(result.public_id)


def test_the_work_out_button_is_a_post_for_coordinators(client, group, owner, member):
    url = reverse("group_allocation_work_out", args=[group.public_id])
    client.force_login(owner)
    assert client.get(url).status_code == 405
    client.force_login(member)
    assert client.post(url).status_code == 403
    assert client.post(reverse("network_allocation_work_out")).status_code == 403
    assert not AllocationResult.objects.exists()


def test_a_work_out_while_another_runs_is_refused_with_a_message(client, group, owner):
    client.force_login(owner)
    with suggestions.allocation_run_slot(actor=owner, group=group, purpose="suggestions"):
        response = client.post(reverse("group_allocation_work_out", args=[group.public_id]), follow=True)
        assert "already being worked out for this group" in response.content.decode()
        answer = client.post("/api/v1/allocations", {"group": str(group.public_id)},
                             content_type="application/json", **api(owner))
        assert answer.status_code == 429
    assert not AllocationResult.objects.exists()


def test_the_api_default_run_is_stored_and_other_runs_are_not(client, group, owner, helper, veg):
    need = post_need(owner, group, "Rice and beans")
    auth = api(owner)
    body = client.post("/api/v1/allocations", {"group": str(group.public_id), "method": "greedy-urgency"},
                       content_type="application/json", **auth).json()
    assert body["allocations"] and not AllocationResult.objects.exists()
    client.post("/api/v1/allocations", {"group": str(group.public_id), "fairness": "maxmin"},
                content_type="application/json", **auth)
    assert not AllocationResult.objects.exists()
    client.post("/api/v1/allocations", {"group": str(group.public_id)}, content_type="application/json", **auth)
    assert AllocationResult.objects.get().proposals.get().need == need
    listed = client.get("/api/v1/suggestions", **api(helper)).json()
    assert [s["need"] for s in listed] == [str(need.public_id)] and listed[0]["worked_out_at"]


def test_the_worker_job_is_declared_and_works_out_what_changed(group, owner, helper, veg, other_group):
    assert {job.name: job for job in periodic.jobs()}["circulation.suggestions_work_out"].func == (
        "mutualaid.circulation.suggestions.services.suggestions_work_out_all")
    post_need(owner, group, "Rice and beans")
    assert suggestions.suggestions_work_out_all() == 3  # both groups and the network
    assert set(AllocationResult.objects.values_list("scope", flat=True)) == {
        f"group:{group.public_id}", f"group:{other_group.public_id}", "network"}
    assert AllocationResult.objects.get(group=group).worked_out_by is None  # the worker
    assert shown(helper) == [("Rice and beans", 1)]
    assert suggestions.suggestions_work_out_all() == 0  # nothing changed: nothing to work out again
    post_need(owner, group, "Bread", "critical")
    assert suggestions.suggestions_work_out_all() == 2  # the group and the network
    assert shown(helper) == [("Bread", 1), ("Rice and beans", 1)]
    # An old result with something to propose is worked out again, even with nothing recorded as changed.
    AllocationResult.objects.update(worked_out_at=timezone.now() - suggestions.SUGGESTIONS_REFRESH_AFTER)
    assert suggestions.suggestions_work_out_all() == 2  # not the other group: nothing to propose there


def test_the_worker_leaves_a_scope_another_run_holds(group, owner):
    with suggestions.allocation_run_slot(actor=owner, group=group, purpose="suggestions"):
        assert suggestions.suggestions_work_out_all() == 1  # the network only
    assert not AllocationResult.objects.filter(group=group).exists()


# --- What is shown is what still holds -------------------------------------------------------------------------


def test_stale_proposals_are_not_shown(client, group, owner, member, helper, veg, make_user):
    met = post_need(owner, group, "Met by someone else", "critical")
    cancelled = post_need(owner, group, "Cancelled", "critical")
    declined = post_need(member, group, "Declined", "high")
    shrunk = post_need(member, group, "Shrunk", "normal", 2)
    suggestions.suggestions_work_out(actor=None, group=group)
    assert sorted(shown(helper)) == [("Cancelled", 1), ("Declined", 1), ("Met by someone else", 1)]
    # More to give: the next run proposes "Shrunk" too.
    Offer.objects.filter(pk=veg.pk).update(quantity=5)
    suggestions.suggestions_work_out(actor=None, group=group)
    assert len(shown(helper)) == 4
    services.match_claim(actor=member, need=met, quantity=1)
    services.need_cancel(actor=owner, need=cancelled)
    suggestions.suggestion_decline(actor=helper, need=declined, offer=veg)
    services.match_claim(actor=owner, need=shrunk, quantity=1)
    assert shown(helper) == [("Shrunk", 1)]  # cut down to what the need still has
    client.force_login(owner)
    page = client.get(reverse("group_allocation", args=[group.public_id])).content.decode()
    assert "Shrunk" in page and "Met by someone else" not in page and "Declined" not in page


def test_an_offer_used_up_or_paused_since_is_not_proposed_beyond_what_it_has(group, owner, member, helper, veg):
    first = post_need(owner, group, "First", "critical", 2)
    post_need(member, group, "Second", "high", 1)
    suggestions.suggestions_work_out(actor=None, group=group)
    assert shown(helper) == [("First", 2), ("Second", 1)]
    other = post_need(owner, group, "Claimed from the offer meanwhile", "low", 1)
    services.match_claim(actor=helper, need=other, quantity=1, offer=veg)  # 2 of 3 left
    assert shown(helper) == [("First", 2)]  # the offer's capacity goes to the stored order's first pairs
    services.match_claim(actor=helper, need=first, quantity=1, offer=veg)
    assert shown(helper) == [("First", 1)]
    services.offer_set_status(actor=helper, offer=veg, status="paused")
    assert shown(helper) == []


def test_needs_past_their_time_are_not_shown(group, owner, helper, veg):
    need = services.need_create(actor=owner, group=group, title="Soon", category="groceries", quantity=1,
                                urgency="high", needed_by=timezone.now() + timedelta(hours=1))
    suggestions.suggestions_work_out(actor=None, group=group)
    assert shown(helper) == [("Soon", 1)]
    type(need).objects.filter(pk=need.pk).update(needed_by=timezone.now() - timedelta(minutes=1))
    assert shown(helper) == []


def test_the_stored_network_result_shows_a_coordinator_only_their_own_groups_pairs(
        client, group, owner, helper, veg, other_group, outsider, make_user):
    post_need(owner, group, "Northside secret need")
    southside_helper = make_user("sven")
    networks.group_join(actor=southside_helper, group=other_group)
    networks.trust_give(actor=outsider, group=other_group, receiver=southside_helper)
    services.offer_create(actor=southside_helper, group=other_group, title="Southside bags", category="groceries",
                          quantity=2, lat=51.4, lon=-0.1)
    services.need_create(actor=outsider, group=other_group, title="Southside need", category="groceries",
                         quantity=1, urgency="high", lat=51.4, lon=-0.1)
    suggestions.suggestions_work_out(actor=outsider, group=None)
    assert AllocationResult.objects.get(scope="network").proposals.count() == 2  # stored in full
    client.force_login(outsider)
    page = client.get(reverse("network_allocation")).content.decode()
    assert "Southside need" in page and "Northside secret need" not in page and "Veg boxes" not in page
    assert "Northside Pod" in page  # as a row of totals: how well it is served
    served = client.get(reverse("network_allocation")).context["groups_served"]
    assert {row["name"]: row["allocated"] for row in served} == {"Northside Pod": 1, "Southside Pod": 1}
    client.force_login(owner)
    page = client.get(reverse("network_allocation")).content.decode()
    assert "Northside secret need" in page and "Southside need" not in page


def test_the_pages_read_a_fixed_number_of_queries_whatever_the_proposals(client, group, owner, helper, veg,
                                                                          member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(user, url):
        client.force_login(user)
        client.get(url)  # the session, warmed
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    pages = [(helper, reverse("my_suggestions")), (owner, reverse("group_allocation", args=[group.public_id])),
             (owner, reverse("network_allocation"))]
    post_need(owner, group, "One")
    suggestions.suggestions_work_out_all()
    few = [queries(user, url) for user, url in pages]
    Offer.objects.filter(pk=veg.pk).update(quantity=50)
    for i in range(6):
        post_need(member if i % 2 else owner, group, f"Need {i}")
    suggestions.suggestions_work_out_all()
    assert AllocationResult.objects.get(group=group).proposals.count() == 7
    assert [queries(user, url) for user, url in pages] == few
