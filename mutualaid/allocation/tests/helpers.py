"""Independent references for the allocation tests: a brute-force compatibility graph, an LP, a brute force."""
from __future__ import annotations

import math
import random

import numpy as np
from scipy.optimize import linprog

from mutualaid.allocation import Need, Offer, Policy, Problem

R = 6371.0088


def haversine(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(math.sqrt(min(1.0, a)))


def pairs(problem: Problem) -> dict[tuple[int, int], int]:
    """Every usable pair (need index, offer index) -> unit score in 1/1000 points, by brute force."""
    policy = problem.policy
    out = {}
    for i, n in enumerate(problem.needs):
        for j, o in enumerate(problem.offers):
            if n.category != o.category or (not policy.cross_group and n.group != o.group):
                continue
            d = haversine(n.lat, n.lon, o.lat, o.lon)
            if n.max_distance_km is not None and d > n.max_distance_km:
                continue
            if o.max_distance_km is not None and d > o.max_distance_km:
                continue
            s = round((policy.urgency_weights[n.urgency] - policy.distance_penalty_per_km * d) * 1000)
            if s > 0:
                out[(i, j)] = s
    return out


def lp_optimum(problem: Problem) -> float:
    """The transportation LP (integral optimum) in 1/1000 points, with scipy's HiGHS."""
    edges = pairs(problem)
    if not edges:
        return 0.0
    keys = list(edges)
    n, m = len(problem.needs), len(problem.offers)
    a = np.zeros((n + m, len(keys)))
    for col, (i, j) in enumerate(keys):
        a[i, col] = 1
        a[n + j, col] = 1
    b = [x.quantity for x in problem.needs] + [x.quantity for x in problem.offers]
    res = linprog([-edges[k] for k in keys], A_ub=a, b_ub=b, bounds=(0, None), method="highs")
    assert res.status == 0
    return -res.fun


def brute_force(problem: Problem) -> int:
    """Best total integer score by enumerating every whole allocation (tiny problems only)."""
    edges = pairs(problem)
    keys = list(edges)
    best = 0

    def go(k, need_left, offer_left, total):
        nonlocal best
        if k == len(keys):
            best = max(best, total)
            return
        i, j = keys[k]
        for q in range(min(need_left[i], offer_left[j]) + 1):
            need_left[i] -= q
            offer_left[j] -= q
            go(k + 1, need_left, offer_left, total + q * edges[(i, j)])
            need_left[i] += q
            offer_left[j] += q

    go(0, [x.quantity for x in problem.needs], [x.quantity for x in problem.offers], 0)
    return best


def random_problem(seed: int, n_needs: int = 12, n_offers: int = 8, *, categories=("food", "transport"),
                   groups=("g1", "g2", "g3"), spread: float = 0.05, max_qty: int = 4, policy: Policy | None = None,
                   open_share: float = 0.1) -> Problem:
    rnd = random.Random(seed)
    lat0, lon0 = 40.4, -3.7

    def radius(lo, hi):
        return None if rnd.random() < open_share else round(rnd.uniform(lo, hi), 2)

    needs = [Need(f"n{i}", rnd.choice(groups), rnd.choice(categories), rnd.randint(0, max_qty),
                  rnd.choices(("critical", "high", "normal", "low"), (1, 2, 4, 3))[0],
                  lat0 + rnd.uniform(-spread, spread), lon0 + rnd.uniform(-spread, spread), radius(1, 6))
             for i in range(n_needs)]
    offers = [Offer(f"o{j}", rnd.choice(groups), rnd.choice(categories), rnd.randint(0, max_qty),
                    lat0 + rnd.uniform(-spread, spread), lon0 + rnd.uniform(-spread, spread), radius(2, 8))
              for j in range(n_offers)]
    return Problem(needs, offers, policy or Policy())


def integer_score(problem: Problem, result) -> int:
    """The result's total in 1/1000 points, scoring each used pair as the references do."""
    edges = pairs(problem)
    need_at = {x.id: i for i, x in enumerate(problem.needs)}
    offer_at = {x.id: j for j, x in enumerate(problem.offers)}
    return sum(a.quantity * edges[(need_at[a.need], offer_at[a.offer])] for a in result.allocations)


def check_feasible(problem: Problem, result) -> None:
    """Quantities respected, only usable pairs, positive scores, unmet and summary consistent."""
    edges = pairs(problem)
    need_at = {x.id: i for i, x in enumerate(problem.needs)}
    offer_at = {x.id: j for j, x in enumerate(problem.offers)}
    got = [0] * len(problem.needs)
    used = [0] * len(problem.offers)
    seen = set()
    total = 0.0
    for a in result.allocations:
        i, j = need_at[a.need], offer_at[a.offer]
        assert (i, j) in edges, f"{a} is not a compatible pair"
        assert (i, j) not in seen
        seen.add((i, j))
        assert a.quantity > 0 and a.score > 0
        n, o = problem.needs[i], problem.offers[j]
        assert abs(a.distance_km - haversine(n.lat, n.lon, o.lat, o.lon)) < 1e-6
        w = problem.policy.urgency_weights[n.urgency]
        assert abs(a.score - (w - problem.policy.distance_penalty_per_km * a.distance_km)) < 1e-9
        got[i] += a.quantity
        used[j] += a.quantity
        total += a.quantity * a.score
    assert all(g <= x.quantity for g, x in zip(got, problem.needs))
    assert all(u <= x.quantity for u, x in zip(used, problem.offers))
    unmet = {u.need: u.quantity for u in result.unmet}
    for i, x in enumerate(problem.needs):
        assert unmet.get(x.id, 0) == x.quantity - got[i]
    s = result.summary
    assert s["units_requested"] == sum(x.quantity for x in problem.needs)
    assert s["units_allocated"] == sum(got)
    assert abs(s["score"] - total) < 1e-2
    assert abs(s["total_distance_km"] - sum(a.quantity * a.distance_km for a in result.allocations)) < 1e-2
    assert sum(v["allocated"] for v in s["by_urgency"].values()) == sum(got)
    assert sum(v["allocated"] for v in s["by_group"].values()) == sum(got)
    assert s["needs"] == len(problem.needs)
    assert s["needs_fully_met"] == sum(g == x.quantity for g, x in zip(got, problem.needs))
    assert s["critical_needs_without_help"] == sum(g == 0 and x.urgency == "critical"
                                                   for g, x in zip(got, problem.needs))
    if s["jain_index"] is not None:
        assert 0 < s["jain_index"] <= 1 + 1e-9
    if s["min_group_fill"] is not None:
        assert 0 <= s["min_group_fill"] <= 1
