"""Max-min fairness: every group with compatible supply gets within one unit of the LP max-min bound, and the
score under that floor is at least the LP's (independent programmes on the whole graph, in `reference_maxmin`).

The engine solves those programmes by column generation (only some pairs are columns, the rest priced with the
duals) on a warm HiGHS model, then rounds with a min-cost flow whose floors are per-group cumulative counts by weight
level; the tests below pin each piece against the whole-graph references."""
from __future__ import annotations

import numpy as np
import pytest

from mutualaid.allocation import Need, Offer, Policy, Problem, allocate, fairness
from mutualaid.allocation.citygen import generate
from mutualaid.allocation.graph import build_graph, to_arrays
from mutualaid.allocation.jsonio import parse_problem

from .helpers import check_feasible, integer_score, pairs, random_problem


def weighted_got(problem, result):
    weight = problem.policy.urgency_weights
    urgency = {x.id: x.urgency for x in problem.needs}
    group = {x.id: x.group for x in problem.needs}
    got: dict[str, float] = {}
    for a in result.allocations:
        got[group[a.need]] = got.get(group[a.need], 0.0) + weight[urgency[a.need]] * a.quantity
    return got


@pytest.mark.parametrize("seed", range(30))
def test_each_group_is_within_one_unit_of_the_lp_maxmin_bound(seed):
    problem = random_problem(500 + seed, n_needs=16, n_offers=7, groups=("g1", "g2", "g3", "g4"), spread=0.04,
                             policy=Policy(fairness="maxmin", cross_group=seed % 3 != 0))
    fair = allocate(problem)
    check_feasible(problem, fair)
    bound, demand, _score = reference_maxmin(problem)
    got = weighted_got(problem, fair)
    for g in {s for s, v in fair.summary["by_group"].items() if v["has_compatible_supply"]}:
        one_unit = max(problem.policy.urgency_weights[x.urgency] for x in problem.needs if x.group == g)
        assert got.get(g, 0.0) >= bound * demand[g] - one_unit - 1e-6, (g, got.get(g), bound * demand[g])
    plain = allocate(Problem(problem.needs, problem.offers, Policy(cross_group=problem.policy.cross_group)))
    assert fair.summary["score"] <= plain.summary["score"] + 1e-6


def test_maxmin_shares_a_scarce_offer_between_groups():
    # g1's critical needs would take all five units for the best score; maxmin lifts g2 off zero
    needs = [Need("a", "g1", "food", 5, "critical", 40.0, -3.0), Need("b", "g2", "food", 5, "high", 40.0, -3.0)]
    offers = [Offer("o", "g3", "food", 5, 40.0, -3.0)]
    plain = allocate(Problem(needs, offers))
    fair = allocate(Problem(needs, offers, Policy(fairness="maxmin")))
    assert plain.summary["min_group_fill"] == 0.0
    assert fair.summary["min_group_fill"] >= 0.4
    assert sum(a.quantity for a in fair.allocations) == 5
    assert fair.summary["method"] == "optimal"


def test_groups_without_compatible_supply_do_not_hold_the_floor_down():
    needs = [Need("a", "g1", "food", 2, "high", 40.0, -3.0), Need("lonely", "g2", "tools", 3, "critical", 40, -3)]
    fair = allocate(Problem(needs, [Offer("o", "g1", "food", 2, 40.0, -3.0)], Policy(fairness="maxmin")))
    assert fair.summary["by_group"]["g2"]["has_compatible_supply"] is False
    assert fair.summary["min_group_fill"] == 1.0


def live_pairs(problem):
    """The usable pairs whose need and offer both have units (a need asking for nothing has no supply to share)."""
    return {(i, j): s for (i, j), s in pairs(problem).items()
            if problem.needs[i].quantity > 0 and problem.offers[j].quantity > 0}


