"""Benchmark of `mutualaid tally` on large ranked-choice decisions (the tally contract: 100,000 ballots in under
5 seconds).

    python bench/tally.py [--ballots 100000,250000] [--options 8] [--repeat 3]

Each file is a network-wide instant runoff: OPTIONS options, voters who rank between one and all of them, most of
them along a few shared orders of preference (as neighbourhoods do) and the rest at random, so that the runoff needs
several rounds. The time is the wall time of the whole `mutualaid tally IN.json -o OUT.json` process (interpreter
start, reading, checking every ballot, the rounds, writing), the median of REPEAT runs. The table goes to stdout
and to bench/results/tally.md.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_SECONDS = 5.0


def ballots_file(path: Path, count: int, options: int, rng: random.Random) -> None:
    names = [f"Proposal {chr(65 + i)}" for i in range(options)]
    blocs = [rng.sample(names, options) for _ in range(4)]
    ballots = []
    for _ in range(count):
        order = list(rng.choice(blocs)) if rng.random() < 0.7 else rng.sample(names, options)
        if rng.random() < 0.3:  # a shared order, but someone swaps two neighbours
            i = rng.randrange(options - 1)
            order[i], order[i + 1] = order[i + 1], order[i]
        ballots.append({"ranking": order[:rng.randint(1, options)]})
    path.write_text(json.dumps({"method": "ranked_choice", "options": names, "electorate": count, "quorum": 0.5,
                                "ballots": ballots}))


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/tally.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", default="100000,250000")
    parser.add_argument("--options", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "tally.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for count in (int(n) for n in args.ballots.split(",")):
            src, out = Path(scratch) / f"in-{count}.json", Path(scratch) / f"out-{count}.json"
            ballots_file(src, count, args.options, random.Random(count))
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                done = subprocess.run([sys.executable, "-m", "mutualaid.cli", "tally", str(src), "-o", str(out)],
                                      capture_output=True, text=True, cwd=HERE.parent)
                times.append(time.perf_counter() - started)
                if done.returncode != 0:
                    print(done.stderr, file=sys.stderr)
                    return 1
            result = json.loads(out.read_text())
            seconds = statistics.median(times)
            rows.append((count, src.stat().st_size / 1e6, len(result["rounds"]), result["outcome"],
                         ", ".join(result.get("winners", [])), seconds))
    lines = ["| ballots | file MB | rounds | outcome | winner | seconds (median) | target |",
             "|---:|---:|---:|---|---|---:|---|"]
    for count, size, rounds, outcome, winners, seconds in rows:
        verdict = ("met" if seconds < TARGET_SECONDS else "**missed**") if count == 100_000 else ""
        lines.append(f"| {count:,} | {size:.1f} | {rounds} | {outcome} | {winners} | {seconds:.2f} | {verdict} |")
    table = "\n".join(lines)
    print(table)
    args.out.write_text("# `mutualaid tally` on large ranked-choice decisions\n\nProduced by `bench/tally.py` "
                        f"({args.options} options, the median of {args.repeat} runs; the target: 100,000 ballots in "
                        f"under {TARGET_SECONDS:.0f} s, the whole process).\n\n{table}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
