"""Every method gives a feasible answer on random problems, and the optimum is never beaten by a baseline."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutualaid.allocation import METHODS, Need, Offer, Policy, Problem, allocate

from .helpers import check_feasible, integer_score, lp_optimum

coords = st.tuples(st.floats(40.0, 40.06), st.floats(-3.73, -3.67))
radius = st.one_of(st.none(), st.floats(0.0, 8.0))
urgency = st.sampled_from(["critical", "high", "normal", "low"])


@st.composite
def problems(draw):
    n_needs, n_offers = draw(st.integers(0, 10)), draw(st.integers(0, 8))
    needs = []
    for i in range(n_needs):
        lat, lon = draw(coords)
        needs.append(Need(f"n{i}", draw(st.sampled_from(["g1", "g2"])), draw(st.sampled_from(["a", "b"])),
                          draw(st.integers(0, 5)), draw(urgency), lat, lon, draw(radius)))
    offers = []
    for j in range(n_offers):
        lat, lon = draw(coords)
        offers.append(Offer(f"o{j}", draw(st.sampled_from(["g1", "g2", "g3"])), draw(st.sampled_from(["a", "b"])),
                            draw(st.integers(0, 6)), lat, lon, draw(radius)))
    policy = Policy(distance_penalty_per_km=draw(st.sampled_from([0.0, 0.1, 5.0, 40.0])),
                    cross_group=draw(st.booleans()), fairness=draw(st.sampled_from([None, "maxmin"])))
    return Problem(needs, offers, policy)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.sampled_from(METHODS))
def test_every_method_gives_a_feasible_answer(problem, method):
    check_feasible(problem, allocate(problem, method))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_the_optimum_is_the_lp_optimum_and_beats_the_baselines(problem):
    problem.policy = Policy(distance_penalty_per_km=problem.policy.distance_penalty_per_km,
                            cross_group=problem.policy.cross_group)
    best = integer_score(problem, allocate(problem))
    assert best == round(lp_optimum(problem))
    for method in ("greedy-fcfs", "greedy-urgency"):
        assert integer_score(problem, allocate(problem, method)) <= best
