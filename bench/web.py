#!/usr/bin/env python
"""Web performance at city scale, as people feel it: many members at once, each visit a page made from scratch.

    .venv/bin/python bench/web.py [--duration 10] [--out bench/results/web.md]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/web.py --append
    .venv/bin/python bench/web.py --in-process [--profile board]   # time and queries per page, no HTTP

Builds a data set the size of a city's network (50 groups, 20,000 members, 200,000 needs and offers over two
years, with the matches and contact records they imply) straight into the tables with bulk_create, in a scratch
database (an SQLite file in a temp dir, or a PostgreSQL database created for the run and dropped after it), signs in
PEOPLE members of the first PEOPLE_GROUPS groups (a session and an API token each), starts `mutualaid serve` on a
free port in 18000-18999 of 127.0.0.1, and measures with wrk (Debian's `wrk` package) at 8 and 32 concurrent
connections: the group board, a need's page, the needs API list, the signed-in home page, a search on the board
and a mix of the five.
Every request is from a member drawn at random (their own session and CSRF cookies, or their token), for their own
group and one of its needs, and about WRITE_SHARE of the requests post a need in that member's group over the API,
so boards change while they are read, as in use. Nothing is sent back (no If-None-Match): each visit makes its
page, as a first visit does. Beside them, in the same run and interleaved, /healthz (no database: the framework's
ceiling in the same server). Writes a Markdown table.
Targets at 8 connections: every page at p95 under 100 ms and at least 25 % of the ceiling's throughput.

`--in-process` skips the server: it times each page through Django's test client for the same members (the
median and p95 of the time in the process, and the queries), and `--profile PAGE` prints where one page's time goes.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mutualaid.loadcheck.harness import (HOST, ScratchDatabase, Server, free_port, prepare_database,  # noqa: E402
                                         server_env, setup_django)

GROUPS, MEMBERS, NEEDS, OFFERS = 50, 20_000, 150_000, 50_000
DAYS = 730
BATCH = 5_000
PEOPLE, PEOPLE_GROUPS = 300, 10  # the members measured, spread over this many groups
WRITE_SHARE = 0.02
TARGET_SHARE, TARGET_P95_MS = 25, 100

WRK_SCRIPT = r"""
-- One member at random for each request: their cookies for a page, their token for the API; a share of the
-- requests post a need in their group. PAGE is board, need, api, home, mix or healthz.
local page = os.getenv("BENCH_PAGE")
local write_share = tonumber(os.getenv("BENCH_WRITE_SHARE"))
local people = {}
local counter = 0
local searches = {"groceries", "ride+clinic", "meals", "winter+coat", "prescription", "sofa"}
local pages = {"board", "need", "api", "home", "search"}
setup = function(thread)
  counter = counter + 1
  thread:set("seed", counter)
end
init = function(args)
  math.randomseed(seed * 7919 + os.time())
  for line in io.lines(os.getenv("BENCH_PEOPLE")) do
    local cookie, token, group, need = line:match("([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)")
    table.insert(people, {cookie = cookie, token = token, group = group, need = need})
  end
