"""Faults a real deployment meets, against a real `mutualaid serve` (gunicorn) on the suite's database engine:

- the server killed (SIGKILL, its whole process group) in the middle of a load: every write the clients saw
  acknowledged is still there after the restart, no write is half done, the audit chain verifies, it serves again;
- the database becoming unreachable: pages answer 503 with a translated page and Retry-After, the API a JSON
  `{"detail": ...}` 503, never a stack trace; and everything works again once the database is back.
On SQLite the database file is moved away (a directory put in its place, which SQLite cannot open); on PostgreSQL
the server reaches the database through a TCP proxy on 127.0.0.1 that the test cuts and restores.
"""
from __future__ import annotations

import asyncio
import http.client
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from django.db import connection

from mutualaid.loadcheck.harness import HOST, ScratchDatabase, Server, free_port, postgres_server_url, server_env

REPO = Path(__file__).resolve().parents[2]
ON_POSTGRES = connection.vendor == "postgresql"


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "MUTUALAID_TESTING"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    return env


def server_url() -> str:
    return postgres_server_url(connection.settings_dict)


def test_a_server_killed_mid_load_loses_no_acknowledged_write(tmp_path):
    env = base_env()
    if ON_POSTGRES:
        env["DATABASE_URL"] = server_url()
    out = tmp_path / "summary.json"
    result = subprocess.run([sys.executable, str(REPO / "bench" / "load.py"), "--clients", "8", "--duration", "7",
                             "--kill-at", "2.5", "--workers", "2", "--json", str(out)],
                            env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    summary = json.loads(out.read_text())
    crash = summary["crash"]
    assert crash["restarted"] and crash["ok_after_restart"] > 0
    # Writes were acknowledged before and after the crash, and every one of them was found again.
    assert summary["acks"].get("need", 0) > 0 and summary["acks"].get("match", 0) > 0
    assert set(summary["durability"]) >= {"need", "match"} and not any(summary["durability"].values())
    assert summary["invariants"] and not any(summary["invariants"].values())


# --- The database out of reach ----------------------------------------------------------------------


class TcpProxy:
    """127.0.0.1:port -> 127.0.0.1:5432, in a thread; `cut()` refuses new connections and drops open ones."""

    def __init__(self, port: int, target: tuple[str, int]):
        self.port, self.target = port, target
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def _pipe(self, reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, client_reader, client_writer):
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        self.writers |= {client_writer, upstream_writer}
        await asyncio.gather(self._pipe(client_reader, upstream_writer), self._pipe(upstream_reader, client_writer))
        self.writers -= {client_writer, upstream_writer}

    def _run(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    def start(self) -> None:
        async def start():
            self.server = await asyncio.start_server(self._handle, HOST, self.port)

        self._run(start())

    def cut(self) -> None:
        async def cut():
            self.server.close()
            await self.server.wait_closed()
            for writer in list(self.writers):
                writer.transport.abort()
            self.writers.clear()

        self._run(cut())

    def close(self) -> None:
        if self.server is not None and self.server.is_serving():
            self.cut()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


@pytest.fixture
def outage(tmp_path):
    """A migrated scratch database, a server on it, and `cut()` / `restore()` of the way to the database."""
    env = base_env()
    db = ScratchDatabase(server_url() if ON_POSTGRES else None, tmp_path, prefix="faults")
    proxy = None
    server = None
    try:
        migrated = subprocess.run([sys.executable, "-m", "mutualaid.cli", "migrate", "-v0"],
                                  env={**env, **server_env(db.url, tmp_path)}, cwd=REPO, capture_output=True,
                                  text=True, timeout=180)
        assert migrated.returncode == 0, migrated.stderr
        served_url = db.url
        if ON_POSTGRES:
            parsed = urlparse(db.url)
            proxy = TcpProxy(free_port(), (HOST, parsed.port or 5432))
            proxy.start()
            credentials = parsed.netloc.rpartition("@")[0]
            served_url = urlunparse(parsed._replace(netloc=f"{credentials}@{HOST}:{proxy.port}"))
        server = Server({**env, **server_env(served_url, tmp_path)}, free_port(), tmp_path / "server.log",
                        workers=1, threads=2)
        server.start()
        db_file = tmp_path / "mutualaid.sqlite3"
        away = tmp_path / "moved-away.sqlite3"

        def cut():
            if proxy:
                proxy.cut()
            else:
                db_file.rename(away)
                db_file.mkdir()  # a directory where the file was: SQLite cannot open it

        def restore():
            if proxy:
                proxy.start()
            else:
                db_file.rmdir()
                away.rename(db_file)

        yield server, cut, restore
    finally:
        if server is not None:
            server.stop()
        if proxy is not None:
            proxy.close()
        db.drop()


SESSION = {"Cookie": "sessionid=an-unknown-session-that-is-looked-up-in-the-database"}
TOKEN = {"Authorization": "Bearer not-a-real-token"}


def test_an_unreachable_database_answers_503_and_the_app_recovers(outage):
    server, cut, restore = outage
    port = server.port
    assert get(port, "/groups/")[0] == 200
    assert get(port, "/api/v1/groups")[0] == 200

    cut()
    # A page whose view reads the database.
    status, headers, body = get(port, "/groups/")
    assert status == 503, body[:2000]
    assert headers["retry-after"] == "30"
    assert "We are briefly unavailable" in body and "Traceback" not in body
    # A request whose session is read before any view runs, in the visitor's language.
    status, headers, body = get(port, "/", {**SESSION, "Accept-Language": "es"})
    assert status == 503, body[:2000]
    assert 'lang="es"' in body and "no podemos atenderte" in body
    # The API, signed in with a token: JSON, like every API error.
    status, headers, body = get(port, "/api/v1/needs", TOKEN)
    assert status == 503 and headers["content-type"].startswith("application/json")
    assert "database cannot be reached" in json.loads(body)["detail"]
    assert headers["retry-after"] == "30"
    # The process itself is alive: liveness needs no database.
    assert get(port, "/healthz")[:1] == (200,)

    restore()
    assert get(port, "/groups/")[0] == 200
    assert get(port, "/", SESSION)[0] == 200
    assert get(port, "/api/v1/needs", TOKEN)[0] == 401  # the token is looked up again, and refused
    assert "Traceback" not in server.log_tail(200)