def reference_maxmin(problem):
    """Both programmes on every usable pair, sparse, straight from the problem (no engine code): the LP max-min
    bound t*, each group's weighted demand, and the best score (1/1000 points) with every group at t* or above."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    policy = problem.policy
    edges = live_pairs(problem)
    keys = list(edges)
    w = [policy.urgency_weights[x.urgency] for x in problem.needs]
    demand: dict[str, float] = {}
    for x, wx in zip(problem.needs, w):
        demand[x.group] = demand.get(x.group, 0.0) + wx * x.quantity
    groups = sorted({problem.needs[i].group for i, _ in keys})
    if not groups:
        return 1.0, demand, 0.0
    n, m, e = len(problem.needs), len(problem.offers), len(keys)
    row_of = {gr: n + m + k for k, gr in enumerate(groups)}
    rows, cols, vals = [], [], []
    for col, (i, j) in enumerate(keys):
        rows += [i, n + j, row_of[problem.needs[i].group]]
        cols += [col, col, col]
        vals += [1.0, 1.0, -w[i]]
    for gr in groups:  # t * D_g - sum W_i x_ij <= 0
        rows.append(row_of[gr])
        cols.append(e)
        vals.append(demand[gr])
    a = coo_matrix((vals, (rows, cols)), shape=(n + m + len(groups), e + 1)).tocsr()
    b = [x.quantity for x in problem.needs] + [x.quantity for x in problem.offers] + [0.0] * len(groups)
    res = linprog([0.0] * e + [-1.0], A_ub=a, b_ub=b, bounds=[(0, None)] * e + [(0, 1)], method="highs")
    assert res.status == 0
    t = res.x[-1]
    floor = t * (1 - 1e-9)
    res = linprog([-edges[k] for k in keys] + [0.0], A_ub=a, b_ub=b, bounds=[(0, None)] * e + [(floor, floor)],
                  method="highs")
    assert res.status == 0
    return t, demand, -res.fun


def check_maxmin(problem, fair, t, demand, lp_score=None):
    check_feasible(problem, fair)
    got = weighted_got(problem, fair)
    taking = {s for s, v in fair.summary["by_group"].items() if v["has_compatible_supply"]}
    assert taking == {problem.needs[i].group for i, _ in live_pairs(problem)}
    for g in taking:
        one_unit = max(problem.policy.urgency_weights[x.urgency] for x in problem.needs if x.group == g)
        assert got.get(g, 0.0) >= t * demand[g] - one_unit - 1e-6, (g, got.get(g), t * demand[g])
    if lp_score is not None:
        assert integer_score(problem, fair) >= lp_score - 1e-3 - 1e-7 * abs(lp_score)  # LP round-off


def without_lift(monkeypatch):
    """allocate() keeping the floors rounded down (no lifting of the worst-off group)."""
    whole = fairness.whole_units
    monkeypatch.setattr(fairness, "whole_units", lambda *args: whole(*args, lift=False))


POLICIES = [Policy(fairness="maxmin"), Policy(fairness="maxmin", cross_group=False),
            Policy(fairness="maxmin", distance_penalty_per_km=2.0),
            Policy(fairness="maxmin", urgency_weights={"critical": 7, "high": 5, "normal": 5, "low": 0.5},
                   distance_penalty_per_km=0.5)]


@pytest.mark.parametrize("seed", range(24))
def test_the_score_under_the_floor_is_at_least_the_lps(monkeypatch, seed):
    problem = random_problem(700 + seed, n_needs=24, n_offers=10, groups=("g1", "g2", "g3", "g4"), spread=0.04,
                             max_qty=5, policy=POLICIES[seed % 4])
    t, demand, lp_score = reference_maxmin(problem)
    lifted = allocate(problem)
    check_maxmin(problem, lifted, t, demand)
    without_lift(monkeypatch)
    rounded_down = allocate(problem)
    check_maxmin(problem, rounded_down, t, demand, lp_score)
    assert lifted.summary["min_group_fill"] >= rounded_down.summary["min_group_fill"]


@pytest.fixture
def small_start(monkeypatch):
    """Column generation from almost nothing: one pair per need and offer, one entering pair per need and round,
    and no score optimum to start from; so the answer can only be right if the pricing over the whole graph is."""
    monkeypatch.setattr(fairness, "START_ALL_EDGES", 0)
    monkeypatch.setattr(fairness, "START_PER_NODE", 1)
    monkeypatch.setattr(fairness, "ENTER_PER_NEED", 1)
    monkeypatch.setattr(fairness, "solve_exact", lambda need_qty, offer_qty, g: np.zeros(len(g), np.int64))


@pytest.mark.parametrize("seed", range(8))
def test_column_generation_reaches_the_whole_graph_optimum(small_start, seed):
    problem = random_problem(900 + seed, n_needs=30, n_offers=12, groups=("g1", "g2", "g3"), spread=0.03,
                             max_qty=5, policy=POLICIES[seed % 4])
    t, demand, lp_score = reference_maxmin(problem)
    arr = to_arrays(problem)
    g = build_graph(arr, problem.policy)
    cg = fairness._ColumnGeneration(arr, g)
    cg.start(np.zeros(len(g), np.int64))
    assert cg.active.sum() < len(g)
    bound = cg.floor()
    assert bound.t == pytest.approx(t, abs=1e-7)
    assert t - 1e-9 <= bound.upper <= t + 1e-7
    x = cg.score_under_floor(bound.t)
    assert x @ g.score == pytest.approx(lp_score, rel=1e-7, abs=1e-3)
    assert fairness.maxmin_bound(arr, g) == pytest.approx(t, abs=1e-7)
    units = fairness.whole_units(arr, g, cg.columns(), x, bound.t, lift=False)
    assert units @ g.score >= lp_score - 1e-3 - 1e-7 * lp_score
    check_maxmin(problem, allocate(problem), t, demand)


@pytest.mark.parametrize("seed", range(4))
def test_the_linprog_fallback_gives_the_same_answer(monkeypatch, seed):
    problem = random_problem(950 + seed, n_needs=20, n_offers=9, groups=("g1", "g2", "g3"), spread=0.03,
                             max_qty=5, policy=POLICIES[seed % 4])
    warm = allocate(problem)
    monkeypatch.setattr(fairness, "USE_HIGHSPY", False)
    monkeypatch.setattr(fairness, "START_ALL_EDGES", 0)
    monkeypatch.setattr(fairness, "START_PER_NODE", 1)
    cold = allocate(problem)
    t, demand, lp_score = reference_maxmin(problem)
    check_maxmin(problem, cold, t, demand)
    assert cold.summary["min_group_fill"] == pytest.approx(warm.summary["min_group_fill"], abs=0.05)


def test_a_city_with_several_rounds_of_pricing(monkeypatch):
    problem = parse_problem({**generate(300, 150, seed=4, spread_km=2.0), "policy": {"fairness": "maxmin"}})
    t, demand, lp_score = reference_maxmin(problem)
    monkeypatch.setattr(fairness, "START_ALL_EDGES", 0)
    fair = allocate(problem)
    check_maxmin(problem, fair, t, demand)
    plain = allocate(parse_problem(generate(300, 150, seed=4, spread_km=2.0)))
    assert fair.summary["min_group_fill"] >= plain.summary["min_group_fill"] - 1e-9
    assert fair.summary["score"] <= plain.summary["score"] + 1e-6


def test_the_chain_floors_are_cumulative_counts_by_weight_level():
    # one group, weights 100 > 30 > 10: S_1 = critical units, S_2 = critical + high, S_3 = all
    needs = [Need("c", "g", "food", 3, "critical", 40.0, -3.0), Need("h", "g", "food", 2, "high", 40.0, -3.0),
             Need("n", "g", "food", 4, "normal", 40.0, -3.0)]
    problem = Problem(needs, [Offer("o", "x", "food", 9, 40.0, -3.0)], Policy(fairness="maxmin"))
    arr = to_arrays(problem)
    g = build_graph(arr, problem.policy)
    levels = fairness._Levels(arr, g)
    per_need = {0: 1.5, 1: 2.0, 2: 0.25}
    x = np.array([per_need[int(i)] for i in g.need])
    assert list(levels.level_weight) == [100.0, 30.0, 10.0]
    assert list(levels.cumulative(x)) == pytest.approx([1.5, 3.5, 3.75])
    # floors the offer cannot meet: no flow
    assert fairness._chain_flow(arr, g, levels, np.array([3, 5, 10])) is None
    units = fairness._chain_flow(arr, g, levels, np.array([3, 4, 9]))
    got = dict(zip(g.need.tolist(), units.tolist()))
    assert got[0] == 3 and got[0] + got[1] >= 4 and sum(got.values()) == 9