end
request = function()
  if page == "healthz" then return wrk.format("GET", "/healthz", {["Accept-Language"] = "en"}) end
  local p = people[math.random(#people)]
  if math.random() < write_share then
    local body = string.format('{"group": "%s", "title": "Groceries for the week", "category": "food", '
      .. '"quantity": 1, "description": "Posted while others read the board."}', p.group)
    return wrk.format("POST", "/api/v1/needs", {["Authorization"] = "Bearer " .. p.token,
      ["Content-Type"] = "application/json", ["Accept-Language"] = "en"}, body)
  end
  local kind = page
  if kind == "mix" then kind = pages[math.random(#pages)] end
  if kind == "api" then
    return wrk.format("GET", "/api/v1/needs?group=" .. p.group, {["Authorization"] = "Bearer " .. p.token,
      ["Accept-Language"] = "en"})
  end
  local path = "/"
  if kind == "board" then path = "/groups/" .. p.group .. "/"
  elseif kind == "search" then path = "/groups/" .. p.group .. "/board/?q=" .. searches[math.random(#searches)]
  elseif kind == "need" then path = "/needs/" .. p.need .. "/" end
  return wrk.format("GET", path, {["Cookie"] = p.cookie, ["Accept-Language"] = "en"})
end
local bad = 0
done = function(summary, latency, requests)
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "p50": %d, "p95": %d, "p99": %d, "errors": %d, "non2xx": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, summary.errors.status))
end
"""


def build_city(rng: random.Random) -> dict:
    """The data set, bulk-inserted. Returns what the bench needs: a member's session and token, ids to fetch."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction
    from django.utils import timezone

    from mutualaid.circulation.models import URGENCY_RANK, Category, Match, Need, NeedContact, Offer
    from mutualaid.circulation.services import categories_ensure_defaults
    from mutualaid.networks.models import Group, Membership, Network, Trust, User
    from mutualaid.networks.services import token_create

    now = timezone.now()
    categories_ensure_defaults()
    categories = list(Category.objects.all())
    # Historical timestamps: bulk_create must not overwrite them with "now".
    for model, names in ((Need, ("created_at", "updated_at")), (Offer, ("created_at", "updated_at")),
                         (Match, ("created_at",)), (Membership, ("joined_at",))):
        for name in names:
            f = model._meta.get_field(name)
            f.auto_now = f.auto_now_add = False

    def when(max_days: float = DAYS):
        return now - timedelta(days=rng.random() * max_days)

    with transaction.atomic():
        network = Network.objects.create(name="City Mutual Aid")
        groups = Group.objects.bulk_create([
            Group(network=network, name=f"Neighbourhood {i + 1:02d}", location_name=f"District {i + 1}",
                  lat=40.4 + i * 0.01, lon=-3.7 + i * 0.01, description="A neighbourhood pod.")
            for i in range(GROUPS)])
        password = make_password("city-bench-passphrase")
        users = User.objects.bulk_create([User(username=f"neighbour{i:05d}", password=password)
                                          for i in range(MEMBERS)], batch_size=BATCH)
        memberships, by_group = [], {g.pk: [] for g in groups}
        for i, user in enumerate(users):
            homes = {groups[i % GROUPS]} | ({rng.choice(groups)} if rng.random() < 0.2 else set())
            for g in homes:
                role = Membership.Role.COORDINATOR if len(by_group[g.pk]) < 4 else Membership.Role.NEWCOMER
                left = when(300) if rng.random() < 0.05 and role == Membership.Role.NEWCOMER else None
                memberships.append(Membership(group=g, user=user, role=role, joined_at=when(), left_at=left))
                if left is None:
                    by_group[g.pk].append(user)
        Membership.objects.bulk_create(memberships, batch_size=BATCH)
        trusts = []
        for g in groups:
            coordinators = by_group[g.pk][:4]
            for giver in rng.sample(by_group[g.pk][4:], 12):
                for receiver in coordinators[: rng.randint(1, 3)]:
                    trusts.append(Trust(group=g, giver=giver, receiver=receiver))
        Trust.objects.bulk_create(trusts, batch_size=BATCH)

    urgencies = ["critical", "high", "normal", "normal", "normal", "low"]
    titles = ["Groceries for the week", "A ride to the clinic", "Hot meals after surgery", "Nappies and wipes",
              "Someone to fetch a prescription", "Winter coat, size M", "Help moving a sofa", "Childcare on Tuesday",
              "Bus fare to a job interview", "Phone credit to call family", "Wheelchair ramp repair"]
    for start in range(0, NEEDS, BATCH):
        with transaction.atomic():
            needs, contacts = [], []
            for _ in range(min(BATCH, NEEDS - start)):
                g = rng.choice(groups)
                created = when()
                age = (now - created).days
                quantity = rng.choice([1, 1, 1, 2, 2, 3, 4, 6])
                if age > 45:
                    status = rng.choices(["fulfilled", "cancelled", "expired", "duplicate", "referred"],
                                         [70, 12, 14, 3, 1])[0]
                else:
                    status = rng.choices(["open", "partly_matched", "matched", "fulfilled", "cancelled"],
                                         [45, 10, 15, 25, 5])[0]
                claimed = {"fulfilled": quantity, "matched": quantity, "partly_matched": max(1, quantity // 2)
                           if quantity > 1 else 0}.get(status, 0)
                if status == "partly_matched" and claimed == 0:
                    status = "open"
                urgency = rng.choice(urgencies)
                requester = rng.choice(by_group[g.pk])
                need = Need(group=g, requester=requester, created_by=requester, title=rng.choice(titles),
                            description="Details for the helper about what is needed and when.",
                            category=rng.choice(categories), quantity=quantity, quantity_claimed=claimed,
                            quantity_fulfilled=quantity if status == "fulfilled" else 0, urgency=urgency,
                            urgency_rank=URGENCY_RANK[urgency], location_name=g.location_name, lat=g.lat,
                            lon=g.lon, status=status, created_at=created, updated_at=created,
                            needed_by=created + timedelta(days=rng.randint(3, 60)) if rng.random() < 0.6 else None,
                            closed_at=created + timedelta(days=rng.randint(1, 20))
                            if status not in ("open", "partly_matched", "matched") else None)
                if status == "duplicate":
                    need.status = "cancelled"  # a duplicate must name its original: keep it simple
                if status == "referred":
                    need.referred_to = rng.choice(groups)
                needs.append(need)
            Need.objects.bulk_create(needs)
            matches = []
            for need in needs:
                if need.closed_at is None:  # closed needs' personal data is purged on the group's schedule
                    contacts.append(NeedContact(need=need, phone=f"+34 600 {rng.randrange(10**6):06d}",
                                                address="A street address"))
                left = need.quantity_claimed
                helpers = by_group[need.group_id]
                while left > 0:
                    q = rng.randint(1, left)
                    left -= q
                    done = need.status == "fulfilled"
                    matches.append(Match(need=need, helper=rng.choice(helpers), quantity=q,
                                         status="completed" if done else "confirmed",
                                         created_at=need.created_at + timedelta(hours=rng.randint(1, 72)),
                                         completed_at=need.closed_at if done else None))
            NeedContact.objects.bulk_create(contacts)
            Match.objects.bulk_create(matches)
    for start in range(0, OFFERS, BATCH):
        with transaction.atomic():
            offers = []
            for _ in range(min(BATCH, OFFERS - start)):
                g = rng.choice(groups)
                created = when()
                recent = (now - created).days < 60
                status = rng.choices(["active", "paused", "exhausted", "withdrawn"],
                                     [60, 10, 15, 15] if recent else [8, 7, 45, 40])[0]
                quantity = rng.randint(1, 10)
                offers.append(Offer(group=g, helper=rng.choice(by_group[g.pk]), title="I can help with this",
                                    description="Evenings and weekends.", category=rng.choice(categories),
                                    quantity=quantity, quantity_committed=quantity if status == "exhausted" else 0,
                                    location_name=g.location_name, status=status, created_at=created,
                                    updated_at=created))
            Offer.objects.bulk_create(offers)

    # The people measured: PEOPLE members of the first PEOPLE_GROUPS groups, each signed in, with one open need of
    # their group to look at; some of them with open needs of their own and matches in progress as helpers.
    people = []
    for i in range(PEOPLE):
        group = groups[i % PEOPLE_GROUPS]
        person = by_group[group.pk][10 + i // PEOPLE_GROUPS]
        people.append((person, group))
    for person, group in people[::3]:
        mine = list(Need.objects.filter(group=group, status="open", requester__isnull=False)
                    .exclude(requester__in=[p for p, _g in people]).order_by("?")[:2])
        Need.objects.filter(pk__in=[n.pk for n in mine]).update(requester=person, created_by=person)
        Match.objects.filter(pk__in=Match.objects.filter(need__group=group, status="confirmed")
                             .values_list("pk", flat=True).order_by("?")[:2]).update(helper=person)
    needs_by_group = {g.pk: [str(n) for n in Need.objects.filter(group=g, status__in=["open", "partly_matched"])
                             .values_list("public_id", flat=True)[:50]] for g in groups[:PEOPLE_GROUPS]}
    rows = []
    for person, group in people:
        session = SessionStore()
        session[SESSION_KEY] = str(person.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = person.get_session_auth_hash()
        session.create()
        rows.append({"user": person.pk, "group": str(group.public_id), "need": rng.choice(needs_by_group[group.pk]),
                     "session": session.session_key, "token": token_create(actor=person)})
    return {"people": rows}


def analyse() -> None:
    """After the bulk load, what autovacuum gives a database in use: fresh planner statistics, and on PostgreSQL a
    visibility map (without it, counting a group's needs reads the table instead of the index alone)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def wrk(port: int, page: str, connections: int, seconds: float, script: Path, people: Path) -> dict:
    env = {**os.environ, "BENCH_PAGE": page, "BENCH_PEOPLE": str(people),
           "BENCH_WRITE_SHARE": "0" if page == "healthz" else str(WRITE_SHARE)}
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds:.0f}s", "--timeout", "10s",
               "-s", str(script), f"http://{HOST}:{port}/"]
    out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk said:\n{out.stdout}\n{out.stderr}")
    result = json.loads(line[6:])
    result["rps"] = result["requests"] / result["seconds"] if result["seconds"] else 0.0
    return result


def csrf_cookie(port: int) -> str:
    """The CSRF cookie the server gives a browser on its first page."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", "/login/")
        response = connection.getresponse()
        response.read()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
    finally:
        connection.close()
    return cookies["csrftoken"].value


SEARCHES = ["groceries", "ride+clinic", "meals", "winter+coat", "prescription", "sofa"]  # as in WRK_SCRIPT
PAGES = [  # (name in the table, wrk page)
    ("ceiling: /healthz (no database)", "healthz"),
    ("group board", "board"),
    ("a need's page", "need"),
    ("needs API list", "api"),
    ("signed-in home page", "home"),
    ("a search on the board", "search"),
    ("a mix of the five", "mix"),
]


def in_process(people: list[dict], rounds: int, profile: str, only: list[str]) -> list[str]:
    """Each page through Django's test client for each member in turn: the time in the process and the queries."""
    import cProfile
    import pstats
    import statistics

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def path(kind: str, person: dict) -> tuple[str, dict]:
        if kind == "api":
            return f"/api/v1/needs?group={person['group']}", {"HTTP_AUTHORIZATION": f"Bearer {person['token']}"}
        return {"board": f"/groups/{person['group']}/", "need": f"/needs/{person['need']}/", "home": "/",
                "search": f"/groups/{person['group']}/board/?q={random.choice(SEARCHES)}",
                "healthz": "/healthz"}[kind], {}

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.get("/login/")  # the CSRF cookie of a first page, as a browser holds it
    lines = ["| page | median ms | p95 ms | queries (median) |", "|---|---:|---:|---:|"]
    for name, kind in PAGES:
        if kind == "mix" or (only and kind not in only and kind != "healthz"):
            continue
        times, queries = [], []
        for person in people * rounds:
            client.cookies["sessionid"] = person["session"]
            url, headers = path(kind, person)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url, **headers)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries.append(len(captured))
        times.sort()
        lines.append(f"| {name} | {statistics.median(times):.1f} | {times[int(len(times) * 0.95)]:.1f} | "
                     f"{statistics.median(queries):.0f} |")
        print(lines[-1], flush=True)
        if kind == profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for person in people:
                client.cookies["sessionid"] = person["session"]
                url, headers = path(kind, person)
                client.get(url, **headers)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/web.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per page and client count, split into "
                        "--rounds (after a 2 s warm-up)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per page; the median is reported")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "web.md")
    parser.add_argument("--append", action="store_true", help="add this database's table to --out")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--only", default="", help="comma-separated wrk pages to measure (board, need, api, home, "
                        "search, mix; default: all)")
    parser.add_argument("--in-process", action="store_true", help="time the pages in this process, no server")
    parser.add_argument("--profile", default="", help="with --in-process: print a profile of this page")
    parser.add_argument("--city", type=Path, default=None, help="SQLite only: keep the built data set in this "
                        "file, and use it instead of building when it exists (to measure again after a change)")
    args = parser.parse_args(argv)
    if not args.in_process and shutil.which("wrk") is None:
        print("wrk is needed: apt-get install -y wrk", file=sys.stderr)
        return 2

    var_dir = Path(tempfile.mkdtemp(prefix="mutualaid-web-"))
    # One key for every run: the sessions of a data set kept with --city are signed with it.
    os.environ["SECRET_KEY"] = "bench-web: not a secret, this data set is thrown away after the run"
    db = ScratchDatabase(os.environ.get("DATABASE_URL"), var_dir, prefix="webbench")
    server = None
    try:
        setup_django(db.url, var_dir)
        from django.db import connections

        started = time.monotonic()
        saved = args.city if args.city and db.engine == "sqlite" else None
        building = not (saved and saved.exists())
        if not building:
            shutil.copy(saved, db.url.removeprefix("sqlite:///"))
            people = json.loads(saved.with_suffix(".json").read_text())
            prepare_database()  # migrations added since it was saved
        else:
            prepare_database()
            people = build_city(random.Random(7))["people"]
            analyse()
        connections.close_all()
        if saved and not saved.exists():
            shutil.copy(db.url.removeprefix("sqlite:///"), saved)
            saved.with_suffix(".json").write_text(json.dumps(people))
        built = time.monotonic() - started
        how_built = (f"loaded from {saved.name}, kept by an earlier run with `--city`, in {built:.0f} s"
                     if saved and not building else f"built in {built:.0f} s")
        engine = "PostgreSQL" if db.engine == "postgresql" else "SQLite"
        print(f"engine: {engine}; data set {how_built}", flush=True)
        if args.in_process:
            from django.conf import settings
            settings.ALLOWED_HOSTS = ["*"]
            lines = in_process(people, 2, args.profile, args.only.split(",") if args.only else [])
            print("\n".join(lines))
            return 0
        port = free_port()
        server = Server(server_env(db.url, var_dir), port, var_dir / "server.log", workers=args.workers,
                        threads=args.threads)
        server.start()
        script = var_dir / "bench.lua"
        script.write_text(WRK_SCRIPT)
        csrf = csrf_cookie(port)
        people_file = var_dir / "people.tsv"
        people_file.write_text("".join(f"sessionid={p['session']}; csrftoken={csrf}\t{p['token']}\t{p['group']}\t"
                                       f"{p['need']}\n" for p in people))
        pages = PAGES
        if args.only:
            wanted = args.only.split(",")
            pages = [p for p in pages if p[1] == "healthz" or p[1] in wanted]
        # The machine's speed drifts (2 shared cores): each page is measured in several short rounds, interleaved
        # with the others and with the ceiling, and the round with the median throughput is reported.
        rows = []
        for connections_n in (8, 32):
            for _name, page in pages:
                wrk(port, page, connections_n, 2, script, people_file)  # warm-up
            rounds: dict[str, list[dict]] = {name: [] for name, _p in pages}
            for _round in range(args.rounds):
                for name, page in pages:
                    rounds[name].append(wrk(port, page, connections_n, args.duration / args.rounds, script,
                                            people_file))
            ceilings = rounds[pages[0][0]]
            for name, _page in pages:
                runs = sorted(rounds[name], key=lambda r: r["rps"])
                # The share of the ceiling: per round, against the ceiling measured seconds before it; the median.
                shares = sorted(r["rps"] / c["rps"] if c["rps"] else 0.0 for r, c in zip(rounds[name], ceilings))
                result = {**runs[len(runs) // 2], "non2xx": sum(r["non2xx"] for r in runs),
                          "errors": sum(r["errors"] for r in runs), "share": 100 * shares[len(shares) // 2]}
                rows.append((connections_n, name, result))
                each = ", ".join(str(round(r["rps"])) for r in rounds[name])
                print(f"{connections_n:>3} {name:<34} {result['rps']:>8.0f} req/s  p50 {result['p50'] / 1000:6.1f}"
                      f"  p95 {result['p95'] / 1000:6.1f}  p99 {result['p99'] / 1000:6.1f} ms"
                      f"  non-2xx {result['non2xx']} errors {result['errors']}"
                      f"  (rounds: {each} req/s)", flush=True)
        workers = args.workers or (2 * (os.cpu_count() or 1) + 1)
        threads = args.threads or int(os.environ.get("WEB_THREADS", "4"))
        lines = [f"### {engine}, {time.strftime('%Y-%m-%d')}", "",
                 f"Data set: {GROUPS} groups, {MEMBERS:,} members, {NEEDS:,} needs and {OFFERS:,} offers over two "
                 f"years ({how_built}). {PEOPLE} members of {PEOPLE_GROUPS} groups, one at random for "
                 f"each request, {WRITE_SHARE:.0%} of requests posting a need; every page made anew. "
                 f"`mutualaid serve` with {workers} workers × {threads} threads on {os.cpu_count()} cores; wrk on "
                 f"the same machine, {args.rounds} interleaved rounds of {args.duration / args.rounds:.0f} s per "
                 f"row after a 2 s warm-up; each row is its median round, and its share of the ceiling the median "
                 f"of each round's share of the ceiling measured just before it.", "",
                 "| clients | page | req/s | % of ceiling | p50 ms | p95 ms | p99 ms | non-2xx | target |",
                 "|---:|---|---:|---:|---:|---:|---:|---:|---|"]
        for connections_n, name, result in rows:
            share = result["share"]
            target = ""
            if not name.startswith("ceiling") and connections_n == 8:
                ok = share >= TARGET_SHARE and result["p95"] / 1000 < TARGET_P95_MS
                target = "met" if ok else "**missed**"
            lines.append(f"| {connections_n} | {name} | {result['rps']:.0f} | {share:.0f} % | "
                         f"{result['p50'] / 1000:.1f} | {result['p95'] / 1000:.1f} | {result['p99'] / 1000:.1f} | "
                         f"{result['non2xx'] + result['errors']} | {target} |")
        table = "\n".join(lines) + "\n"
        print("\n" + table)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        if args.append and args.out.exists():
            args.out.write_text(args.out.read_text().rstrip() + "\n\n" + table)
        else:
            header = ("# Web performance at city scale\n\nProduced by `bench/web.py` (see its docstring); "
                      "the latest run of each database.\n\n")
            args.out.write_text(header + table)
        bad = sum(r["non2xx"] + r["errors"] for *_x, r in rows)
        if bad:
            print(f"{bad} request(s) failed or answered an error status", file=sys.stderr)
            return 1
        return 0
    finally:
        if server is not None:
            server.stop()
        db.drop()
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
