"""The baselines behave as a spreadsheet group would: nearest offer first, in input order or most urgent first."""
from __future__ import annotations

from mutualaid.allocation import Need, Offer, Problem, allocate


def pairs(result):
    return [(a.need, a.offer, a.quantity) for a in result.allocations]


def city():
    needs = [Need("first-low", "g", "food", 2, "low", 40.0, -3.0),
             Need("second-critical", "g", "food", 2, "critical", 40.0, -3.0)]
    offers = [Offer("far", "g", "food", 1, 40.02, -3.0), Offer("near", "g", "food", 2, 40.001, -3.0)]
    return Problem(needs, offers)


def test_fcfs_serves_needs_in_input_order_from_the_nearest_offer():
    result = allocate(city(), "greedy-fcfs")
    assert sorted(pairs(result)) == [("first-low", "near", 2), ("second-critical", "far", 1)]
    assert result.summary["method"] == "greedy-fcfs"


def test_urgency_serves_the_most_urgent_first():
    result = allocate(city(), "greedy-urgency")
    assert sorted(pairs(result)) == [("first-low", "far", 1), ("second-critical", "near", 2)]


def test_a_need_moves_on_to_the_next_nearest_offer_when_the_nearest_runs_out():
    needs = [Need("n", "g", "food", 5, "normal", 40.0, -3.0)]
    offers = [Offer("b", "g", "food", 2, 40.01, -3.0), Offer("a", "g", "food", 2, 40.005, -3.0),
              Offer("c", "g", "food", 9, 40.02, -3.0), Offer("other", "g", "transport", 9, 40.0, -3.0)]
    assert sorted(pairs(allocate(Problem(needs, offers), "greedy-fcfs"))) == [("n", "a", 2), ("n", "b", 2),
                                                                             ("n", "c", 1)]


def test_greedy_respects_compatibility_and_scores():
    needs = [Need("n", "g", "food", 1, "low", 40.0, -3.0, max_distance_km=1)]
    offers = [Offer("too-far", "g", "food", 1, 40.05, -3.0), Offer("other-category", "g", "tools", 1, 40.0, -3.0)]
    assert pairs(allocate(Problem(needs, offers), "greedy-fcfs")) == []
    # no radii but 400 km away: a low unit (W=3) would score 3 - 40 < 0
    far = Problem([Need("n", "g", "food", 1, "low", 40.0, -3.0)], [Offer("o", "g", "food", 1, 43.6, -3.0)])
    assert pairs(allocate(far, "greedy-urgency")) == []


def test_the_optimum_can_beat_fcfs():
    fcfs, best = allocate(city(), "greedy-fcfs"), allocate(city())
    assert best.summary["score"] > fcfs.summary["score"]
    assert best.summary["by_urgency"]["critical"]["allocated"] == 2
