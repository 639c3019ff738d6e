"""Benchmark of `mutualaid allocate` against the yardstick (bench/yardstick_mcf.py) on generated cities.

    python bench/allocation.py [--sizes S,M,L] [--repeat N] [--maxmin-sizes S,M,L] [--maxmin-timeout SECONDS]

For each size it runs, as separate processes on the same file: the yardstick (one process, whole KD-tree graph, one
OR-Tools min-cost flow), `mutualaid allocate` with each method, and with policy fairness "maxmin" (repeated like the
yardstick and `optimal`, in the same alternation, so its time ratio to `optimal` is paired). Time is the wall
time of the whole process (file in, file out); peak memory is the largest sum of the resident memory of the process
and its children, sampled every 10 ms (and never less than the kernel's ru_maxrss of the main process). The table
goes to stdout and to bench/results/allocation.md.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from mutualaid.allocation.citygen import SIZES, generate_size  # noqa: E402

PY = sys.executable
ALLOCATE = [PY, "-m", "mutualaid.cli", "allocate"]


def tree_rss_kb(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as handle:
                    stack.extend(int(c) for c in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def measure(command: list[str], timeout: float) -> dict:
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(proc.pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0) if timeout is None else _wait(proc, timeout)
    except TimeoutError:
        proc.kill()
        proc.wait()
        done.set()
        return {"seconds": None, "peak_mb": peak / 1024, "timeout": True}
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {proc.stderr.read().decode()[-2000:]}")
    return {"seconds": seconds, "peak_mb": max(peak, usage.ru_maxrss) / 1024, "timeout": False}


def _wait(proc, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            return pid, status, usage
        time.sleep(0.02)
    raise TimeoutError


def fmt(value, spec=".3f", none="-"):
    return none if value is None else format(value, spec)


def run_size(size: str, work: Path, repeat: int, maxmin: bool, maxmin_timeout: float) -> list[str]:
    data = generate_size(size)
    src = work / f"city_{size}.json"
    src.write_text(json.dumps(data))
    fair_src = work / f"city_{size}_maxmin.json"
    fair_src.write_text(json.dumps({**data, "policy": {"fairness": "maxmin"}}))
    n, m = SIZES[size]
    runs: dict[str, dict] = {}
    outputs: dict[str, Path] = {}

    def record(name, command, out, timeout=None):
        result = measure(command, timeout)
        runs.setdefault(name, {"seconds": [], "peak_mb": [], "timeout": False})
        runs[name]["timeout"] |= result["timeout"]
        if result["seconds"] is not None:
            runs[name]["seconds"].append(result["seconds"])
        runs[name]["peak_mb"].append(result["peak_mb"])
        outputs[name] = out

    for _ in range(repeat):  # side by side: the yardstick, the engine and the engine with maxmin alternate
        out = work / f"yard_{size}.json"
        record("yardstick (1 MCF)", [PY, str(HERE / "yardstick_mcf.py"), str(src), str(out)], out)
        out = work / f"opt_{size}.json"
        record("optimal", [*ALLOCATE, str(src), "-o", str(out)], out)
        if maxmin and not runs.get("optimal + maxmin", {}).get("timeout"):
            out = work / f"maxmin_{size}.json"
            record("optimal + maxmin", [*ALLOCATE, str(fair_src), "-o", str(out)], out, timeout=maxmin_timeout)
    for method in ("greedy-fcfs", "greedy-urgency"):
        out = work / f"{method}_{size}.json"
        record(method, [*ALLOCATE, str(src), "-o", str(out), "--method", method], out)

    yard = json.loads(outputs["yardstick (1 MCF)"].read_text())["summary"]
    best = json.loads(outputs["optimal"].read_text())["summary"]
    lines = [f"### {size}: {n:,} needs, {m:,} offers, {yard['pairs']:,} compatible pairs", "",
             "| method | time (s) | vs yardstick | peak memory (MB) | score | score / optimum | weighted fulfilment "
             "| unmet critical units | min group fill | Jain index |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    yard_time = statistics.median(runs["yardstick (1 MCF)"]["seconds"])
    for name, run in runs.items():
        seconds = statistics.median(run["seconds"]) if run["seconds"] else None
        peak = max(run["peak_mb"])
        if run["timeout"]:
            lines.append(f"| {name} | > {maxmin_timeout:.0f} (stopped) | - | {peak:.0f} | - | - | - | - | - | - |")
            continue
        out = json.loads(outputs[name].read_text())["summary"]
        if name.startswith("yardstick"):
            lines.append(f"| {name} | {seconds:.2f} | 1.00 | {peak:.0f} | {out['score']:.1f} | "
                         f"{out['score'] / best['score']:.6f} | | | | |")
            continue
        lines.append(
            f"| {name} | {seconds:.2f} | {seconds / yard_time:.2f} | {peak:.0f} | {out['score']:.1f} | "
            f"{out['score'] / best['score']:.4f} | {fmt(out['weighted_fulfilment'], '.4f')} | "
            f"{out['by_urgency']['critical']['unmet']} | {fmt(out['min_group_fill'], '.4f')} | "
            f"{fmt(out['jain_index'], '.4f')} |")
    fair = runs.get("optimal + maxmin")
    if fair and fair["seconds"] and not fair["timeout"]:
        out = json.loads(outputs["optimal + maxmin"].read_text())["summary"]
        ratios = [f / o for f, o in zip(fair["seconds"], runs["optimal"]["seconds"])]
        lines.append("")
        lines.append(f"maxmin vs optimal: time x{statistics.median(ratios):.2f} (paired runs: "
                     f"{', '.join(f'{r:.2f}' for r in ratios)}), peak memory {max(fair['peak_mb']):.0f} MB vs "
                     f"{max(runs['optimal']['peak_mb']):.0f} MB; min group fill {best['min_group_fill']:.4f} -> "
                     f"{out['min_group_fill']:.4f}; Jain index {best['jain_index']:.4f} -> {out['jain_index']:.4f}; "
                     f"score x{out['score'] / best['score']:.5f}")
    if repeat > 1:
        lines.append("")
        names = [n for n in ("yardstick (1 MCF)", "optimal", "optimal + maxmin") if runs.get(n, {}).get("seconds")]
        lines.append(f"({', '.join(names)}: median of {repeat} alternating runs: " + "; ".join(
            f"{n} {', '.join(f'{s:.2f}' for s in runs[n]['seconds'])} s" for n in names) + ")")
    lines.append("")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M,L")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--maxmin-sizes", default="S,M,L")
    parser.add_argument("--maxmin-timeout", type=float, default=900.0)
    args = parser.parse_args()
    sizes = [s for s in args.sizes.split(",") if s]
    fair_sizes = {s for s in args.maxmin_sizes.split(",") if s}
    lines = ["# Allocation benchmark", "",
             f"`python bench/allocation.py --sizes {args.sizes} --repeat {args.repeat} --maxmin-sizes "
             f"{args.maxmin_sizes}` on {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}. Time and peak "
             "memory are of the whole process tree (file in, file out). Score / optimum compares with `optimal`.",
             ""]
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            block = run_size(size, Path(tmp), args.repeat, size in fair_sizes, args.maxmin_timeout)
            print("\n".join(block), flush=True)
            lines += block
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "allocation.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
