"""Max-min fairness across groups (policy `fairness: "maxmin"`).

The weighted fill rate of a group g is F_g = sum(W[u_i] * a_i) / D_g with D_g = sum(W[u_i] * q_i) over the needs i
of g, where a_i is what need i receives and q_i what it asked for (see `summary`). Only groups with compatible supply
(at least one of their needs has at least one compatible offer) take part.

The linear programmes, over the whole compatibility graph (x_e >= 0 units on pair e; need and offer quantities):

    floor:  t* = max t  subject to  sum_{i in g} W_i a_i >= t * D_g  for every group g taking part
    score:  max score   subject to  the same rows with t = t*

t* is the LP max-min bound. The requirement: every group gets within one unit of t* * D_g (its weighted demand at
the bound), and under that floor the score is as high as possible. Why not simply one LP: the whole graph has
1.4 million pairs on the M city and 11.5 million on L, and HiGHS takes minutes on a few hundred thousand columns
solved from scratch. So both programmes are solved exactly by column generation on ONE HiGHS model, kept between
rounds and stages so every solve is a warm simplex re-start from the last basis:

0. Start: the exact score optimum without floors (a min-cost flow, `flow.solve_exact`, seconds). Its pairs, plus
   each need's and offer's best-scoring pairs, are the first columns; the score programme without floors (t = 0)
   is solved on them (dual simplex), which gives a primal feasible basis for step 1.
1. Floor: the objective becomes max t (primal simplex from that basis: few pivots, where from scratch the
   degenerate max-min programme takes a simplex tens of seconds on M).
2. Score: t is fixed at t* and the objective is the score again (primal simplex from step 1's basis, which stays
   feasible).
   In every stage, after each solve, every pair of the WHOLE graph is priced with the duals (vectorised numpy,
   O(pairs), a fraction of a second on L); the best few improving pairs of each need enter and the model is
   re-solved, until no pair of the graph has a negative reduced cost. The answer is then optimal on the whole graph
   by LP duality, not an approximation on a pruned graph. A dual point made feasible on every pair also bounds t*
   from above independently of the solver (`Bound.upper`; the tests check it equals t*).
3. Whole units: let S*_{g,k} be the units the score programme gives to needs of group g whose weight is at least
   the group's k-th largest weight w_1 > w_2 > ... (cumulative counts). A group's weighted receipts are exactly
   sum_k (w_k - w_{k+1}) S_{g,k} (w_{K+1} = 0). One min-cost flow maximises the score subject to S_{g,k} >=
   floor(S*_{g,k}) for every g and k: the needs of a group flow through a chain of nodes, one per weight level,
   and those floors are lower bounds on the chain's arcs, so it is still a network (integral, exact). The
   programme's solution satisfies the floors, so the flow's score is at least the programme's, and each group
   loses less than sum_k (w_k - w_{k+1}) = w_1 (its largest weight: one unit) against t* * D_g: the guarantee,
   whatever the LP vertex (no assumption on how many receipts are fractional). The flow runs on the pairs the
   column generation ended with (they hold the programme's solution), so it is small and joins all categories.
   Rounding down may leave the worst-off group just below t*; then its floors are rounded up instead where the
   flow stays feasible, kept only if that lifts the smallest fill (at most MAX_LIFT_FLOWS more small flows; the
   score may then fall a little under the programme's, fairness coming first).

Fallback: the HiGHS model is driven through scipy's bundled HiGHS bindings (`scipy.optimize._highspy`); if they are
missing, each round is a fresh `scipy.optimize.linprog` (same answers, no warm start, slower).
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from .flow import SolverError, solve_exact
from .graph import Arrays, Graph
from .model import SCORE_SCALE, Policy

START_ALL_EDGES = 20_000  # graphs up to this many pairs start with every pair as a column
START_PER_NODE = 2        # otherwise each need's and offer's best-scoring pairs start, with the score optimum's
ENTER_PER_NEED = 2        # pairs entering per need and round (the most improving ones)
MAX_ROUNDS = 1000
TOLERANCE = 1e-9          # relative to the programme's cost scale
MAX_LIFT_FLOWS = 6        # at most this many extra flows to round the worst-off groups' floors up
FLOOR_MARGIN = 1e-9       # the score programme's floor is t* * (1 - FLOOR_MARGIN): never infeasible by round-off

try:  # scipy >= 1.15 bundles the HiGHS Python bindings
    from scipy.optimize._highspy import _core as _highs
except ImportError:  # pragma: no cover - exercised through USE_HIGHSPY in the tests
    _highs = None
USE_HIGHSPY = _highs is not None
log = logging.getLogger(__name__)


@dataclass(slots=True)
class Bound:
    """t: the LP max-min bound found (attained by the programme's solution); upper: a bound t* <= upper from duals
    made feasible on every pair of the graph (equal to t up to the solver's tolerances)."""

    t: float
    upper: float


def maxmin_bound(arr: Arrays, g: Graph) -> float:
    """The LP max-min bound t* (weighted fill rate every group with compatible supply can reach at once)."""
    if len(g) == 0:
        return 1.0
    cg = _ColumnGeneration(arr, g)
    cg.start(solve_exact(arr.need_qty, arr.offer_qty, g))
    return cg.floor().t


def solve_maxmin(arr: Arrays, g: Graph, policy: Policy | None = None) -> np.ndarray:
    """Units on each edge of `g`: max-min fair across groups, then the best score under that floor."""
    if len(g) == 0:
        return np.zeros(0, np.int64)
    cg = _ColumnGeneration(arr, g)
    cg.start(solve_exact(arr.need_qty, arr.offer_qty, g))
    bound = cg.floor()
    x = cg.score_under_floor(bound.t)
    return whole_units(arr, g, cg.columns(), x, bound.t)


# --- the programmes ------------------------------------------------------------------------------------------------

class _ColumnGeneration:
    """Rows: need i (sum x <= q_i), offer j (sum x <= Q_j) for every need and offer of `arr` (those without pairs
    have empty rows), group g (sum W_i x - (D_g / D) tau >= 0) for each group taking part. Columns: tau = t * D (D
    the mean demand of the groups taking part, so the duals are of the order of the weights), then the active
    pairs. Costs are minimised: -tau (floor stage) or -score in points (score stages). Nothing per pair is kept
    besides the graph itself and one flag (big graphs: L has 11.5 million pairs)."""

    def __init__(self, arr: Arrays, g: Graph):
        self.arr, self.g = arr, g
        n_n, n_o = len(arr.need_qty), len(arr.offer_qty)
        present = np.zeros(len(arr.groups), bool)
        present[arr.need_group[np.unique(g.need)]] = True
        self.groups = np.flatnonzero(present)
        lookup = np.full(len(arr.groups), -1, np.int64)
        lookup[self.groups] = np.arange(len(self.groups))
        self.need_group_row = lookup[arr.need_group]  # -1: a group not taking part (its needs have no pairs)
        asked = np.bincount(arr.need_group, weights=arr.need_weight * arr.need_qty, minlength=len(arr.groups))
        self.demand = asked[self.groups]
        self.scale = float(self.demand.mean())
        self.top_score = max(1.0, float(g.score.max(initial=0)) / SCORE_SCALE)
        n_g = len(self.groups)
        self.n_n, self.n_o, self.n_g = n_n, n_o, n_g
        self.lp = (_HighsModel if USE_HIGHSPY else _LinprogModel)()
        inf = math.inf
        self.lp.add_rows(np.concatenate((np.full(n_n + n_o, -inf), np.zeros(n_g))),
                         np.concatenate((arr.need_qty, arr.offer_qty, np.full(n_g, inf))).astype(np.float64))
        # tau: column 0
        self.lp.add_cols(np.zeros(1), np.zeros(1), np.array([self.scale]),
                         (n_n + n_o + np.arange(n_g))[None, :], -(self.demand / self.scale)[None, :])
        self.active = np.zeros(len(g), bool)
        self.order: list[np.ndarray] = []  # active pairs in column order (column k + 1 is pair order[k])
        self.stage = "score"
        self.score_weight = 1.0  # cost of a pair: -score_weight * score (points); 0 when maximising the floor
        self.rounds = 0
        self.tau = -1.0  # tau at the floor stage's optimum

    # columns
    def columns(self) -> np.ndarray:
        return np.concatenate(self.order) if self.order else np.zeros(0, np.int64)

    def _cost(self, idx: np.ndarray) -> np.ndarray:
        return self.g.score[idx] * (-self.score_weight / SCORE_SCALE)

    def _add(self, idx: np.ndarray) -> None:
        idx = idx[~self.active[idx]]
        if len(idx) == 0:
            return
        self.active[idx] = True
        self.order.append(idx)
        need = self.g.need[idx]
        rows = np.column_stack((need, self.n_n + self.g.offer[idx], self.n_n + self.n_o + self.need_group_row[need]))
        vals = np.column_stack((np.ones(len(idx)), np.ones(len(idx)), self.arr.need_weight[need]))
        self.lp.add_cols(self._cost(idx), np.zeros(len(idx)), np.full(len(idx), math.inf), rows, vals)

    def _set_stage(self, stage: str, score_weight: float = 1.0) -> None:
        self.stage = stage
        self.score_weight = score_weight
        cols = self.columns()
        self.lp.set_costs(np.concatenate(([-1.0 if stage == "floor" else 0.0], self._cost(cols))))

    # stages
    def start(self, flows: np.ndarray) -> None:
        """The first columns: the pairs used by `flows` (the score optimum) and each need's and offer's best pairs;
        then the score programme without floors (tau = 0), from that optimum, priced to optimality on the whole
        graph."""
        g = self.g
        if len(g) <= START_ALL_EDGES:
            chosen = np.ones(len(g), bool)
        else:
            chosen = flows > 0
            chosen |= _best(g.need, g.score, START_PER_NODE)
            chosen |= _best(g.offer, g.score, START_PER_NODE)
        self._add(np.flatnonzero(chosen))
        del chosen
        self.lp.set_col_bounds(0, 0.0, 0.0)
        self._set_stage("score")
        self.lp.set_start(np.concatenate(([0.0], flows[self.columns()].astype(np.float64))))
        self._converge(primal=False)

    def floor(self) -> Bound:
        self.lp.set_col_bounds(0, 0.0, self.scale)
        self._set_stage("floor", 0.0)
        x, y = self._converge(primal=True)
        self.tau = float(x[0])
        t = min(1.0, max(0.0, x[0] / self.scale))
        return Bound(t, max(t, self._upper_bound(y)))

    def score_under_floor(self, t: float) -> np.ndarray:
        """Fractional units on each pair of g (zero off the active columns)."""
        tau = max(0.0, t * (1.0 - FLOOR_MARGIN) - FLOOR_MARGIN) * self.scale
        if abs(tau - self.tau) <= 1e-6 * self.scale:
            tau = min(tau, self.tau)  # never above what the floor stage's basis attains
        self.lp.set_col_bounds(0, tau, tau)
        self._set_stage("score")
        # primal simplex from the floor stage's basis (still feasible: tau stays put)
        x, _ = self._converge(primal=True)
        full = np.zeros(len(self.g))
        full[self.columns()] = np.maximum(x[1:], 0.0)
        return full

    def _converge(self, primal: bool) -> tuple[np.ndarray, np.ndarray]:
        # reduced costs are computed in SCORE_SCALE units in the score stages (integer scores, no scaled copy)
        unit = 1.0 if self.stage == "floor" else float(SCORE_SCALE)
        threshold = -TOLERANCE * unit * (1.0 if self.stage == "floor" else self.top_score)
        for _ in range(MAX_ROUNDS):
            started = time.perf_counter()
            x, y = self.lp.solve(primal)
            solved = time.perf_counter()
            reduced = self._reduced(y, unit)
            entering = np.flatnonzero(reduced < threshold)
            entering = entering[~self.active[entering]]
            self.rounds += 1
            log.debug("maxmin %s round %d: %d columns, LP %.2f s, pricing %.2f s, %d improving pairs",
                      self.stage, self.rounds, len(x) - 1, solved - started, time.perf_counter() - solved,
                      len(entering))
            if len(entering) == 0:
                return x, y
            self._add(entering[_best(self.g.need[entering], -reduced[entering], ENTER_PER_NEED)])
            del reduced
        raise SolverError("the max-min column generation did not converge")

    def _duals(self, y: np.ndarray):
        n_n, n_o = self.n_n, self.n_o
        return y[:n_n], y[n_n:n_n + n_o], np.append(y[n_n + n_o:], 0.0)  # last: groups not taking part

    def _reduced(self, y: np.ndarray, unit: float) -> np.ndarray:
        """unit * the reduced cost of every pair of the graph (HiGHS convention: d = c - A^T y; < 0 would improve).
        The per-need part (need row and group row) is summed per need first, then gathered once per pair."""
        y_need, y_offer, y_group = self._duals(y)
        per_need = (y_need + self.arr.need_weight * y_group[self.need_group_row]) * -unit
        reduced = per_need[self.g.need]
        reduced -= (y_offer * unit)[self.g.offer]
        if self.stage != "floor":
            reduced -= self.g.score
        elif self.score_weight:
            reduced -= self.g.score * (self.score_weight / SCORE_SCALE)
        return reduced

    def _upper_bound(self, y: np.ndarray) -> float:
        """An upper bound on t*, from the floor stage's duals made feasible for every pair of the graph.

        Dual of max tau: min sum q u + sum Q v + D rho over u, v, mu, rho >= 0 with u_i + v_j >= W_i mu_g on
        every pair and sum_g mu_g D_g / D + rho >= 1. Any such point bounds tau* = t* D from above."""
        y_need, y_offer, y_group = self._duals(y)
        u, v, mu = np.maximum(-y_need, 0.0), np.maximum(-y_offer, 0.0), np.maximum(y_group, 0.0)
        rho = max(0.0, 1.0 - float(mu[:-1] @ self.demand) / self.scale)
        short = (self.arr.need_weight * mu[self.need_group_row] - u)[self.g.need]
        short -= v[self.g.offer]
        lift = np.zeros(self.n_n)
        np.maximum.at(lift, self.g.need, short)
        u = u + lift
        return float(self.arr.need_qty @ u + self.arr.offer_qty @ v + self.scale * rho) / self.scale


def _best(keys: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Boolean mask: for each key, its k entries of highest score."""
    top = int(score.max(initial=0)) if score.dtype.kind == "i" else -1
    if 0 <= top and score.min(initial=0) >= 0 and (int(keys.max(initial=0)) + 1) * (top + 1) < 2 ** 62:
        order = np.argsort(keys * (top + 1) + (top - score))  # one integer key: faster than lexsort
    else:
        order = np.lexsort((-score, keys))
    sorted_keys = keys[order]
    rank = np.arange(len(keys)) - np.searchsorted(sorted_keys, sorted_keys, side="left")
    chosen = np.zeros(len(keys), bool)
    chosen[order[rank < k]] = True
    return chosen


# --- whole units ---------------------------------------------------------------------------------------------------

def whole_units(arr: Arrays, g: Graph, cols: np.ndarray, x: np.ndarray, t: float, lift: bool = True) -> np.ndarray:
    """Integral units on each pair of g: the best score with every group's cumulative counts by weight level at
    least the floor of the fractional solution `x` (nonzero only on `cols`), whose groups all reach t.

    Rounding down loses less than one unit per group (and the score is at least the programme's). With `lift`,
    while the worst-off group is below t, its floors are rounded up instead (all its levels at once, else level by
    level) where the flow stays feasible; kept only if that group gains and the smallest fill does not drop (a few
    small flows on the pairs of `cols`; the score may then fall a little below the programme's)."""
    sub = g.take(cols)
    levels = _Levels(arr, sub)
    s_star = levels.cumulative(x[cols])
    units = None
    for slack in (1e-6, -1e-6):
        floors = np.maximum(np.floor(s_star + slack), 0).astype(np.int64)
        units = _chain_flow(arr, sub, levels, floors)
        if units is not None:
            break
    if units is None:
        raise SolverError("no whole allocation meets the max-min floors")
    ceilings = np.maximum(np.ceil(s_star - 1e-6), floors).astype(np.int64)
    tried: set[int] = set()
    flows = 0
    while lift and flows < MAX_LIFT_FLOWS:
        fill = levels.fill(arr, units)
        worst = [int(k) for k in np.flatnonzero(fill <= fill.min() + 1e-12) if int(k) not in tried]
        if not worst or fill[worst[0]] >= t - 1e-9:
            break
        group = worst[0]
        tried.add(group)
        mine = np.flatnonzero((levels.level_group == levels.groups[group]) & (ceilings > floors))
        # all of the group's levels at once, else one at a time (the largest weight step first)
        steps = [mine] + ([mine[[k]] for k in np.argsort(-levels.step[mine], kind="stable")] if len(mine) > 1 else [])
        for step in steps if len(mine) else []:
            if flows >= MAX_LIFT_FLOWS:
                break
            flows += 1
            raised = floors.copy()
            raised[step] = ceilings[step]
            better = _chain_flow(arr, sub, levels, raised)
            if better is None:
                continue
            new = levels.fill(arr, better)
            if new[group] > fill[group] + 1e-12 and new.min() >= fill.min() - 1e-12:
                floors, units, fill = raised, better, new
                if len(step) == len(mine):
                    break
    full = np.zeros(len(g), np.int64)
    full[cols] = units
    return full


class _Levels:
    """The weight levels of each group: the distinct weights of its needs in the graph, largest first."""

    def __init__(self, arr: Arrays, g: Graph):
        self.needs, self.need_pos = np.unique(g.need, return_inverse=True)
        group = arr.need_group[self.needs]
        weight = arr.need_weight[self.needs]
        keys = np.column_stack((group, -weight))
        table, self.need_level = np.unique(keys, axis=0, return_inverse=True)
        self.need_level = self.need_level.reshape(-1)
        self.level_group = table[:, 0].astype(np.int64)
        self.level_weight = -table[:, 1]
        last = np.append(self.level_group[1:] != self.level_group[:-1], True)
        self.last = last  # the group's smallest weight: its chain ends at the sink
        # w_k - w_{k+1}: what one more unit of S_{g,k} is worth in weighted receipts
        self.step = self.level_weight - np.where(last, 0.0, np.append(self.level_weight[1:], 0.0))
        self.groups = np.unique(self.level_group)
        self.g = g

    def cumulative(self, units_per_edge: np.ndarray) -> np.ndarray:
        """S_{g,k}: units given to needs of level k or above in their group (levels ordered by group, weight down)."""
        per_need = np.bincount(self.need_pos, weights=units_per_edge, minlength=len(self.needs))
        per_level = np.bincount(self.need_level, weights=per_need, minlength=len(self.level_group))
        out = np.empty_like(per_level)
        start = 0
        for end in np.flatnonzero(self.last) + 1:  # few levels: a loop over groups
            out[start:end] = np.cumsum(per_level[start:end])
            start = end
        return out

    def fill(self, arr: Arrays, units: np.ndarray) -> np.ndarray:
        """Weighted fill rate of each group taking part (in the order of `groups`) given units on the pairs."""
        got = np.bincount(arr.need_group[self.g.need], weights=arr.need_weight[self.g.need] * units,
                          minlength=len(arr.groups))
        asked = np.bincount(arr.need_group, weights=arr.need_weight * arr.need_qty, minlength=len(arr.groups))
        return got[self.groups] / asked[self.groups]


def _chain_flow(arr: Arrays, g: Graph, levels: _Levels, floors: np.ndarray) -> np.ndarray | None:
    """Max score on g with the cumulative counts of each (group, level) at least `floors`; None if infeasible.

    Nodes: offers, needs, levels, sink. Offer j -> need i (capacity min(q_i, Q_j), cost -score); offer -> sink
    (unused units); need -> its level (capacity q_i); level k -> level k + 1 of the group, the last level -> sink,
    with lower bound floors[k] (a lower bound l on a -> b: capacity minus l, supply of a minus l, of b plus l)."""
    offers, j = np.unique(g.offer, return_inverse=True)
    n_o, n_n, n_l = len(offers), len(levels.needs), len(levels.level_group)
    i = levels.need_pos
    need_node, level_node, sink = n_o, n_o + n_n, n_o + n_n + n_l
    qn = arr.need_qty[levels.needs]
    qo = arr.offer_qty[offers]
    total = int(qo.sum())
    lvl = np.arange(n_l)
    head = np.where(levels.last, sink, level_node + lvl + 1)
    tails = np.concatenate((j, np.arange(n_o), need_node + np.arange(n_n), level_node + lvl))
    heads = np.concatenate((need_node + i, np.full(n_o, sink), level_node + levels.need_level, head))
    caps = np.concatenate((np.minimum(qn[i], qo[j]), qo, qn, np.maximum(total - floors, 0)))
    costs = np.concatenate((-g.score, np.zeros(n_o + n_n + n_l, np.int64)))
    supply = np.zeros(sink + 1, np.int64)
    supply[:n_o] = qo
    supply[sink] = -total
    np.subtract.at(supply, level_node + lvl, floors)
    np.add.at(supply, head, floors)
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32),
                                                caps.astype(np.int64), costs.astype(np.int64))
    solver.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supply)
    status = solver.solve()
    if status == solver.INFEASIBLE:
        return None
    if status != solver.OPTIMAL:
        raise SolverError(f"min-cost flow did not reach the optimum (status {status})")
    return solver.flows(np.arange(len(g), dtype=np.int32))


# --- the LP backends -----------------------------------------------------------------------------------------------

class _HighsModel:
    """One HiGHS model kept between solves (so each re-solve starts from the last basis)."""

    def __init__(self):
        self.h = _highs._Highs()
        self.h.setOptionValue("output_flag", False)
        self.n_rows = 0
        self.n_cols = 0

    def add_rows(self, lower: np.ndarray, upper: np.ndarray) -> None:
        inf = _highs.kHighsInf
        self.h.addRows(len(lower), np.nan_to_num(lower, neginf=-inf), np.nan_to_num(upper, posinf=inf), 0,
                       np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
        self.n_rows += len(lower)

    def add_cols(self, cost, lower, upper, rows: np.ndarray, vals: np.ndarray) -> None:
        """rows, vals: (k, r) arrays, each column's r row indices and coefficients."""
        k, r = rows.shape
        inf = _highs.kHighsInf
        self.h.addCols(k, np.asarray(cost, np.float64), np.asarray(lower, np.float64),
                       np.nan_to_num(np.asarray(upper, np.float64), posinf=inf), k * r,
                       (np.arange(k) * r).astype(np.int32), rows.ravel().astype(np.int32),
                       vals.ravel().astype(np.float64))
        self.n_cols += k

    def set_col_bounds(self, col: int, lower: float, upper: float) -> None:
        self.h.changeColBounds(col, lower, upper)

    def set_costs(self, cost: np.ndarray) -> None:
        self.h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), np.asarray(cost, np.float64))

    def set_start(self, values: np.ndarray) -> None:
        """A primal solution to start the next solve from (HiGHS builds its first basis around it)."""
        solution = self.h.getSolution()
        solution.col_value = np.asarray(values, np.float64)
        self.h.setSolution(solution)

    def solve(self, primal: bool) -> tuple[np.ndarray, np.ndarray]:
        self.h.setOptionValue("simplex_strategy", 4 if primal else 1)
        self.h.run()
        status = self.h.getModelStatus()
        if status != _highs.HighsModelStatus.kOptimal:
            raise SolverError(f"the max-min linear programme failed: {self.h.modelStatusToString(status)}")
        sol = self.h.getSolution()
        return np.asarray(sol.col_value), np.asarray(sol.row_dual)


class _LinprogModel:
    """The same interface on scipy.optimize.linprog: every solve starts from scratch."""

    def __init__(self):
        self.row_lower: list[np.ndarray] = []
        self.row_upper: list[np.ndarray] = []
        self.cost: list[np.ndarray] = []
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.n_cols = 0

    def add_rows(self, lower, upper) -> None:
        self.row_lower.append(np.asarray(lower, np.float64))
        self.row_upper.append(np.asarray(upper, np.float64))

    def add_cols(self, cost, lower, upper, rows, vals) -> None:
        k, r = rows.shape
        self.entries.append((rows.ravel(), np.repeat(np.arange(self.n_cols, self.n_cols + k), r), vals.ravel()))
        self.cost.append(np.asarray(cost, np.float64))
        self.lower.append(np.asarray(lower, np.float64))
        self.upper.append(np.asarray(upper, np.float64))
        self.n_cols += k

    def set_col_bounds(self, col, lower, upper) -> None:
        lo, hi = np.concatenate(self.lower), np.concatenate(self.upper)
        lo[col], hi[col] = lower, upper
        self.lower, self.upper = [lo], [hi]

    def set_costs(self, cost) -> None:
        self.cost = [np.asarray(cost, np.float64)]

    def set_start(self, values) -> None:
        pass  # linprog takes no starting point

    def solve(self, primal: bool) -> tuple[np.ndarray, np.ndarray]:
        from scipy.optimize import linprog
        from scipy.sparse import coo_matrix

        lo_r, hi_r = np.concatenate(self.row_lower), np.concatenate(self.row_upper)
        rows, cols, vals = (np.concatenate(part) for part in zip(*self.entries))
        a = coo_matrix((vals, (rows, cols)), shape=(len(lo_r), self.n_cols)).tocsr()
        upper_rows = np.isfinite(hi_r)  # each row has one finite side here: <= rows and >= rows
        sign = np.where(upper_rows, 1.0, -1.0)
        b = np.where(upper_rows, hi_r, -lo_r)
        res = linprog(np.concatenate(self.cost), A_ub=a.multiply(sign[:, None]).tocsr(), b_ub=b,
                      bounds=np.column_stack((np.concatenate(self.lower), np.concatenate(self.upper))),
                      method="highs")
        if res.status != 0:
            raise SolverError(f"the max-min linear programme failed: {res.message}")
        return res.x, res.ineqlin.marginals * sign
