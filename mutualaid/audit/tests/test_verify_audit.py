"""`mutualaid verify-audit`: says the chain is whole, or names the first entry altered or removed and exits
non-zero. Tampering is done the way an intruder would: raw SQL, around the app's append-only guard."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import translation

from mutualaid.audit.models import AuditEntry, AuditHead
from mutualaid.audit.services import GENESIS, entry_digest
from mutualaid.circulation import services as circulation
from mutualaid.networks import services as networks

TABLE = AuditEntry._meta.db_table


@pytest.fixture
def history(group, owner, member):
    """A few dozen entries from real service calls."""
    need = circulation.need_create(actor=owner, group=group, title="Soup", category="food", quantity=2)
    circulation.match_claim(actor=member, need=need, quantity=1)
    networks.trust_give(actor=owner, group=group, receiver=member)
    return AuditEntry.objects.count()


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def broken() -> CommandError:
    with pytest.raises(CommandError) as exc:
        verify()
    assert exc.value.returncode != 0  # what the command line exits with
    return exc.value


def raw(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=TABLE), params)
        return cursor.rowcount


@pytest.mark.django_db
def test_an_intact_chain_verifies(history):
    assert verify().strip().splitlines()[0] == f"audit chain verified: {history} entries"


@pytest.mark.django_db
def test_an_altered_after_is_named(history):
    middle = history // 2
    assert raw("UPDATE {table} SET after = %s WHERE seq = %s", [json.dumps({"status": "forged"}), middle]) == 1
    error = broken()
    assert f"#{middle} " in str(error) and "was altered" in str(error)
    assert f"({middle - 1} entries verified before it)" in str(error)


@pytest.mark.django_db
@pytest.mark.parametrize(("column", "value"), [
    ("actor", "00000000-0000-0000-0000-000000000000"), ("action", "need.forged"), ("object_id", "0"),
    ("created_at", "2001-01-01 00:00:00"),
])
def test_other_altered_fields_are_named(history, column, value):
    raw(f"UPDATE {{table}} SET {column} = %s WHERE seq = %s", [value, 3])
    assert "entry #3 " in str(broken())


@pytest.mark.django_db
def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_next_link(history):
    """Recomputing the forged entry's own hash does not help: the next entry still points to the old one."""
    entry = AuditEntry.objects.get(seq=5)
    forged_after = {"forged": True}
    digest = entry_digest(prev_hash=entry.prev_hash, seq=entry.seq, created_at=entry.created_at.isoformat(),
                          actor=entry.actor, action=entry.action, object_type=entry.object_type,
                          object_id=entry.object_id, before=entry.before, after=forged_after)
    raw("UPDATE {table} SET after = %s, hash = %s WHERE seq = 5", [json.dumps(forged_after), digest])
    assert "entry #6 does not follow entry #5" in str(broken())


@pytest.mark.django_db
def test_an_entry_deleted_in_the_middle_is_named(history):
    middle = history // 2
    assert raw("DELETE FROM {table} WHERE seq = %s", [middle]) == 1
    error = broken()
    assert f"entry #{middle} is missing" in str(error)


@pytest.mark.django_db
def test_the_last_entry_deleted_is_named(history):
    assert raw("DELETE FROM {table} WHERE seq = %s", [history]) == 1
    assert f"entry #{history} is missing" in str(broken())


@pytest.mark.django_db
def test_the_first_entry_deleted_is_named(history):
    raw("DELETE FROM {table} WHERE seq = 1", [])
    assert "entry #1 is missing" in str(broken())


# --- The real command line ------------------------------------------------------------------------


