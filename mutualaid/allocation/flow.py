"""The exact optimum: a min-cost flow per connected component of the compatibility graph.

The transportation problem "maximise sum score * x subject to need and offer quantities" is a min-cost flow:
each need supplies its quantity; a need sends units to a compatible offer (cost -score) or to the sink directly
(cost 0: unmet); each offer passes at most its quantity to the sink. Network matrices are totally unimodular, so the
integer optimum OR-Tools' SimpleMinCostFlow returns is the optimum of the LP too. Scores are integers
(1/1000 of a point), so the answer is exact for the rounded scores.

Components of the graph are independent problems; solving them apart is exact and cheaper (the solver's work grows
faster than linearly). Small components are batched into one solver call to save per-call overhead.
"""
from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .graph import Graph

BATCH_EDGES = 50_000


class SolverError(RuntimeError):
    pass


def components(n_needs: int, n_offers: int, g: Graph) -> np.ndarray:
    """Component label of each edge."""
    if len(g) == 0:
        return np.zeros(0, np.int64)
    size = n_needs + n_offers
    adjacency = coo_matrix((np.ones(len(g), np.int8), (g.need, g.offer + n_needs)), shape=(size, size))
    _, label = connected_components(adjacency, directed=False)
    return label[g.need]


def solve_exact(need_qty: np.ndarray, offer_qty: np.ndarray, g: Graph,
                need_min: np.ndarray | None = None) -> np.ndarray:
    """Units on each edge of `g` maximising the total integer score (optionally with a need getting >= need_min)."""
    flows = np.zeros(len(g), np.int64)
    if len(g) == 0:
        return flows
    label = components(len(need_qty), len(offer_qty), g)
    order = np.argsort(label, kind="stable")
    bounds = np.flatnonzero(np.diff(label[order])) + 1
    groups = np.split(order, bounds)
    batch: list[np.ndarray] = []
    size = 0
    for edges in sorted(groups, key=len, reverse=True):
        batch.append(edges)
        size += len(edges)
        if size >= BATCH_EDGES:
            idx = np.concatenate(batch)
            flows[idx] = _mcf(need_qty, offer_qty, g.take(idx), need_min)
            batch, size = [], 0
    if batch:
        idx = np.concatenate(batch)
        flows[idx] = _mcf(need_qty, offer_qty, g.take(idx), need_min)
    return flows


def _mcf(need_qty, offer_qty, g: Graph, need_min) -> np.ndarray:
    needs, i = np.unique(g.need, return_inverse=True)
    offers, j = np.unique(g.offer, return_inverse=True)
    n, m = len(needs), len(offers)
    sink = n + m
    qn, qo = need_qty[needs], offer_qty[offers]
    unmet_cap = qn if need_min is None else qn - need_min[needs]
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(i.astype(np.int32), (j + n).astype(np.int32),
                                                np.minimum(qn[i], qo[j]), -g.score)
    solver.add_arcs_with_capacity_and_unit_cost(np.arange(n, dtype=np.int32), np.full(n, sink, np.int32),
                                                unmet_cap, np.zeros(n, np.int64))
    solver.add_arcs_with_capacity_and_unit_cost(np.arange(n, sink, dtype=np.int32), np.full(m, sink, np.int32),
                                                qo, np.zeros(m, np.int64))
    supplies = np.concatenate((qn, np.zeros(m, np.int64), [-qn.sum()]))
    solver.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise SolverError(f"min-cost flow did not reach the optimum (status {status})")
    return solver.flows(np.arange(len(g), dtype=np.int32))
