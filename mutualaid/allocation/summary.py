"""Figures that describe an allocation (the `summary` of the output).

Weighted fill rate of a group: the urgency-weighted units its needs received divided by the urgency-weighted units
its needs asked for, sum(W[u_i] * allocated_i) / sum(W[u_i] * quantity_i) over all of the group's needs. A group
"has compatible supply" when at least one of its needs has at least one compatible offer (a pair that can score);
min_group_fill and jain_index are taken over those groups only (a group nobody can reach is not a fairness failure
of the allocation). Jain's index is (sum x)^2 / (n * sum x^2) over their weighted fill rates: 1 when all are equal.
"""
from __future__ import annotations

import numpy as np

from .graph import Arrays
from .model import URGENCIES


def group_fill(arr: Arrays, allocated: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted allocated and weighted requested units per group code."""
    n_groups = len(arr.groups)
    got = np.bincount(arr.need_group, weights=arr.need_weight * allocated, minlength=n_groups)
    asked = np.bincount(arr.need_group, weights=arr.need_weight * arr.need_qty, minlength=n_groups)
    return got, asked


def fill_rates(got: np.ndarray, asked: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(asked > 0, got / np.where(asked > 0, asked, 1.0), 1.0)


def jain(values: np.ndarray) -> float | None:
    if len(values) == 0:
        return None
    square = float(np.sum(values ** 2))
    return 1.0 if square == 0 else float(np.sum(values)) ** 2 / (len(values) * square)


def summarise(arr: Arrays, method: str, allocated: np.ndarray, eligible_needs: np.ndarray, score: float,
              total_distance: float, seconds: float) -> dict:
    """`allocated[i]`: units need i received; `eligible_needs`: boolean, need i has a compatible offer."""
    weight = arr.need_weight
    requested_w = float(np.sum(weight * arr.need_qty))
    allocated_w = float(np.sum(weight * allocated))
    by_urgency = {}
    for k, urgency in enumerate(URGENCIES):
        mask = arr.need_urgency == k
        asked, got = int(arr.need_qty[mask].sum()), int(allocated[mask].sum())
        by_urgency[urgency] = {"requested": asked, "allocated": got, "unmet": asked - got,
                               "fill": round(got / asked, 6) if asked else None}
    got_w, asked_w = group_fill(arr, allocated)
    rates = fill_rates(got_w, asked_w)
    units_asked = np.bincount(arr.need_group, weights=arr.need_qty, minlength=len(arr.groups))
    units_got = np.bincount(arr.need_group, weights=allocated, minlength=len(arr.groups))
    eligible_groups = np.zeros(len(arr.groups), bool)
    eligible_groups[arr.need_group[eligible_needs]] = True
    by_group = {}
    for code in np.argsort(arr.groups, kind="stable"):
        name = arr.groups[code]
        if asked_w[code] == 0 and units_asked[code] == 0 and not np.any(arr.need_group == code):
            continue  # a group that only offers
        by_group[name] = {"requested": int(units_asked[code]), "allocated": int(units_got[code]),
                          "weighted_fill": round(float(rates[code]), 6),
                          "has_compatible_supply": bool(eligible_groups[code])}
    eligible_rates = rates[eligible_groups]
    index = jain(eligible_rates)
    critical = arr.need_urgency == URGENCIES.index("critical")
    return {
        "method": method,
        "score": round(score, 3),
        # In words for a coordinator: how many needs would be met in full, how many critical ones get nothing.
        "needs": int(len(arr.need_qty)),
        "needs_fully_met": int(np.sum(allocated >= arr.need_qty)),
        "critical_needs_without_help": int(np.sum(critical & (allocated == 0))),
        "units_requested": int(arr.need_qty.sum()),
        "units_allocated": int(allocated.sum()),
        "weighted_fulfilment": round(allocated_w / requested_w, 6) if requested_w > 0 else None,
        "by_urgency": by_urgency,
        "by_group": by_group,
        "min_group_fill": round(float(eligible_rates.min()), 6) if len(eligible_rates) else None,
        "jain_index": round(index, 6) if index is not None else None,
        "total_distance_km": round(total_distance, 3),
        "seconds": round(seconds, 3),
    }
