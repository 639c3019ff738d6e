#!/usr/bin/env python
"""Concurrency load: N simulated people (default 50) use the product over HTTP against a `mutualaid serve` process
for a fixed time, then the invariants are checked straight in the database.

    .venv/bin/python bench/load.py [--clients 50] [--duration 60] [--kill-at S] [--json out.json]

The database is a scratch one: an SQLite file in a temp dir, or, with DATABASE_URL=postgres://...@127.0.0.1/...,
a database created on that server for the run and dropped afterwards. The server listens on a free port in
18000-18999 on 127.0.0.1. What people do and what is checked comes from each app's `loadcheck.py` (see
mutualaid/loadcheck/__init__.py). Exits non-zero if an invariant fails or any request answered 5xx.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mutualaid.loadcheck.harness import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
