"""The optimum is exact: it equals an independent LP and a brute force, on the whole compatibility graph."""
from __future__ import annotations

import numpy as np
import pytest

from mutualaid.allocation import Need, Offer, Policy, Problem, allocate
from mutualaid.allocation import engine
from mutualaid.allocation.citygen import generate
from mutualaid.allocation.graph import build_graph, to_arrays
from mutualaid.allocation.jsonio import parse_problem

from .helpers import brute_force, check_feasible, integer_score, lp_optimum, pairs, random_problem


@pytest.mark.parametrize("seed", range(40))
def test_it_matches_the_lp_optimum(seed):
    policy = [Policy(), Policy(cross_group=False), Policy(distance_penalty_per_km=2.5),
              Policy(urgency_weights={"critical": 7, "high": 5, "normal": 2, "low": 0.5},
                     distance_penalty_per_km=1)][seed % 4]
    problem = random_problem(seed, n_needs=14, n_offers=9, policy=policy)
    result = allocate(problem)
    check_feasible(problem, result)
    assert integer_score(problem, result) == pytest.approx(lp_optimum(problem), abs=1e-6)


@pytest.mark.parametrize("seed", range(25))
def test_it_matches_a_brute_force_on_tiny_problems(seed):
    problem = random_problem(1000 + seed, n_needs=3, n_offers=3, categories=("food",), max_qty=2,
                             policy=Policy(distance_penalty_per_km=[0.1, 3.0][seed % 2]))
    result = allocate(problem)
    check_feasible(problem, result)
    assert integer_score(problem, result) == brute_force(problem)


def test_the_graph_is_the_whole_compatibility_graph():
    problem = parse_problem(generate(300, 150, seed=3, spread_km=2.0, no_radius_share=0.05))
    arr = to_arrays(problem)
    g = build_graph(arr, problem.policy)
    built = {(int(i), int(j)): int(s) for i, j, s in zip(g.need, g.offer, g.score)}
    assert built == pairs(problem)
    assert len(built) > 1500


def test_a_city_is_solved_to_the_lp_optimum():
    problem = parse_problem(generate(120, 60, seed=5, spread_km=1.5))
    result = allocate(problem)
    check_feasible(problem, result)
    assert integer_score(problem, result) == pytest.approx(lp_optimum(problem), abs=1e-6)


def test_the_pool_gives_the_same_answer(monkeypatch):
    problem = parse_problem(generate(400, 200, seed=9, spread_km=1.5))
    serial = allocate(problem)
    monkeypatch.setattr(engine, "PARALLEL_MIN_WORK", 0)
    parallel = allocate(problem, workers=2)
    assert parallel.summary["score"] == serial.summary["score"]
    assert integer_score(problem, parallel) == integer_score(problem, serial)


def test_far_pairs_that_cannot_score_are_never_used():
    # 2000 km apart, no radii: a critical unit would score 100 - 0.1 * 2000 < 0
    problem = Problem([Need("n", "g", "food", 1, "critical", 40.0, -3.0)], [Offer("o", "g", "food", 1, 58.0, -3.0)])
    result = allocate(problem)
    assert result.allocations == [] and result.unmet[0].quantity == 1


def test_a_missing_radius_is_no_limit():
    problem = Problem([Need("n", "g", "food", 2, "critical", 40.0, -3.0)], [Offer("o", "g", "food", 5, 40.5, -3.0)])
    result = allocate(problem)
    assert [(a.need, a.offer, a.quantity) for a in result.allocations] == [("n", "o", 2)]
    assert result.allocations[0].distance_km == pytest.approx(55.6, abs=0.1)


def test_radii_bind_on_both_sides():
    need = Need("n", "g", "food", 1, "critical", 40.0, -3.0, max_distance_km=10)
    assert allocate(Problem([need], [Offer("o", "g", "food", 1, 40.05, -3.0, max_distance_km=10)])).allocations
    assert not allocate(Problem([need], [Offer("o", "g", "food", 1, 40.05, -3.0, max_distance_km=5)])).allocations
    assert not allocate(Problem([Need("n", "g", "food", 1, "critical", 40.0, -3.0, max_distance_km=5)],
                                [Offer("o", "g", "food", 1, 40.05, -3.0)])).allocations


def test_urgency_wins_a_scarce_unit_and_distance_breaks_ties():
    needs = [Need("low", "g", "food", 1, "low", 40.0, -3.0), Need("crit", "g", "food", 1, "critical", 40.03, -3.0),
             Need("crit-near", "g", "food", 1, "critical", 40.001, -3.0)]
    result = allocate(Problem(needs, [Offer("o", "g", "food", 1, 40.0, -3.0)]))
    assert [(a.need, a.quantity) for a in result.allocations] == [("crit-near", 1)]


def test_groups_do_not_cross_when_the_policy_says_so():
    needs = [Need("n", "g1", "food", 1, "high", 40.0, -3.0)]
    offers = [Offer("o", "g2", "food", 1, 40.0, -3.0)]
    assert allocate(Problem(needs, offers)).allocations
    assert not allocate(Problem(needs, offers, Policy(cross_group=False))).allocations


def test_empty_and_zero_quantity_problems():
    assert allocate(Problem([], [])).summary["units_requested"] == 0
    result = allocate(Problem([Need("n", "g", "food", 0, "high", 40.0, -3.0)], [Offer("o", "g", "food", 3, 40, -3)]))
    assert result.allocations == [] and result.unmet == []
    result = allocate(Problem([Need("n", "g", "food", 2, "high", 40.0, -3.0)], []))
    assert result.unmet[0].quantity == 2 and result.summary["min_group_fill"] is None


def test_a_summary_tells_fill_by_urgency_and_group():
    needs = [Need("a", "g1", "food", 2, "critical", 40.0, -3.0), Need("b", "g2", "food", 2, "low", 40.0, -3.0)]
    result = allocate(Problem(needs, [Offer("o", "g3", "food", 3, 40.0, -3.0)]))
    s = result.summary
    assert s["by_urgency"]["critical"] == {"requested": 2, "allocated": 2, "unmet": 0, "fill": 1.0}
    assert s["by_urgency"]["low"]["allocated"] == 1
    assert s["by_group"]["g2"]["weighted_fill"] == 0.5
    assert s["min_group_fill"] == 0.5
    assert s["weighted_fulfilment"] == pytest.approx((200 + 3) / 206, abs=1e-6)
    assert s["jain_index"] == pytest.approx(1.5 ** 2 / (2 * 1.25), abs=1e-6)
    assert np.isclose(s["score"], 2 * 100 + 3)


def test_excluded_pairs_are_never_used_and_the_rest_is_still_optimal():
    """A helper who declined a suggestion is not offered that need again; the engine re-optimises around it."""
    from mutualaid.allocation import Need, Offer, Problem, allocate

    needs = [Need("n1", "g", "food", 2, "critical", 0.0, 0.0), Need("n2", "g", "food", 1, "low", 0.0, 0.01)]
    offers = [Offer("near", "g", "food", 2, 0.0, 0.001), Offer("far", "g", "food", 2, 0.0, 0.05)]
    plain = allocate(Problem(needs, offers))
    assert {(a.need, a.offer) for a in plain.allocations} >= {("n1", "near")}
    without = allocate(Problem(needs, offers, excluded=frozenset({("n1", "near")})))
    pairs = {(a.need, a.offer): a.quantity for a in without.allocations}
    assert ("n1", "near") not in pairs
    assert pairs[("n1", "far")] == 2 and pairs[("n2", "near")] == 1
