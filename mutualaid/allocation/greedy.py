"""The baselines a spreadsheet group would use.

greedy-fcfs: needs in input order; each takes units from its nearest compatible offer with capacity left, then the
next nearest, until it is filled or no compatible offer has anything left. greedy-urgency: the same, most urgent
needs first (input order within an urgency). "Compatible" is the same as for the optimum, including a positive score.
Distance ties go to the offer that came first in the input.
"""
from __future__ import annotations

import numpy as np

from .graph import Graph


def solve_greedy(need_qty: np.ndarray, offer_qty: np.ndarray, g: Graph, need_order: np.ndarray) -> np.ndarray:
    """Units on each edge of `g` when needs, in `need_order`, each take from their nearest offers."""
    flows = np.zeros(len(g), np.int64)
    if len(g) == 0:
        return flows
    order = np.lexsort((g.offer, g.dist, g.need))  # by need, then distance, then offer
    need_sorted = g.need[order]
    start = np.searchsorted(need_sorted, np.arange(len(need_qty) + 1))
    left = offer_qty.astype(np.int64).copy()
    for i in need_order:
        lo, hi = start[i], start[i + 1]
        want = int(need_qty[i])
        if lo == hi or want <= 0:
            continue
        edges = order[lo:hi]
        offers = g.offer[edges]
        have = left[offers]
        before = np.cumsum(have) - have  # taken from nearer offers if they were all emptied
        take = np.clip(want - before, 0, have)
        if take.any():
            flows[edges] = take
            left[offers] -= take
    return flows
