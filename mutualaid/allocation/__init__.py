"""The allocation engine: needs weighted by urgency, the exact optimum, fairness across groups.

Pure Python (numpy, scipy, OR-Tools): imports no Django and nothing else of ours, so it runs without a database.

    from mutualaid.allocation import Need, Offer, Policy, Problem, allocate
    result = allocate(Problem(needs, offers, Policy()), method="optimal")
    result.allocations   # [Allocation(need, offer, quantity, distance_km, score)]
    result.unmet         # [Unmet(need, quantity)]
    result.summary       # score, fill rates by urgency and group, min group fill, Jain index, ...

The problem: a need and an offer are compatible when they share the category, their great-circle distance
(haversine, R = 6371.0088 km) is at most both radii (a missing radius is no limit) and, when the policy sets
cross_group=False, they belong to the same group. A unit scores W[urgency] - lambda * distance_km; pairs scoring
zero or less are never used. "optimal" returns whole quantities maximising the total score, exactly (scores rounded
to 1/1000 of a point) on the whole compatibility graph. policy.fairness="maxmin" first maximises the smallest
weighted fill rate among groups with compatible supply (see `fairness`), then the score under that floor.
"greedy-fcfs" and "greedy-urgency" are the baselines (see `greedy`).
"""
from __future__ import annotations

from .engine import allocate
from .jsonio import InputError, parse_problem, read_problem
from .model import (DEFAULT_DISTANCE_PENALTY_PER_KM, DEFAULT_URGENCY_WEIGHTS, EARTH_RADIUS_KM, METHODS, URGENCIES,
                    Allocation, Need, Offer, Policy, Problem, Result, Unmet)

__all__ = [
    "allocate", "parse_problem", "read_problem", "InputError", "Need", "Offer", "Policy", "Problem", "Allocation",
    "Unmet", "Result", "METHODS", "URGENCIES", "DEFAULT_URGENCY_WEIGHTS", "DEFAULT_DISTANCE_PENALTY_PER_KM",
    "EARTH_RADIUS_KM",
]