def command_line_env() -> dict[str, str]:
    """Point a child process at the test database (committed data: transactional tests only)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    elif connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        url = f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    else:  # pragma: no cover
        pytest.skip(reason="the test knows how to point a child process at SQLite and PostgreSQL, "
                           f"not {connection.vendor}")
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "mutualaid.settings"}


def run_command_line(*args: str) -> subprocess.CompletedProcess:
    executable = Path(sys.executable).with_name("mutualaid")
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "mutualaid.cli"]
    return subprocess.run([*command, "verify-audit", *args], env=command_line_env(), capture_output=True, text=True,
                          timeout=60, cwd=settings.BASE_DIR)


@pytest.mark.django_db(transaction=True)
def test_the_command_line_exits_zero_then_non_zero_naming_the_entry(history):
    done = run_command_line()
    assert done.returncode == 0, done.stderr
    assert f"audit chain verified: {history} entries" in done.stdout

    raw("UPDATE {table} SET after = %s WHERE seq = %s", [json.dumps({"status": "forged"}), 4])
    done = run_command_line()
    assert done.returncode != 0
    assert "entry #4 " in done.stderr and "was altered" in done.stderr


# --- Checkpoints held elsewhere (`--since SEQ:HASH`) ----------------------------------------------


def verify_since(checkpoint: str) -> str:
    out = StringIO()
    call_command("verify_audit", f"--since={checkpoint}", stdout=out)
    return out.getvalue()


def printed_checkpoint(output: str) -> str:
    last = output.strip().splitlines()[-1]
    assert last.startswith("checkpoint: "), output
    return last.removeprefix("checkpoint: ")


def rewrite_consistently(seq: int, after: dict) -> None:
    """What an intruder with write access does: edit one entry, then recompute its hash, every later link and hash,
    and the head, exactly as the code would. Plain verification cannot tell."""
    entries = list(AuditEntry.objects.filter(seq__gte=seq).order_by("seq"))
    prev = entries[0].prev_hash
    for entry in entries:
        if entry.seq == seq:
            entry.after = after
        digest = entry_digest(prev_hash=prev, seq=entry.seq, created_at=entry.created_at.isoformat(),
                              actor=entry.actor, action=entry.action, object_type=entry.object_type,
                              object_id=entry.object_id, before=entry.before, after=entry.after)
        raw("UPDATE {table} SET after = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [json.dumps(entry.after), prev, digest, entry.seq])
        prev = digest
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditHead._meta.db_table} SET hash = %s WHERE id = 1", [prev])


@pytest.mark.django_db
def test_verify_prints_the_current_checkpoint_last(history):
    head = AuditEntry.objects.get(seq=history)
    assert printed_checkpoint(verify()) == f"{history}:{head.hash}"


@pytest.mark.django_db
def test_a_good_checkpoint_verifies(history):
    checkpoint = printed_checkpoint(verify())
    output = verify_since(checkpoint)
    assert f"audit chain verified: {history} entries" in output
    assert f"checkpoint #{history} matches" in output
    assert printed_checkpoint(output) == checkpoint


@pytest.mark.django_db
def test_an_older_checkpoint_verifies_after_more_entries(history, group, owner):
    checkpoint = printed_checkpoint(verify())
    circulation.need_create(actor=owner, group=group, title="Bread", category="food", quantity=1)
    assert AuditEntry.objects.count() > history
    assert f"checkpoint #{history} matches" in verify_since(checkpoint)


@pytest.mark.django_db
def test_the_empty_chains_checkpoint_verifies(db):
    checkpoint = printed_checkpoint(verify())
    assert checkpoint == f"0:{GENESIS}"
    assert "checkpoint #0 matches" in verify_since(checkpoint)


@pytest.mark.django_db
def test_a_consistent_rewrite_passes_plain_verify_but_fails_against_an_earlier_checkpoint(history):
    checkpoint = printed_checkpoint(verify())
    rewrite_consistently(3, {"status": "forged"})
    assert verify().startswith(f"audit chain verified: {history} entries")  # the rewrite is consistent

    with pytest.raises(CommandError) as exc:
        verify_since(checkpoint)
    assert exc.value.returncode != 0
    message = str(exc.value)
    assert f"entry #{history} does not match the checkpoint" in message
    assert checkpoint.split(":")[1] in message


@pytest.mark.django_db
def test_a_rewrite_of_the_checkpoint_entry_itself_is_named(history):
    middle = history // 2
    checkpoint = f"{middle}:{AuditEntry.objects.get(seq=middle).hash}"
    rewrite_consistently(middle, {"status": "forged"})
    with pytest.raises(CommandError) as exc:
        verify_since(checkpoint)
    assert f"entry #{middle} does not match the checkpoint" in str(exc.value)


@pytest.mark.django_db
def test_a_chain_cut_back_before_the_checkpoint_is_named(history):
    checkpoint = printed_checkpoint(verify())
    raw("DELETE FROM {table} WHERE seq = %s", [history])
    previous = AuditEntry.objects.get(seq=history - 1)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditHead._meta.db_table} SET seq = %s, hash = %s WHERE id = 1",
                       [history - 1, previous.hash])
    assert verify().startswith(f"audit chain verified: {history - 1} entries")
    with pytest.raises(CommandError) as exc:
        verify_since(checkpoint)
    assert f"entry #{history} of the checkpoint is missing" in str(exc.value)


@pytest.mark.django_db
@pytest.mark.parametrize("checkpoint", [
    "", "12", "abc:" + "0" * 64, "-1:" + "0" * 64, "3:abc", "3:" + "g" * 64, "3:" + "0" * 63, "3:" + "0" * 64 + ":x",
])
def test_a_malformed_checkpoint_is_a_command_error(history, checkpoint):
    with pytest.raises(CommandError) as exc:
        verify_since(checkpoint)
    assert exc.value.returncode != 0
    assert "SEQ:HASH" in str(exc.value)


@pytest.mark.django_db(transaction=True)
def test_the_command_line_checks_a_checkpoint_and_rejects_a_malformed_one(history):
    done = run_command_line()
    assert done.returncode == 0, done.stderr
    checkpoint = printed_checkpoint(done.stdout)

    done = run_command_line("--since", checkpoint)
    assert done.returncode == 0, done.stderr
    assert f"checkpoint #{history} matches" in done.stdout

    done = run_command_line("--since", "not-a-checkpoint")
    assert done.returncode != 0
    assert "SEQ:HASH" in done.stderr

    rewrite_consistently(2, {"status": "forged"})
    assert run_command_line().returncode == 0
    done = run_command_line("--since", checkpoint)
    assert done.returncode != 0
    assert f"entry #{history} does not match the checkpoint" in done.stderr


# --- Where coordinators see the checkpoint --------------------------------------------------------


def members_page(client, user, group) -> str:
    client.force_login(user)
    response = client.get(reverse("group_members", args=[group.public_id]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_coordinator_sees_the_checkpoint_on_the_members_page(client, history, group, owner):
    assert group.memberships.get(user=owner).is_coordinator
    head = AuditHead.objects.get(id=1)
    assert f"Audit checkpoint: {head.seq}:{head.hash}" in members_page(client, owner, group)


@pytest.mark.django_db
def test_a_member_does_not_see_the_checkpoint(client, history, group, member):
    assert not group.memberships.get(user=member).is_coordinator
    page = members_page(client, member, group)
    assert "Audit checkpoint" not in page
    assert AuditHead.objects.get(id=1).hash not in page


@pytest.mark.django_db
def test_the_checkpoint_line_is_translated(client, history, group, owner):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    head = AuditHead.objects.get(id=1)
    with translation.override("en"):  # the language middleware activates Spanish on this thread: undo it after
        page = members_page(client, owner, group)
    assert f"Punto de control de la auditoría: {head.seq}:{head.hash}" in page


# --- And in the e-mails they get -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_coordinators_notification_email_contains_the_checkpoint(history, group, owner, member,
                                                                   django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        networks.notify(user=owner, kind="role_changed", params={"group": group.name, "role": "coordinator"})
        networks.notify(user=member, kind="role_changed", params={"group": group.name, "role": "member"})
    head = AuditHead.objects.get(id=1)
    to_owner, to_member = ([m for m in mailoutbox if m.to == [u.email]] for u in (owner, member))
    assert len(to_owner) == 1 and len(to_member) == 1
    assert f"Audit checkpoint: {head.seq}:{head.hash}" in to_owner[0].body
    assert "Audit checkpoint" not in to_member[0].body
