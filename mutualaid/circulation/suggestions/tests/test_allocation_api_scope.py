"""The allocation API's scope: a coordinator sees their own groups' needs and offers, others' only as totals; and a
fair (`maxmin`) run is one at a time per group (and one at a time over the network)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from mutualaid.circulation import services
from mutualaid.circulation.suggestions import services as suggestions
from mutualaid.circulation.models import AllocationRun
from mutualaid.core.errors import Busy
from mutualaid.networks import services as networks

pytestmark = pytest.mark.django_db


def api(user, **extra):
    return {"HTTP_AUTHORIZATION": f"Bearer {networks.token_create(actor=user)}", **extra}


def run(client, user, body, **extra):
    return client.post("/api/v1/allocations", body, content_type="application/json", **api(user, **extra))


def stock(actor, helper, group, title):
    """A need and an offer that meets it, in `group`."""
    need = services.need_create(actor=actor, group=group, title=title, category="groceries", quantity=2,
                                urgency="critical", lat=51.5, lon=-0.1)
    offer = services.offer_create(actor=helper, group=group, title=f"Offer for {title}", category="groceries",
                                  quantity=3, lat=51.501, lon=-0.101, max_distance_km=5)
    return need, offer


@pytest.fixture
def closed_group(make_user):
    founder = make_user("cleo")
    group = networks.group_create(actor=founder, name="Closed Pod", location_name="Eastside", lat=51.5, lon=-0.1,
                                  is_open=False)
    return group, founder


@pytest.fixture
def mine(group, owner, helper):
    return stock(owner, helper, group, "Food for a family just out of hospital")


@pytest.fixture
def theirs(closed_group):
    group, founder = closed_group
    return services.need_create(actor=founder, group=group, title="Secret closed-group need", category="groceries",
                                quantity=4, urgency="high", lat=51.5, lon=-0.1)


@pytest.fixture
def theirs_matched(other_group, outsider, make_user):
    helper = make_user("sven")
    networks.group_join(actor=helper, group=other_group)
    networks.trust_give(actor=outsider, group=other_group, receiver=helper)
    return stock(outsider, helper, other_group, "Southside private need")


def test_a_fresh_coordinator_sees_no_other_groups_needs_or_offers(client, make_user, mine, theirs, theirs_matched,
                                                                    closed_group):
    newcomer = make_user("nadia")
    own = networks.group_create(actor=newcomer, name="Brand New Pod", location_name="Westside")
    answer = run(client, newcomer, {})
    assert answer.status_code == 200
    text = answer.content.decode()
    secret = [mine[0], mine[1], theirs, *theirs_matched]
    for item in secret:
        assert str(item.public_id) not in text
        assert item.title not in text
    body = answer.json()
    assert body["allocations"] == [] and body["unmet"] == []
    # Others count only as anonymous totals per group: units asked and given, never ids, titles or distances.
    by_group = body["summary"]["by_group"]
    assert by_group[str(closed_group[0].public_id)]["requested"] == 4
    assert by_group[str(mine[0].group.public_id)] == {**by_group[str(mine[0].group.public_id)],
                                                      "requested": 2, "allocated": 2}
    assert body["summary"]["units_allocated"] == 4  # both groups with supply are served, in totals
    assert str(own.public_id) not in by_group  # a group with no needs has no row
    assert "total_distance_km" not in body["summary"]


def test_a_coordinator_sees_their_own_groups_proposals_in_a_network_run(client, owner, mine, theirs,
                                                                        theirs_matched):
    need, offer = mine
    body = run(client, owner, {}).json()
    assert [(a["need"], a["offer"], a["quantity"]) for a in body["allocations"]] == [
        (str(need.public_id), str(offer.public_id), 2)]
    assert body["unmet"] == []
    text = str(body)
    for item in (theirs, *theirs_matched):
        assert str(item.public_id) not in text


def test_a_group_run_still_shows_the_group_in_full(client, owner, mine):
    need, offer = mine
    body = run(client, owner, {"group": str(need.group.public_id), "method": "greedy-urgency"}).json()
    assert [(a["need"], a["offer"]) for a in body["allocations"]] == [(str(need.public_id), str(offer.public_id))]
    assert "total_distance_km" in body["summary"]


def test_a_second_maxmin_run_for_a_group_is_refused_with_429(client, owner, group, other_group, outsider, mine):
    body = {"group": str(group.public_id), "fairness": "maxmin"}
    with suggestions.allocation_run_slot(actor=owner, group=group):
        busy = run(client, owner, body)
        assert busy.status_code == 429
        assert busy.json() == {"detail": "A fair allocation is already running for this group. "
                                         "Try again when it has finished."}
        spanish = run(client, owner, body, HTTP_ACCEPT_LANGUAGE="es")
        assert spanish.status_code == 429 and "Ya hay" in spanish.json()["detail"]
        # Another group's run, and a run that is not maxmin, are not held up.
        assert run(client, outsider, {"group": str(other_group.public_id), "fairness": "maxmin"}).status_code == 200
        assert run(client, owner, {"group": str(group.public_id)}).status_code == 200
    assert run(client, owner, body).status_code == 200
    assert not AllocationRun.objects.exists()  # the slot is given back when a run ends


def test_a_second_network_maxmin_run_is_refused_with_429(client, owner, outsider, other_group, mine):
    with suggestions.allocation_run_slot(actor=outsider, group=None):
        busy = run(client, owner, {"fairness": "maxmin"})
        assert busy.status_code == 429 and busy.json()["detail"].startswith("A fair allocation is already running")
    assert run(client, owner, {"fairness": "maxmin"}).status_code == 200


def test_the_slot_is_refused_in_the_service_and_freed_after_an_error(owner, group):
    with suggestions.allocation_run_slot(actor=owner, group=group):
        with pytest.raises(Busy):
            with suggestions.allocation_run_slot(actor=owner, group=group):
                pass
    with pytest.raises(RuntimeError):
        with suggestions.allocation_run_slot(actor=owner, group=group):
            raise RuntimeError("the engine failed")
    assert not AllocationRun.objects.exists()


def test_a_slot_left_by_a_dead_worker_is_taken_over(owner, group):
    with suggestions.allocation_run_slot(actor=owner, group=group):
        AllocationRun.objects.update(started_at=timezone.now() - suggestions.ALLOCATION_RUN_STALE - timedelta(1))
        with suggestions.allocation_run_slot(actor=owner, group=group):
            assert AllocationRun.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_slot_holds_across_database_connections(owner, group):
    """Another worker (here a thread, with its own connection) is refused while this one holds the slot."""
    import threading

    from django.db import connection

    outcome = {}

    def other_worker():
        try:
            with suggestions.allocation_run_slot(actor=owner, group=group):
                outcome["got"] = "slot"
        except Busy as exc:
            outcome["got"] = exc.status
        finally:
            connection.close()

    with suggestions.allocation_run_slot(actor=owner, group=group):
        worker = threading.Thread(target=other_worker)
        worker.start()
        worker.join(30)
    assert outcome == {"got": 429}
    assert not AllocationRun.objects.exists()
