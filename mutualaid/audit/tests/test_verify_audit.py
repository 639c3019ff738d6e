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

from mutualaid.audit.models import AuditEntry
from mutualaid.audit.services import entry_digest
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
    assert verify().strip() == f"audit chain verified: {history} entries"


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
        pytest.skip(reason=f"the test knows how to point a child process at SQLite and PostgreSQL, not {connection.vendor}")
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "mutualaid.settings"}


def run_command_line() -> subprocess.CompletedProcess:
    executable = Path(sys.executable).with_name("mutualaid")
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "mutualaid.cli"]
    return subprocess.run([*command, "verify-audit"], env=command_line_env(), capture_output=True, text=True,
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
