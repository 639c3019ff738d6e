"""The data of an allocation problem and of its answer (plain dataclasses, no behaviour beyond conversions)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

URGENCIES = ("critical", "high", "normal", "low")
DEFAULT_URGENCY_WEIGHTS = {"critical": 100.0, "high": 30.0, "normal": 10.0, "low": 3.0}
DEFAULT_DISTANCE_PENALTY_PER_KM = 0.1
EARTH_RADIUS_KM = 6371.0088
SCORE_SCALE = 1000  # scores are rounded to 1/1000 of a point for the integer min-cost flow
METHODS = ("optimal", "greedy-fcfs", "greedy-urgency")
FAIRNESS = (None, "maxmin")


@dataclass(frozen=True, slots=True)
class Need:
    id: str
    group: str
    category: str
    quantity: int
    urgency: str
    lat: float
    lon: float
    max_distance_km: float | None = None


@dataclass(frozen=True, slots=True)
class Offer:
    id: str
    group: str
    category: str
    quantity: int
    lat: float
    lon: float
    max_distance_km: float | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    """How units are scored and shared.

    urgency_weights: W[urgency], the value of one unit given to a need of that urgency.
    distance_penalty_per_km: lambda; a unit given over d km scores W[urgency] - lambda * d.
    cross_group: when False, a need is only matched with offers of its own group.
    fairness: None (maximise the score) or "maxmin" (see `mutualaid.allocation.fairness`).
    """

    urgency_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_URGENCY_WEIGHTS))
    distance_penalty_per_km: float = DEFAULT_DISTANCE_PENALTY_PER_KM
    cross_group: bool = True
    fairness: str | None = None

    def weight(self, urgency: str) -> float:
        return float(self.urgency_weights[urgency])


@dataclass(slots=True)
class Problem:
    """`excluded`: (need id, offer id) pairs that must not be used (e.g. a helper declined that suggestion)."""

    needs: list[Need]
    offers: list[Offer]
    policy: Policy = field(default_factory=Policy)
    excluded: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True, slots=True)
class Allocation:
    """`quantity` units of `offer` go to `need`; each unit scores `score` (so the pair adds quantity * score)."""

    need: str
    offer: str
    quantity: int
    distance_km: float
    score: float


@dataclass(frozen=True, slots=True)
class Unmet:
    need: str
    quantity: int


@dataclass(slots=True)
class Result:
    allocations: list[Allocation]
    unmet: list[Unmet]
    summary: dict

    @property
    def score(self) -> float:
        return self.summary["score"]

    def to_dict(self) -> dict:
        return {
            "allocations": [{"need": a.need, "offer": a.offer, "quantity": a.quantity,
                             "distance_km": round(a.distance_km, 6), "score": round(a.score, 6)}
                            for a in self.allocations],
            "unmet": [{"need": u.need, "quantity": u.quantity} for u in self.unmet],
            "summary": self.summary,
        }
