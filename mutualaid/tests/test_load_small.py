"""The concurrency load at CI scale, on the suite's own database engine, and the load check's invariants themselves.

The first test runs `bench/load.py` with 10 people for 8 seconds against a real `mutualaid serve` (gunicorn) on a
scratch database (an SQLite file, or a PostgreSQL database created for the run and dropped after it), then checks
the invariants in that database. The others show that each invariant notices the broken state it exists for.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from datetime import timedelta

from django.db import connection
from django.db.models import F
from django.utils import timezone

from mutualaid.front import loadcheck as account_checks
from mutualaid.audit import loadcheck as audit_checks
from mutualaid.circulation import loadcheck as circulation_checks
from mutualaid.circulation import services as circulation
from mutualaid.circulation.models import MatchMessage, Need, Offer
from mutualaid.loadcheck.harness import postgres_server_url
from mutualaid.networks import loadcheck as network_checks
from mutualaid.networks import services as networks
from mutualaid.networks.models import ApiToken, Area, Membership

REPO = Path(__file__).resolve().parents[2]


def load_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "MUTUALAID_TESTING"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = postgres_server_url(connection.settings_dict)
    else:
        env.pop("DATABASE_URL", None)
    return env


def test_ten_people_for_eight_seconds_break_no_invariant(tmp_path):
    out = tmp_path / "summary.json"
    # Two gunicorn workers (of 4 threads): they boot faster than serve's default on CI's two cores.
    result = subprocess.run([sys.executable, str(REPO / "bench" / "load.py"), "--clients", "10", "--duration", "8",
                             "--workers", "2", "--json", str(out)], env=load_env(), cwd=REPO, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    summary = json.loads(out.read_text())
    assert summary["engine"] == ("postgresql" if connection.vendor == "postgresql" else "sqlite")
    assert summary["clients"] == 10
    assert summary["invariants"] and not any(summary["invariants"].values())
    assert not [s for s in summary["by_status"] if s == "0" or s.startswith("5")]
    # People really did things, and on both sides of the product: pages, the API, claims, trust.
    actions = summary["actions"]
    for name in ("web.board", "web.need", "api.needs", "need.post", "need.claim", "trust.give", "tokens.list"):
        assert actions[name]["count"] > 0, name
    # Rarer steps (they need a match, or a need of one's own, first) run when the dice allow: an 8-second run may
    # miss one, so here they are checked to be in the mix; the invariants above hold whichever of them ran.
    from mutualaid.loadcheck import ACTIONS, discover
    discover()
    assert {"match.message", "need.edit", "offer.request", "area.add", "areas.list"} <= {a.name for a in ACTIONS}
    assert actions["need.claim"]["statuses"].get("201", 0) > 0
    assert "all invariants hold" in result.stdout


# --- Each invariant notices what it is there for ---------------------------------------------------


@pytest.fixture
def claimed(need, member):
    return circulation.match_claim(actor=member, need=need, quantity=1)


def test_a_claim_counted_twice_is_reported(claimed, need):
    assert circulation_checks.needs_add_up() == []
    Need.objects.filter(pk=need.pk).update(quantity_claimed=F("quantity_claimed") + 1)
    problems = circulation_checks.needs_add_up()
    assert problems == [f"need {need.public_id}: matches hold 1 but quantity_claimed is 2"]


def test_an_offer_committed_without_a_match_is_reported(group, member):
    offer = circulation.offer_create(actor=member, group=group, title="Rides", category="transport", quantity=3)
    assert circulation_checks.offers_add_up() == []
    Offer.objects.filter(pk=offer.pk).update(quantity_committed=2)
    assert circulation_checks.offers_add_up() == [f"offer {offer.public_id}: matches hold 0 but "
                                                  f"quantity_committed is 2"]


def test_a_status_that_contradicts_the_quantities_is_reported(claimed, need):
    assert circulation_checks.need_status_consistent() == []
    Need.objects.filter(pk=need.pk).update(status=Need.Status.OPEN)
    assert circulation_checks.need_status_consistent() == [
        f"need {need.public_id}: status open, its quantities say partly_matched"]


def test_a_message_by_someone_not_on_the_match_is_reported(claimed, need, make_user, group):
    circulation.match_message_write(actor=claimed.helper, match=claimed, text="On my way")
    assert circulation_checks.messages_by_those_who_may() == []
    stranger = make_user("stranger")
    networks.group_join(actor=stranger, group=group)
    message = MatchMessage.objects.create(match=claimed, author=stranger, text="Let me in")  # past the service
    assert circulation_checks.messages_by_those_who_may() == [
        f"message {message.pk} on a match was written by user {stranger.pk}, neither a side nor a coordinator"]


def test_an_area_written_past_the_service_is_reported(group, owner):
    networks.area_add(actor=owner, group=group, name="Elm Road")
    assert network_checks.areas_audited() == []
    forged = Area.objects.create(group=group, name="Nowhere")
    assert network_checks.areas_audited() == [f"area {forged.public_id} (Northside Pod) has no audit entry"]


def test_a_member_trusted_past_the_threshold_but_not_coordinating_is_reported(group, owner, member, make_user):
    third = make_user("tere")
    networks.group_join(actor=third, group=group)
    networks.trust_give(actor=owner, group=group, receiver=third)
    networks.trust_give(actor=owner, group=group, receiver=member)
    networks.trust_give(actor=third, group=group, receiver=member)  # two paths, threshold 2
    assert network_checks.roles_follow_trust() == []
    assert network_checks.roles_replay_from_audit() == []
    Membership.objects.filter(group=group, user=member).update(role=Membership.Role.NEWCOMER)
    assert network_checks.roles_follow_trust() == [
        "Northside Pod: mateo has counted trust 2 and is newcomer, the rule says coordinator"]
    assert network_checks.roles_replay_from_audit() == [
        "mateo in Northside Pod: the audit replays to coordinator, stored newcomer"]


def test_a_coordinator_the_rule_does_not_name_is_reported(group, member):
    Membership.objects.filter(group=group, user=member).update(role=Membership.Role.COORDINATOR)
    problems = network_checks.roles_follow_trust()
    assert problems == ["Northside Pod: mateo has counted trust 0 and is coordinator, the rule says newcomer"]


def test_an_altered_audit_entry_is_reported(need):
    assert audit_checks.audit_chain_verifies() == []
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = 'need.forged' WHERE seq = 3")
    assert audit_checks.audit_chain_verifies() == ["entry #3 (need.forged) was altered"]


def test_a_revoked_token_left_behind_is_reported(member):
    networks.token_create(actor=member)
    token = ApiToken.objects.get(user=member)
    assert account_checks.tokens_hold() == []
    networks.token_revoke(actor=member, token_id=token.public_id)
    ApiToken.objects.create(public_id=token.public_id, user=member, key_hash=token.key_hash)  # put back by a bug
    assert account_checks.tokens_hold() == [f"1 revoked token(s) still exist, e.g. {token.public_id}"]


def test_a_load_person_left_without_a_working_token_is_reported(db):
    person = networks.user_register(username="load001", password="load-check-passphrase-7")
    networks.token_create(actor=person)
    assert account_checks.tokens_hold() == []
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(days=31))
    assert account_checks.tokens_hold() == ["1 person(s) were left with no working token, e.g. load001"]
