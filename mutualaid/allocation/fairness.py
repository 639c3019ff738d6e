"""Max-min fairness across groups (policy `fairness: "maxmin"`).

The weighted fill rate of a group g is F_g = sum(W[u_i] * a_i) / sum(W[u_i] * q_i) over the needs i of g, where a_i
is what need i receives and q_i what it asked for (see `summary`). Only groups with compatible supply (at least one
of their needs has at least one compatible offer) take part.

1. Floor: the largest t such that every taking-part group can have F_g >= t at once. It is a linear programme over
   the whole compatibility graph (need and offer quantities, one floor row per group), solved with HiGHS; its value
   t* is the LP max-min bound.
2. Score under the floor: the linear programme "maximise the score subject to F_g >= t* for every group" (HiGHS),
   giving fractional receipts a*_i.
3. Whole units: an exact min-cost flow maximises the score subject to every need receiving at least floor(a*_i)
   (a lower bound on the need's node is a network constraint, so the answer is integral and the flow exact).
   A vertex of the step-2 programme has few fractional receipts (the floor rows are the only non-network rows),
   so each group stays within one unit of t* (checked against an independent LP in the tests).

Big graphs: both programmes are solved by column generation. They start from each need's and offer's best pairs and
add every pair whose reduced cost (from HiGHS's duals) is negative, until none is: the result is then the optimum over
the whole graph by LP duality, not a pruned approximation. Step 2's floors are elastic (a deficit costs more than any
score it could buy) so the restricted programmes are always feasible. This is exact but slow on big cities (HiGHS
spends seconds per round on a few hundred thousand pairs): minutes for the M city.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, hstack, vstack

from .flow import SolverError, solve_exact
from .graph import Arrays, Graph
from .model import Policy, SCORE_SCALE


FULL_LP_EDGES = 50_000   # below this the programmes are solved on the whole graph at once
START_PER_NODE = 4       # column generation starts from each need's and offer's best-scoring pairs
TOLERANCE = 1e-9
LP_METHOD = "highs"


def maxmin_bound(arr: Arrays, g: Graph) -> float:
    """The LP max-min bound t* (weighted fill rate every group with compatible supply can reach at once)."""
    return _column_generation(_Rows(arr, g), g, stage=1)[0]


def solve_maxmin(arr: Arrays, g: Graph, policy: Policy) -> np.ndarray:
    """Units on each edge of `g`: max-min fair across groups, then the best score under that floor."""
    if len(g) == 0:
        return np.zeros(0, np.int64)
    rows = _Rows(arr, g)
    t, _ = _column_generation(rows, g, stage=1)
    _, x = _column_generation(rows, g, stage=2, floor=t)
    received = np.bincount(g.need, weights=x, minlength=len(arr.need_qty))
    for slack in (1e-7, 1e-5):
        need_min = np.minimum(np.floor(received + slack).astype(np.int64), arr.need_qty)
        try:
            return solve_exact(arr.need_qty, arr.offer_qty, g, need_min=need_min)
        except SolverError:
            continue
    need_min = np.maximum(np.floor(received - 1e-6).astype(np.int64), 0)
    return solve_exact(arr.need_qty, arr.offer_qty, g, need_min=need_min)


class _Rows:
    """The rows of the programmes: one per need and offer of the graph, one floor row per group taking part."""

    def __init__(self, arr: Arrays, g: Graph):
        self.needs, self.need_row = np.unique(g.need, return_inverse=True)
        self.offers, self.offer_row = np.unique(g.offer, return_inverse=True)
        self.groups, self.group_row = np.unique(arr.need_group[g.need], return_inverse=True)
        asked = np.bincount(arr.need_group, weights=arr.need_weight * arr.need_qty, minlength=len(arr.groups))
        self.demand = asked[self.groups]
        self.weight = arr.need_weight[g.need]
        self.b = np.concatenate((arr.need_qty[self.needs], arr.offer_qty[self.offers])).astype(np.float64)


def _column_generation(rows: _Rows, g: Graph, *, stage: int, floor: float = 0.0) -> tuple[float, np.ndarray]:
    """Solve the stage's programme on a subset of the pairs, adding every pair whose reduced cost says it would
    improve, until none does: the answer is then optimal on the whole graph (LP duality), not an approximation."""
    cost = np.zeros(len(g)) if stage == 1 else -g.score / SCORE_SCALE
    if len(g) <= FULL_LP_EDGES:
        active = np.ones(len(g), bool)
    else:
        active = _best(g.need, g.score, START_PER_NODE) | _best(g.offer, g.score, START_PER_NODE)
    while True:
        cols = np.flatnonzero(active)
        t, x, y_need, y_offer, y_group = _restricted(rows, g, cols, cost, stage, floor)
        reduced = cost - (y_need[rows.need_row] + y_offer[rows.offer_row] - rows.weight * y_group[rows.group_row])
        entering = (reduced < -TOLERANCE * max(1.0, np.abs(cost).max(initial=0.0))) & ~active
        if not entering.any():
            full = np.zeros(len(g))
            full[cols] = x
            return t, full
        active |= entering


def _best(keys: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    order = np.lexsort((-score, keys))
    sorted_keys = keys[order]
    rank = np.arange(len(keys)) - np.searchsorted(sorted_keys, sorted_keys, side="left")
    chosen = np.zeros(len(keys), bool)
    chosen[order[rank < k]] = True
    return chosen


def _restricted(rows: _Rows, g: Graph, cols: np.ndarray, cost: np.ndarray, stage: int, floor: float):
    n_cols = len(cols)
    n_n, n_o, n_g = len(rows.needs), len(rows.offers), len(rows.groups)
    index = np.arange(n_cols)
    a_need = coo_matrix((np.ones(n_cols), (rows.need_row[cols], index)), shape=(n_n, n_cols + 1))
    a_offer = coo_matrix((np.ones(n_cols), (rows.offer_row[cols], index)), shape=(n_o, n_cols + 1))
    # t * D_g - sum W_i x_e <= 0 (stage 1: t is the last variable; stage 2: the floor is the right-hand side)
    a_group = coo_matrix((np.concatenate((-rows.weight[cols], rows.demand if stage == 1 else np.zeros(n_g))),
                          (np.concatenate((rows.group_row[cols], np.arange(n_g))),
                           np.concatenate((index, np.full(n_g, n_cols))))), shape=(n_g, n_cols + 1))
    c = np.append(cost[cols], -1.0 if stage == 1 else 0.0)
    upper = np.append(np.full(n_cols, np.inf), 1.0 if stage == 1 else 0.0)
    blocks = [a_need, a_offer, a_group]
    if stage == 2:
        # elastic floors: a restricted set of pairs may not reach the floor yet; a deficit costs more than any
        # score it could buy, so it is zero once the pairs allow it
        big = 1e3 * max(1.0, float(np.abs(cost).max(initial=0.0))) / max(float(rows.weight.min(initial=1.0)), 1e-3)
        elastic = coo_matrix((-np.ones(n_g), (np.arange(n_o + n_n, n_o + n_n + n_g), np.arange(n_g))),
                             shape=(n_n + n_o + n_g, n_g))
        blocks = [vstack(blocks), elastic]
        c = np.append(c, np.full(n_g, big))
        upper = np.append(upper, np.full(n_g, np.inf))
        a_ub = hstack(blocks).tocsr()
    else:
        a_ub = vstack(blocks).tocsr()
    b_group = np.zeros(n_g) if stage == 1 else -(floor - 1e-9) * rows.demand
    b_ub = np.concatenate((rows.b, b_group))
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=np.column_stack((np.zeros(len(c)), upper)), method=LP_METHOD)
    if res.status != 0:
        raise SolverError(f"the max-min linear programme failed: {res.message}")
    y = res.ineqlin.marginals
    t = float(res.x[-1]) if stage == 1 else floor
    t = 0.0 if math.isnan(t) else max(0.0, min(1.0, t))
    return t, res.x[:n_cols], y[:n_n], y[n_n:n_n + n_o], y[n_n + n_o:]
