"""The `mutualaid` command.

    mutualaid serve [--host H] [--port P] [--workers N]   production server (gunicorn + whitenoise)
    mutualaid demo [--if-empty]                          load the demo network and print its log-ins
    mutualaid verify-audit [--since SEQ:HASH]            recompute the audit hash chain (against a checkpoint)
    mutualaid expire-needs                               expire open needs past their needed-by time
    mutualaid worker [--once]                            run every app's periodic jobs (django-q2)
    mutualaid allocate IN.json [-o OUT.json] [--method optimal|greedy-fcfs|greedy-urgency]
                                                         allocate offers to needs (no database, no Django)
    mutualaid tally IN.json [-o OUT.json]                recount a decision from its ballots (no database, no Django)
    mutualaid <any Django management command>            e.g. migrate, createsuperuser, shell
"""
from __future__ import annotations

import argparse
import os
import sys


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualaid.settings")
    import django

    django.setup()


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="mutualaid serve", description="Serve the app with gunicorn.")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "0")) or None,
                        help="worker processes (default: 2 × cores + 1)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
    args = parser.parse_args(argv)
    workers = args.workers or (2 * (os.cpu_count() or 1) + 1)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualaid.settings")
    print(f"Serving Mutual Aid Network on http://{args.host}:{args.port}/  (Ctrl+C stops)", flush=True)
    command = [sys.executable, "-m", "gunicorn", "mutualaid.wsgi:application", "--bind", f"{args.host}:{args.port}",
               "--workers", str(workers), "--threads", str(args.threads), "--access-logfile", "-",
               "--access-logformat", '%(t)s "%(m)s %(U)s" %(s)s %(L)ss', "--graceful-timeout", "10"]
    os.execv(sys.executable, command)
    return 0  # not reached


def demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="mutualaid demo", description="Load a realistic demo network.")
    parser.add_argument("--if-empty", action="store_true", help="do nothing (but print the log-ins) if data exists")
    args = parser.parse_args(argv)
    _django_setup()
    from mutualaid.front import demo as demo_data

    loaded = demo_data.load(if_empty=args.if_empty)
    print("Demo network loaded." if loaded else "Data already present: demo not loaded again.")
    print(demo_data.login_help())
    return 0


def worker(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="mutualaid worker",
        description="Run every app's periodic jobs (django-q2's cluster, its schedules in the database).")
    parser.add_argument("--once", action="store_true", help="run each job once, now, and exit (for cron)")
    args = parser.parse_args(argv)
    _django_setup()
    from django.core.management import call_command

    from mutualaid.core import periodic

    if args.once:
        for line in periodic.run_all_once():
            print(line, flush=True)
        return 0
    for name in periodic.schedule_all():
        print(f"scheduled {name}", flush=True)
    call_command("qcluster")
    return 0


def allocate(argv: list[str]) -> int:
    from mutualaid.allocation.command import main as allocate_main  # pure Python: no Django, no database

    return allocate_main(argv)


def tally(argv: list[str]) -> int:
    from mutualaid.tally.command import main as tally_main  # pure Python: no Django, no database

    return tally_main(argv)


COMMANDS = {"serve": serve, "demo": demo, "worker": worker, "allocate": allocate, "tally": tally}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__.strip())
        return 0
    name, rest = argv[0], argv[1:]
    if name in COMMANDS:
        return COMMANDS[name](rest) or 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualaid.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mutualaid", name.replace("-", "_"), *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
