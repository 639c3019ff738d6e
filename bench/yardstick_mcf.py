"""The yardstick for `mutualaid allocate`: the plain approach, in one process.

    python bench/yardstick_mcf.py IN.json OUT.json

Reads the file, builds the whole compatibility graph with a KD-tree (one per category over unit vectors, each need
querying its own radius, exact haversine filter, vectorised numpy), and solves it as ONE OR-Tools SimpleMinCostFlow.
Writes the allocations and the score. No validation, no splitting, no parallelism: this is what `mutualaid
allocate` must beat. It imports nothing of ours, so it also checks the engine's optimum independently.
"""
from __future__ import annotations

import json
import sys
from itertools import chain

import numpy as np
from ortools.graph.python import min_cost_flow
from scipy.spatial import cKDTree

R = 6371.0088
DEFAULT_W = {"critical": 100.0, "high": 30.0, "normal": 10.0, "low": 3.0}


def main(src: str, dst: str) -> None:
    with open(src) as handle:
        data = json.load(handle)
    policy = data.get("policy") or {}
    weights = {**DEFAULT_W, **(policy.get("urgency_weights") or {})}
    penalty = policy.get("distance_penalty_per_km", 0.1)
    needs, offers = data["needs"], data["offers"]
    n, m = len(needs), len(offers)
    key_of = (lambda r: r["category"]) if policy.get("cross_group", True) else (lambda r: (r["category"], r["group"]))
    nkey = [key_of(r) for r in needs]
    okey = [key_of(r) for r in offers]
    nlat = np.radians([r["lat"] for r in needs])
    nlon = np.radians([r["lon"] for r in needs])
    olat = np.radians([r["lat"] for r in offers])
    olon = np.radians([r["lon"] for r in offers])
    nrad = np.array([r.get("max_distance_km") if r.get("max_distance_km") is not None else np.inf for r in needs])
    orad = np.array([r.get("max_distance_km") if r.get("max_distance_km") is not None else np.inf for r in offers])
    nw = np.array([weights[r["urgency"]] for r in needs])
    nq = np.array([r["quantity"] for r in needs], dtype=np.int64)
    oq = np.array([r["quantity"] for r in offers], dtype=np.int64)

    def xyz(lat, lon):
        return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))

    nxyz, oxyz = xyz(nlat, nlon), xyz(olat, olon)
    by_key: dict = {}
    for j, k in enumerate(okey):
        by_key.setdefault(k, []).append(j)
    needs_by_key: dict = {}
    for i, k in enumerate(nkey):
        needs_by_key.setdefault(k, []).append(i)
    ei, ej = [], []
    for k, ni in needs_by_key.items():
        oj = np.array(by_key.get(k, []), dtype=np.int64)
        if len(oj) == 0:
            continue
        ni = np.array(ni, dtype=np.int64)
        reach = nrad[ni]
        if penalty > 0:
            reach = np.minimum(reach, nw[ni] / penalty)
        angle = np.minimum(np.where(np.isfinite(reach), reach, np.pi * R) / R, np.pi)
        chord = 2 * np.sin(angle / 2) * (1 + 1e-9) + 1e-12
        hits = cKDTree(oxyz[oj]).query_ball_point(nxyz[ni], chord)
        counts = np.array([len(h) for h in hits], dtype=np.int64)
        ei.append(np.repeat(ni, counts))
        ej.append(oj[np.fromiter(chain.from_iterable(hits), np.int64, int(counts.sum()))])
    i = np.concatenate(ei) if ei else np.zeros(0, np.int64)
    j = np.concatenate(ej) if ej else np.zeros(0, np.int64)
    a = np.sin((olat[j] - nlat[i]) / 2) ** 2 + np.cos(nlat[i]) * np.cos(olat[j]) * np.sin((olon[j] - nlon[i]) / 2) ** 2
    d = 2 * R * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    s = np.rint((nw[i] - penalty * d) * 1000).astype(np.int64)
    ok = (d <= nrad[i]) & (d <= orad[j]) & (s > 0)
    i, j, d, s = i[ok], j[ok], d[ok], s[ok]

    mcf = min_cost_flow.SimpleMinCostFlow()
    sink = n + m
    mcf.add_arcs_with_capacity_and_unit_cost(i, j + n, np.minimum(nq[i], oq[j]), -s)
    mcf.add_arcs_with_capacity_and_unit_cost(np.arange(n), np.full(n, sink), nq, np.zeros(n, np.int64))
    mcf.add_arcs_with_capacity_and_unit_cost(np.arange(n, sink), np.full(m, sink), oq, np.zeros(m, np.int64))
    mcf.set_nodes_supplies(np.arange(sink + 1), np.concatenate((nq, np.zeros(m, np.int64), [-nq.sum()])))
    assert mcf.solve() == mcf.OPTIMAL
    flow = mcf.flows(np.arange(len(i)))
    used = np.flatnonzero(flow)
    score = float(np.sum(flow[used] * (nw[i[used]] - penalty * d[used])))
    out = {"allocations": [{"need": needs[a]["id"], "offer": offers[b]["id"], "quantity": int(q),
                            "distance_km": float(x)}
                           for a, b, q, x in zip(i[used], j[used], flow[used], d[used])],
           "summary": {"score": round(score, 3), "integer_score": -mcf.optimal_cost(), "pairs": int(len(i))}}
    with open(dst, "w") as handle:
        json.dump(out, handle)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
