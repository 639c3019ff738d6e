"""The machinery of the load check: a scratch database, a `mutualaid serve` process on a free local port, simulated
people over HTTP (bearer tokens for the API, session cookies for pages), timings, and the report.

Only 127.0.0.1 is ever contacted. Django is imported only once the scratch database is chosen (`setup_django`).
"""
from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

HOST = "127.0.0.1"
PORT_RANGE = (18000, 18999)
REPO = Path(__file__).resolve().parents[2]


# --- Ports, databases, the server process ---------------------------------------------------------


def free_port(lo: int = PORT_RANGE[0], hi: int = PORT_RANGE[1]) -> int:
    """A port in [lo, hi] that nothing listens on (127.0.0.1 only)."""
    candidates = list(range(lo, hi + 1))
    random.shuffle(candidates)
    for port in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {lo}-{hi}")


class ScratchDatabase:
    """Its own database for one run: an SQLite file in a temp dir, or, when DATABASE_URL names a PostgreSQL server,
    a database created on that server for this run and dropped afterwards."""

    def __init__(self, base_url: str | None, var_dir: Path, *, prefix: str = "load"):
        self.base_url = base_url or ""
        self.var_dir = var_dir
        self.name = ""
        parsed = urlparse(self.base_url)
        self.engine = "postgresql" if parsed.scheme.startswith("postgres") else "sqlite"
        if self.engine == "postgresql":
            self.name = f"{prefix}_{os.getpid()}_{random.randrange(10**6)}"
            self.url = urlunparse(parsed._replace(path=f"/{self.name}"))
            self._admin("CREATE DATABASE {}")
        else:
            self.url = f"sqlite:///{var_dir / 'mutualaid.sqlite3'}"

    def _admin(self, statement: str) -> None:
        import psycopg

        parsed = urlparse(self.base_url)
        if parsed.hostname not in {"127.0.0.1", "localhost", "::1"}:
            raise SystemExit("the load check only talks to a database on this machine (127.0.0.1)")
        admin = urlunparse(parsed._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(statement.format(f'"{self.name}"'))

    def drop(self) -> None:
        if self.engine == "postgresql" and self.name:
            from django.db import connections

            connections.close_all()
            self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            self.name = ""


def postgres_server_url(settings_dict: dict) -> str:
    """The URL of the PostgreSQL server a Django connection uses (its `postgres` database): where a test creates
    its scratch databases."""
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    return (f"postgres://{user}{password}@{settings_dict.get('HOST') or '127.0.0.1'}:"
            f"{settings_dict.get('PORT') or 5432}/postgres")


def setup_django(db_url: str, var_dir: Path) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ["MUTUALAID_VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "mutualaid.settings"
    os.environ.pop("MUTUALAID_TESTING", None)
    import django

    django.setup()


def prepare_database() -> None:
    """Migrate the scratch database and make sure the static manifest the production settings need exists."""
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    sources = [p for d in settings.STATICFILES_DIRS for p in Path(d).rglob("*") if p.is_file()]
    newest = max((p.stat().st_mtime for p in sources), default=0)
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        call_command("collectstatic", verbosity=0, interactive=False)


def server_env(db_url: str, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST", "MUTUALAID_TESTING", "DJANGO_SETTINGS_MODULE"))}
    env.update(DATABASE_URL=db_url, MUTUALAID_VAR_DIR=str(var_dir), LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    return env


class Server:
    """`mutualaid serve` (gunicorn) in its own process group, so that the master and its workers die together."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path, *, workers: int | None = None,
                 threads: int | None = None):
        self.env, self.port, self.log_path = env, port, log_path
        self.args = [sys.executable, "-m", "mutualaid.cli", "serve", "--host", HOST, "--port", str(port)]
        if workers:
            self.args += ["--workers", str(workers)]
        if threads:
            self.args += ["--threads", str(threads)]
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the child's lifetime
        self.proc = subprocess.Popen(self.args, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True, cwd=REPO)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited ({self.proc.returncode}):\n{self.log_tail()}")
            if probe(self.port, "/healthz") == 200:
                return
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def kill(self, sig: int = signal.SIGKILL, *, grace: float = 20) -> None:
        """Signal the whole process group (gunicorn's master and every worker); SIGKILL what is left after `grace`."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
        # Workers outlive a killed master in the same group; make sure none survives.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        """Quick shutdown (SIGQUIT), then SIGKILL: no need to wait out idle keep-alive connections."""
        self.kill(signal.SIGQUIT, grace=1)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def probe(port: int, path: str, *, timeout: float = 2.0, headers: dict[str, str] | None = None) -> int:
    """Status of one GET, or 0 when nothing answers."""
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        conn.request("GET", path, headers=headers or {})
        status = conn.getresponse().status
        conn.close()
        return status
    except (OSError, http.client.HTTPException):
        return 0


# --- The world the simulated people share ---------------------------------------------------------


@dataclass
class Person:
    pk: int
    public_id: str
    username: str
    token: str
    session: str
    groups: set[str] = field(default_factory=set)


class World:
    """What the simulated people know. Apps keep their own notes in `world.notes[app]` (under `world.lock`)."""

    def __init__(self, *, clients: int, seed: int = 1):
        self.clients = clients
        self.rng = random.Random(seed)
        self.lock = threading.RLock()
        self.people: list[Person] = []
        self.groups: dict[str, dict[str, Any]] = {}  # public id -> {"threshold": int, "founder": person id}
        self.notes: dict[str, dict[str, Any]] = defaultdict(dict)
        self.acks: dict[str, list[dict]] = defaultdict(list)

    def acknowledge(self, kind: str, **facts: Any) -> None:
        """A write the server answered 2xx: after a crash it must still be there."""
        with self.lock:
            self.acks[kind].append(facts)

    def members(self, group_id: str) -> list[Person]:
        with self.lock:
            return [p for p in self.people if group_id in p.groups]


# --- Timings --------------------------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, Counter] = defaultdict(Counter)
        self.samples: list[str] = []  # the first few 5xx / transport failures, for the report
        self.events: list[tuple[float, int]] = []  # (monotonic time, status) of every request

    def record(self, label: str, status: int, seconds: float, detail: str = "") -> None:
        self.latency[label].append(seconds)
        self.status[label][status] += 1
        self.events.append((time.monotonic(), status))
        if (status == 0 or status >= 500) and len(self.samples) < 10:
            self.samples.append(f"{label}: {status or 'no answer'} {detail[:300]}")

    def merge(self, other: "Stats") -> None:
        for label, values in other.latency.items():
            self.latency[label].extend(values)
        for label, counter in other.status.items():
            self.status[label].update(counter)
        self.samples.extend(other.samples[: max(0, 10 - len(self.samples))])
        self.events.extend(other.events)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


# --- A simulated person's HTTP client -------------------------------------------------------------


@dataclass
class Response:
    status: int
    data: Any


class Client:
    """One person: one keep-alive connection, their token for /api/v1 and their session cookie for pages."""

    IDLE_RECONNECT = 1.0  # gunicorn closes idle keep-alive connections after 2 s: never reuse one near that

    def __init__(self, world: World, person: Person, port: int, stats: Stats, rng: random.Random):
        self.world, self.person, self.port, self.stats, self.rng = world, person, port, stats, rng
        self.conn: http.client.HTTPConnection | None = None
        self.last_used = 0.0

    def _request(self, label: str, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Response:
        if self.conn is None or time.monotonic() - self.last_used > self.IDLE_RECONNECT:
            if self.conn is not None:
                self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = None
            self.stats.record(label, 0, time.perf_counter() - started, f"{method} {path}: {exc!r}")
            time.sleep(0.1)  # the server is away: do not spin
            return Response(0, None)
        finally:
            self.last_used = time.monotonic()
        elapsed = time.perf_counter() - started
        data: Any = None
        if raw and response.getheader("Content-Type", "").startswith("application/json"):
            try:
                data = json.loads(raw)
            except ValueError:
                data = None
        self.stats.record(label, status, elapsed, f"{method} {path}: {raw[:300]!r}" if status >= 500 else "")
        return Response(status, data)

    def api(self, label: str, method: str, path: str, body: dict | None = None) -> Response:
        headers = {"Authorization": f"Bearer {self.person.token}", "Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        return self._request(label, method, f"/api/v1{path}", payload, headers)

    def web(self, label: str, path: str) -> Response:
        headers = {"Cookie": f"sessionid={self.person.session}", "Accept": "text/html",
                   "Accept-Language": self.rng.choice(["en", "en", "es"])}
        return self._request(label, method="GET", path=path, body=None, headers=headers)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


# --- Running the load -----------------------------------------------------------------------------


def seed(world: World) -> None:
    from mutualaid import loadcheck

    for s in sorted(loadcheck.SEEDERS, key=lambda s: s.order):
        s.run(world)


def run_clients(world: World, port: int, *, duration: float, seed_value: int = 1, think: float = 0.0) -> Stats:
    """Every person acts in their own thread until `duration` has passed; returns the merged timings."""
    from mutualaid import loadcheck

    actions = list(loadcheck.ACTIONS)
    weights = [a.weight for a in actions]
    deadline = time.monotonic() + duration
    per_client = [Stats() for _ in world.people]

    def person_loop(index: int) -> None:
        rng = random.Random(seed_value * 10_007 + index)
        client = Client(world, world.people[index], port, per_client[index], rng)
        try:
            while time.monotonic() < deadline:
                for _ in range(5):  # an action with nothing to do draws another
                    act = rng.choices(actions, weights)[0]
                    if act.run(client, world) is not False:
                        break
                if think:
                    time.sleep(rng.uniform(0, 2 * think))
        finally:
            client.close()

    threads = [threading.Thread(target=person_loop, args=(i,), daemon=True) for i in range(len(world.people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 120)
    total = Stats()
    for stats in per_client:
        total.merge(stats)
    return total


def report(stats: Stats, duration: float) -> str:
    lines = [f"{'action':<22} {'count':>7} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses"]
    all_latency: list[float] = []
    for label in sorted(stats.latency):
        values = stats.latency[label]
        all_latency.extend(values)
        statuses = " ".join(f"{s or 'conn'}:{n}" for s, n in sorted(stats.status[label].items()))
        lines.append(f"{label:<22} {len(values):>7} {len(values) / duration:>7.1f} "
                     f"{percentile(values, 50) * 1000:>8.1f} {percentile(values, 95) * 1000:>8.1f} "
                     f"{percentile(values, 99) * 1000:>8.1f}  {statuses}")
    lines.append(f"{'all requests':<22} {len(all_latency):>7} {len(all_latency) / duration:>7.1f} "
                 f"{percentile(all_latency, 50) * 1000:>8.1f} {percentile(all_latency, 95) * 1000:>8.1f} "
                 f"{percentile(all_latency, 99) * 1000:>8.1f}")
    by_status: Counter = Counter()
    for counter in stats.status.values():
        by_status.update(counter)
    errors = {s: n for s, n in by_status.items() if s == 0 or s >= 400}
    lines.append("errors by status: " + (", ".join(f"{s or 'no answer'}: {n}" for s, n in sorted(errors.items()))
                                         or "none"))
    return "\n".join(lines)


def summary(stats: Stats, duration: float) -> dict[str, Any]:
    by_status: Counter = Counter()
    for counter in stats.status.values():
        by_status.update(counter)
    return {
        "duration": duration,
        "requests": sum(by_status.values()),
        "by_status": {str(k): v for k, v in sorted(by_status.items())},
        "actions": {label: {"count": len(v), "p50_ms": round(percentile(v, 50) * 1000, 1),
                            "p95_ms": round(percentile(v, 95) * 1000, 1),
                            "p99_ms": round(percentile(v, 99) * 1000, 1),
                            "statuses": {str(k): n for k, n in stats.status[label].items()}}
                    for label, v in sorted(stats.latency.items())},
        "samples": stats.samples,
    }


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="bench/load.py",
        description="Concurrent people against `mutualaid serve`, then the invariants checked in the database.")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between a person's actions (s)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: serve's)")
    parser.add_argument("--threads", type=int, default=None, help="gunicorn threads (default: serve's)")
    parser.add_argument("--kill-at", type=float, default=None,
                        help="SIGKILL the server's process group this many seconds in, restart it, go on, and "
                             "check that every acknowledged write survived")
    parser.add_argument("--json", type=Path, default=None, help="write a machine-readable summary here")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (and scratch database)")
    args = parser.parse_args(argv)

    var_dir = Path(tempfile.mkdtemp(prefix="mutualaid-load-"))
    db = ScratchDatabase(os.environ.get("DATABASE_URL"), var_dir)
    server: Server | None = None
    try:
        setup_django(db.url, var_dir)
        from django.db import connections

        from mutualaid import loadcheck

        loadcheck.discover()
        started = time.monotonic()
        prepare_database()
        world = World(clients=args.clients, seed=args.seed)
        seed(world)
        connections.close_all()
        print(f"engine: {db.engine}; {len(world.people)} people in {len(world.groups)} groups; "
              f"set up in {time.monotonic() - started:.1f} s", flush=True)

        port = free_port()
        server = Server(server_env(db.url, var_dir), port, var_dir / "server.log", workers=args.workers,
                        threads=args.threads)
        server.start()
        kill_window: list[float] = []
        restarted = threading.Event()
        restart_error: list[str] = []

        def crash_and_restart() -> None:
            time.sleep(args.kill_at)
            kill_window.append(time.monotonic())
            server.kill(signal.SIGKILL)
            try:
                server.start()
            except RuntimeError as exc:
                restart_error.append(str(exc))
            kill_window.append(time.monotonic())
            restarted.set()

        killer = None
        if args.kill_at is not None:
            killer = threading.Thread(target=crash_and_restart, daemon=True)
            killer.start()
        stats = run_clients(world, port, duration=args.duration, seed_value=args.seed, think=args.think)
        if killer is not None:
            killer.join(timeout=120)
        elapsed = args.duration
        # Requests the clients gave up on may still be queued: allow the server time to drain them.
        serving_after = probe(port, "/healthz", timeout=60) == 200
        api_after = probe(port, "/api/v1/groups", timeout=60,
                          headers={"Authorization": f"Bearer {world.people[0].token}"})
        server.stop()
        server = None

        print(report(stats, elapsed))
        problems: list[str] = []
        crashed = len(kill_window) == 2
        in_window = after_restart_ok = failures = 0
        for moment, status in stats.events:
            if status == 0 or status >= 500:
                # While the server is down (and a moment after, as connections drain) failures are expected.
                if crashed and kill_window[0] <= moment <= kill_window[1] + 5:
                    in_window += 1
                else:
                    failures += 1
            elif crashed and moment > kill_window[1] and 200 <= status < 300:
                after_restart_ok += 1
        if failures:
            problems.append(f"{failures} request(s) answered 5xx or not at all"
                            + (" outside the crash window" if crashed else ""))
            problems.extend(f"  e.g. {s}" for s in stats.samples[:5])
        if restart_error:
            problems.append(f"the server did not come back: {restart_error[0]}")
        if not serving_after or api_after != 200:
            problems.append(f"after the run the server answered /healthz: {serving_after}, the API: {api_after}")

        invariants = loadcheck.check_invariants()
        durability = loadcheck.check_durable(dict(world.acks)) if args.kill_at is not None else {}
        print("\ninvariants:")
        for name, found in invariants.items():
            print(f"  {'ok  ' if not found else 'FAIL'} {name}" + "".join(f"\n       {p}" for p in found[:10]))
            problems.extend(f"{name}: {p}" for p in found)
        if args.kill_at is not None:
            acked = sum(len(v) for v in world.acks.values())
            print(f"\ncrash: SIGKILL at {args.kill_at:.1f} s, serving again after "
                  f"{(kill_window[1] - kill_window[0]) if crashed else float('nan'):.1f} s; "
                  f"{in_window} request(s) failed meanwhile; {after_restart_ok} succeeded after the restart")
            print(f"acknowledged writes checked: {acked}")
            for kind, found in durability.items():
                print(f"  {'ok  ' if not found else 'FAIL'} {kind}: {len(world.acks[kind])} acknowledged"
                      + "".join(f"\n       {p}" for p in found[:10]))
                problems.extend(f"durable {kind}: {p}" for p in found)
            if after_restart_ok == 0:
                problems.append("no request succeeded after the restart")
        if args.json:
            body = summary(stats, elapsed)
            body.update(engine=db.engine, clients=len(world.people), invariants=invariants, problems=problems,
                        acks={k: len(v) for k, v in world.acks.items()}, durability=durability,
                        crash={"failed_in_window": in_window, "ok_after_restart": after_restart_ok,
                               "restarted": restarted.is_set()} if args.kill_at is not None else None)
            args.json.write_text(json.dumps(body, indent=2, default=str))
        if problems:
            print("\nFAILED:\n  " + "\n  ".join(problems[:30]))
            if server is None:
                log = (var_dir / "server.log")
                if log.exists():
                    errors = [line for line in log.read_text(errors="replace").splitlines()
                              if "Error" in line or "Traceback" in line]
                    if errors:
                        print("server log (errors):\n  " + "\n  ".join(errors[-15:]))
            return 1
        print("\nall invariants hold")
        return 0
    finally:
        if server is not None:
            server.kill()
        if not args.keep:
            db.drop()
            shutil.rmtree(var_dir, ignore_errors=True)
        else:
            print(f"kept: {var_dir} {db.name}")
