"""`allocate(problem, method)`: split the problem into independent parts, solve them, put the answer together.

Needs and offers of different categories (and, when groups may not cross, of different groups) never meet, so each
category is a separate problem; inside a category, each connected component of the compatibility graph is too.
Parts are solved in a process pool when `workers` > 1 and the problem is big enough for it to pay. Each part builds
only its own graph (KD-tree, vectorised distances), so graph building is parallel as well.
"""
from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from .flow import solve_exact
from .graph import Arrays, Graph, build_graph, subset, to_arrays
from .greedy import solve_greedy
from .model import METHODS, Allocation, Policy, Problem, Result, Unmet
from .summary import summarise

PARALLEL_MIN_WORK = 2_000_000  # sum over parts of needs x offers below which a pool does not pay


@dataclass(slots=True)
class PartAnswer:
    need: np.ndarray       # global need index of each used edge
    offer: np.ndarray      # global offer index
    units: np.ndarray
    dist: np.ndarray
    eligible: np.ndarray   # global indices of needs with at least one compatible offer
    n_edges: int
    graph: Graph | None = None  # the whole part graph (global indices), when asked for


def allocate(problem: Problem, method: str = "optimal", *, workers: int = 1) -> Result:
    """Allocate offers to needs.

    method: "optimal" (the exact maximum of the total score, or with policy.fairness == "maxmin" the max-min fair
    allocation described in `mutualaid.allocation.fairness`), "greedy-fcfs" or "greedy-urgency" (baselines).
    workers: processes to use for big problems (1: all in this process).
    """
    started = time.perf_counter()
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r} (expected one of {', '.join(METHODS)})")
    policy = problem.policy
    arr = to_arrays(problem)
    fair = method == "optimal" and policy.fairness == "maxmin"
    answers = solve_parts(arr, policy, method, workers=workers, keep_graph=fair)
    if fair:
        from .fairness import solve_maxmin

        g = _concat_graphs([a.graph for a in answers])
        units = solve_maxmin(arr, g, policy)
        used = np.flatnonzero(units)
        need, offer, units, dist = g.need[used], g.offer[used], units[used], g.dist[used]
        eligible = np.concatenate([a.eligible for a in answers]) if answers else np.zeros(0, np.int64)
    else:
        cols = [np.concatenate(c) if c else np.zeros(0) for c in
                zip(*((a.need, a.offer, a.units, a.dist, a.eligible) for a in answers))] if answers else []
        if cols:
            need, offer, units, dist, eligible = (cols[0].astype(np.int64), cols[1].astype(np.int64),
                                                  cols[2].astype(np.int64), cols[3], cols[4].astype(np.int64))
        else:
            need = offer = units = eligible = np.zeros(0, np.int64)
            dist = np.zeros(0)
    return _result(problem, arr, method, need, offer, units, dist, eligible, started)


def score_of(weight: np.ndarray, dist: np.ndarray, policy: Policy) -> np.ndarray:
    return weight - policy.distance_penalty_per_km * dist


def _result(problem, arr, method, need, offer, units, dist, eligible, started) -> Result:
    policy = problem.policy
    order = np.lexsort((dist, need))
    need, offer, units, dist = need[order], offer[order], units[order], dist[order]
    unit_score = score_of(arr.need_weight[need], dist, policy)
    allocated = np.bincount(need, weights=units, minlength=len(arr.need_qty)).astype(np.int64)
    needs, offers = problem.needs, problem.offers
    allocations = [Allocation(needs[i].id, offers[j].id, int(q), float(d), float(s))
                   for i, j, q, d, s in zip(need.tolist(), offer.tolist(), units.tolist(), dist.tolist(),
                                            unit_score.tolist())]
    short = arr.need_qty - allocated
    unmet = [Unmet(needs[i].id, int(short[i])) for i in np.flatnonzero(short > 0).tolist()]
    eligible_mask = np.zeros(len(arr.need_qty), bool)
    eligible_mask[eligible] = True
    summary = summarise(arr, method, allocated, eligible_mask, float(np.sum(unit_score * units)),
                        float(np.sum(dist * units)), time.perf_counter() - started)
    return Result(allocations, unmet, summary)


def _concat_graphs(graphs: list[Graph]) -> Graph:
    graphs = [g for g in graphs if g is not None]
    if not graphs:
        empty = np.zeros(0, np.int64)
        return Graph(empty, empty.copy(), np.zeros(0), empty.copy())
    return Graph(np.concatenate([g.need for g in graphs]), np.concatenate([g.offer for g in graphs]),
                 np.concatenate([g.dist for g in graphs]), np.concatenate([g.score for g in graphs]))


def solve_parts(arr: Arrays, policy: Policy, method: str, *, workers: int = 1,
                keep_graph: bool = False) -> list[PartAnswer]:
    """Solve each key (category, or category and group) on its own; in a process pool if it pays."""
    live_needs = np.flatnonzero(arr.need_qty > 0)
    live_offers = np.flatnonzero(arr.offer_qty > 0)
    keys = np.intersect1d(arr.need_key[live_needs], arr.offer_key[live_offers])
    tasks = []
    for k in keys.tolist():
        ni = live_needs[arr.need_key[live_needs] == k]
        oj = live_offers[arr.offer_key[live_offers] == k]
        tasks.append((len(ni) * len(oj), ni, oj))
    tasks.sort(key=lambda t: t[0], reverse=True)
    work = sum(t[0] for t in tasks)
    args = [(subset(arr, ni, oj), ni, oj, policy, method, keep_graph) for _, ni, oj in tasks]
    workers = min(workers, len(tasks))
    if workers > 1 and work >= PARALLEL_MIN_WORK:
        method_name = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method_name)) as pool:
            return list(pool.map(_solve_part, args))
    return [_solve_part(a) for a in args]


def _solve_part(args) -> PartAnswer:
    part, ni, oj, policy, method, keep_graph = args
    g = build_graph(part, policy)
    if method == "optimal":
        units = solve_exact(part.need_qty, part.offer_qty, g) if not keep_graph else np.zeros(len(g), np.int64)
    else:
        if method == "greedy-urgency":
            order = np.lexsort((np.arange(len(ni)), part.need_urgency))
        else:
            order = np.arange(len(ni))
        units = solve_greedy(part.need_qty, part.offer_qty, g, order)
    used = np.flatnonzero(units)
    eligible = ni[np.unique(g.need)]
    graph = Graph(ni[g.need], oj[g.offer], g.dist, g.score) if keep_graph else None
    return PartAnswer(ni[g.need[used]], oj[g.offer[used]], units[used], g.dist[used], eligible, len(g), graph)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)
