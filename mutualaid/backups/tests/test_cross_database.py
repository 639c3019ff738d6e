"""Moving an instance between databases as an operator does, with the `mutualaid` command in separate processes:
SQLite -> PostgreSQL -> SQLite, on a scratch PostgreSQL database this test creates and drops."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest


def _server_url() -> str:
    """The PostgreSQL server the suite uses (or the local default), for creating a scratch database on it."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else "postgres://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def scratch_postgres():
    psycopg = pytest.importorskip("psycopg")
    config = dj_database_url.parse(_server_url())
    params = {"host": config["HOST"] or "127.0.0.1", "port": config["PORT"] or 5432, "user": config["USER"],
              "password": config["PASSWORD"] or None, "dbname": "postgres", "connect_timeout": 3,
              "autocommit": True}
    try:
        admin = psycopg.connect(**params)
    except psycopg.OperationalError as exc:
        pytest.skip(reason=f"PostgreSQL is unreachable at {params['host']}:{params['port']} ({exc}); the "
                           "SQLite<->PostgreSQL round trip needs a server")
    name = f"mutualaid_backup_{os.getpid()}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{config['PASSWORD']}" if config["PASSWORD"] else ""
    try:
        yield f"postgres://{config['USER']}{password}@{params['host']}:{params['port']}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def run(*args: str, database_url: str, var: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DATABASE_URL=database_url, MUTUALAID_VAR_DIR=str(var))
    return subprocess.run([sys.executable, "-m", "mutualaid.cli", *args], env=env, capture_output=True, text=True,
                          timeout=180)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def sqlite_rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table as SQLite stores it; JSON text is compared as the JSON it holds (jsonb on
    PostgreSQL keeps no key order, so the same object may come back with its keys in another order)."""
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE "
                                           "'sqlite_%' AND name != 'django_migrations' ORDER BY name")]
        # A full-text index (FTS5) is derived from other tables' rows and rebuilt from them on a restore; the bytes
        # of its segments depend on the order the rows went in, so it is compared by what it holds: every term, in
        # which row, column and position (fts5vocab).
        indexes = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                            "AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%' ORDER BY name")]
        derived = {f"{v}{suffix}" for v in indexes for suffix in ("", "_data", "_idx", "_docsize", "_config")}
        dump = {}
        for index in indexes:
            db.execute(f'CREATE VIRTUAL TABLE temp."{index}_terms" USING fts5vocab(main, "{index}", instance)')
            dump[f"{index} (terms)"] = sorted(db.execute(f'SELECT * FROM temp."{index}_terms"'))
        for table in (t for t in tables if t not in derived):
            rows = []
            for row in db.execute(f'SELECT * FROM "{table}" ORDER BY 1'):
                rows.append(tuple(_json_or_value(v) for v in row))
            dump[table] = rows
    return dump


def _json_or_value(value):
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            pass
    return value


def test_sqlite_to_postgresql_and_back_gives_back_the_same_rows(tmp_path, scratch_postgres):
    source, back = tmp_path / "source.sqlite3", tmp_path / "back.sqlite3"
    sqlite_a, sqlite_b = f"sqlite:///{source}", f"sqlite:///{back}"
    ok(run("migrate", "-v0", database_url=sqlite_a, var=tmp_path))
    with sqlite3.connect(source) as fresh, sqlite3.connect(back) as copy:
        fresh.backup(copy)  # the way back starts from a freshly migrated database too
    ok(run("demo", database_url=sqlite_a, var=tmp_path))
    out = ok(run("backup", str(tmp_path / "from-sqlite.tar.gz"), database_url=sqlite_a, var=tmp_path))
    assert "from sqlite" in out

    # Into production: a new PostgreSQL database, migrated, then restored.
    ok(run("migrate", "-v0", database_url=scratch_postgres, var=tmp_path))
    out = ok(run("restore", str(tmp_path / "from-sqlite.tar.gz"), database_url=scratch_postgres, var=tmp_path))
    assert "from sqlite" in out and "audit chain verified" in out  # checked on PostgreSQL before committing
    # A second restore is refused: the database is in use now.
    again = run("restore", str(tmp_path / "from-sqlite.tar.gz"), database_url=scratch_postgres, var=tmp_path)
    assert again.returncode != 0 and "not empty" in again.stderr
    # ... and back to SQLite.
    ok(run("backup", str(tmp_path / "from-postgres.tar.gz"), database_url=scratch_postgres, var=tmp_path))
    # The sequences moved past the restored ids: the app writes new rows on PostgreSQL without clashing.
    ok(run("shell", "-c", "from mutualaid.networks.services import user_register as r; "
                          "r(username='zora', password='a-long-passphrase-42')",
           database_url=scratch_postgres, var=tmp_path))
    out = ok(run("restore", str(tmp_path / "from-postgres.tar.gz"), database_url=sqlite_b, var=tmp_path))
    assert "from postgresql" in out
    assert "audit chain verified" in ok(run("verify-audit", database_url=sqlite_b, var=tmp_path))

    original, returned = sqlite_rows(source), sqlite_rows(back)
    assert original.keys() == returned.keys()
    for table in original:
        assert returned[table] == original[table], f"{table} differs after SQLite -> PostgreSQL -> SQLite"
    assert len(original["audit_auditentry"]) > 50
