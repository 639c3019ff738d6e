"""`mutualaid allocate IN.json [-o OUT.json] [--method optimal|greedy-fcfs|greedy-urgency] [--workers N]`

Reads the problem, allocates, writes the answer (stdout without -o). Needs no database and never imports Django.
Bad input exits with status 2 and a message naming the offending record; no output file is written then.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

from .model import METHODS


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    parser = argparse.ArgumentParser(prog="mutualaid allocate",
                                     description="Allocate offers to needs: the exact optimum or a baseline.")
    parser.add_argument("input", metavar="IN.json")
    parser.add_argument("-o", "--output", metavar="OUT.json", help="write here (atomically) instead of stdout")
    parser.add_argument("--method", choices=METHODS, default="optimal")
    parser.add_argument("--workers", type=int, default=None, help="processes for big problems (default: the cores)")
    args = parser.parse_args(argv)

    from .engine import allocate, default_workers
    from .jsonio import InputError, read_problem, write_json

    try:
        problem = read_problem(args.input)
    except InputError as exc:
        print(f"mutualaid allocate: error: {exc}", file=sys.stderr)
        return 2
    workers = args.workers if args.workers and args.workers > 0 else default_workers()
    result = allocate(problem, args.method, workers=workers)
    data = result.to_dict()
    data["summary"]["seconds"] = round(time.perf_counter() - started, 3)
    if args.output:
        write_json(data, args.output)
    else:
        json.dump(data, sys.stdout, ensure_ascii=False, separators=(",", ":"))
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
