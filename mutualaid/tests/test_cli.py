"""The `mutualaid` command as an operator uses it: in a separate process, on its own database file."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mutualaid.front import demo
from mutualaid.audit.services import verify_chain
from mutualaid.circulation.models import Match, Need, Offer
from mutualaid.networks.models import Group, Membership, Trust, User


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mutualaid.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", MUTUALAID_VAR_DIR=str(tmp_path))
    return env


def test_verify_audit_command_names_the_altered_entry(cli_env, tmp_path):
    assert run_cli("migrate", "-v0", env=cli_env).returncode == 0
    loaded = run_cli("demo", env=cli_env)
    assert loaded.returncode == 0, loaded.stderr
    assert "password for all" in loaded.stdout

    ok = run_cli("verify-audit", env=cli_env)
    assert ok.returncode == 0, ok.stderr
    assert "audit chain verified" in ok.stdout

    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        db.execute("""UPDATE audit_auditentry SET "after" = '{"quantity": 999}' WHERE seq = 40""")
    broken = run_cli("verify-audit", env=cli_env)
    assert broken.returncode != 0
    assert "entry #40" in broken.stderr and "altered" in broken.stderr


def test_verify_audit_command_notices_a_removed_entry(cli_env, tmp_path):
    assert run_cli("migrate", "-v0", env=cli_env).returncode == 0
    assert run_cli("demo", env=cli_env).returncode == 0
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        db.execute("DELETE FROM audit_auditentry WHERE seq = 12")
    broken = run_cli("verify-audit", env=cli_env)
    assert broken.returncode != 0
    assert "entry #12 is missing" in broken.stderr


def test_unknown_command_fails_with_a_message(cli_env):
    result = run_cli("no-such-command", env=cli_env)
    assert result.returncode != 0
    assert "Unknown command" in result.stderr


def test_help_lists_the_commands(cli_env):
    result = run_cli("--help", env=cli_env)
    assert result.returncode == 0
    for command in ("serve", "demo", "verify-audit"):
        assert command in result.stdout


@pytest.mark.django_db
def test_demo_network_has_groups_members_trust_and_every_need_state():
    assert demo.load(if_empty=True) is True
    assert Group.objects.count() == 3
    assert User.objects.count() >= 12
    assert Trust.objects.exists()
    assert Membership.objects.filter(role="coordinator").count() >= 4  # founders and one earned by trust
    statuses = set(Need.objects.values_list("status", flat=True))
    assert statuses >= {s.value for s in Need.Status}, f"missing: {set(Need.Status.values) - statuses}"
    assert set(Offer.objects.values_list("status", flat=True)) >= {"active", "paused", "withdrawn"}
    assert set(Match.objects.values_list("status", flat=True)) == {"proposed", "requested", "confirmed", "completed",
                                                                   "cancelled"}
    assert verify_chain().ok
    # A second run on a database with data leaves it alone.
    assert demo.load(if_empty=True) is False
    assert Group.objects.count() == 3


def test_the_worker_runs_each_periodic_job_once(cli_env):
    assert run_cli("migrate", "-v0", env=cli_env).returncode == 0
    done = run_cli("worker", "--once", env=cli_env)
    assert done.returncode == 0, done.stderr
    assert "expired 0 need(s)" in done.stdout
    assert "0 unconfirmed suspension(s) lapsed" in done.stdout
    assert "0 expired API token(s) deleted" in done.stdout
    assert "worked out the suggestions of 1 scope(s)" in done.stdout  # no group yet: the network's (empty) result
    again = run_cli("worker", "--once", env=cli_env)
    assert "worked out the suggestions of 0 scope(s)" in again.stdout, again.stderr  # nothing changed since


def test_the_worker_runs_every_declared_job_on_its_cluster_and_stops_on_interrupt(cli_env, tmp_path):
    """The real worker: django-q2's cluster, its schedules and queue in the (SQLite) database, no other server."""
    import signal
    import sqlite3
    import time

    assert run_cli("migrate", "-v0", env=cli_env).returncode == 0
    worker = subprocess.Popen([sys.executable, "-m", "mutualaid.cli", "worker"], env=cli_env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    done: set[str] = set()
    try:
        deadline = time.monotonic() + 110
        while time.monotonic() < deadline and len(done) < 4:
            time.sleep(2)
            with sqlite3.connect(tmp_path / "db.sqlite3") as db:
                done = {row[0] for row in db.execute("SELECT func FROM django_q_task WHERE success = 1")}
    finally:
        worker.send_signal(signal.SIGINT)
        output = worker.communicate(timeout=60)[0]
    assert done == {"mutualaid.circulation.services.needs_expire_overdue",
                    "mutualaid.circulation.suggestions.services.suggestions_work_out_all",
                    "mutualaid.networks.services.suspensions_lapse",
                    "mutualaid.networks.services.tokens_purge_expired"}, output[-3000:]
    assert "scheduled mutualaid:networks.suspensions_lapse" in output
    assert worker.returncode is not None


def test_schedules_follow_the_declared_jobs(db):
    from django_q.models import Schedule

    from mutualaid.core import periodic

    Schedule.objects.create(name="mutualaid:gone.job", func="mutualaid.gone", schedule_type=Schedule.MINUTES,
                            minutes=5)
    Schedule.objects.create(name="someone-else", func="x.y", schedule_type=Schedule.HOURLY)
    names = periodic.schedule_all()
    assert periodic.schedule_all() == names  # again: the same, nothing doubled
    ours = dict(Schedule.objects.filter(name__startswith="mutualaid:").values_list("name", "minutes"))
    assert ours == {"mutualaid:circulation.needs_expire_overdue": 5, "mutualaid:networks.suspensions_lapse": 10,
                    "mutualaid:circulation.suggestions_work_out": 10,
                    "mutualaid:networks.tokens_purge_expired": 60}
    assert Schedule.objects.filter(name="someone-else").exists()  # not ours: left alone
