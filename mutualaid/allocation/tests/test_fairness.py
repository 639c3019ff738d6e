"""Max-min fairness: every group with compatible supply gets within one unit of the LP max-min bound."""
from __future__ import annotations

import pytest

from mutualaid.allocation import Need, Offer, Policy, Problem, allocate

from .helpers import check_feasible, maxmin_lp_bound, random_problem


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
    bound, demand = maxmin_lp_bound(problem)
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


@pytest.mark.parametrize("seed", range(6))
def test_column_generation_reaches_the_whole_graph_optimum(monkeypatch, seed):
    from mutualaid.allocation import fairness
    from mutualaid.allocation.graph import build_graph, to_arrays

    problem = random_problem(900 + seed, n_needs=30, n_offers=12, groups=("g1", "g2", "g3"), spread=0.03,
                             max_qty=5, policy=Policy(fairness="maxmin"))
    arr = to_arrays(problem)
    g = build_graph(arr, problem.policy)
    whole_t = fairness.maxmin_bound(arr, g)
    assert whole_t == pytest.approx(maxmin_lp_bound(problem)[0], abs=1e-7)
    rows = fairness._Rows(arr, g)
    whole = fairness._column_generation(rows, g, stage=2, floor=whole_t)[1] @ g.score
    monkeypatch.setattr(fairness, "FULL_LP_EDGES", 0)
    monkeypatch.setattr(fairness, "START_PER_NODE", 1)
    assert fairness.maxmin_bound(arr, g) == pytest.approx(whole_t, abs=1e-7)
    assert fairness._column_generation(rows, g, stage=2, floor=whole_t)[1] @ g.score == pytest.approx(whole, rel=1e-7)
