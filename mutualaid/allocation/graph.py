"""The compatibility graph: every (need, offer) pair that may be used, with its distance and integer score.

A pair is an edge when the need and the offer share the category, their great-circle distance is at most both radii
(a missing radius is no limit), they share the group if the policy forbids crossing groups, and the unit score
W[urgency] - lambda * d, rounded to 1/1000 of a point, is positive. The last condition bounds the search: a need of
urgency u never looks further than W[u] / lambda. Nothing else is pruned: the graph is the whole compatibility graph.

Candidates come from a KD-tree over unit vectors (chord distance is monotone in great-circle distance); the exact
haversine distance then decides, vectorised with numpy.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
from scipy.spatial import cKDTree

from .model import EARTH_RADIUS_KM, SCORE_SCALE, URGENCIES, Policy, Problem


@dataclass(slots=True)
class Arrays:
    """The problem as numpy arrays (index i is needs[i], index j is offers[j])."""

    need_qty: np.ndarray      # int64
    need_weight: np.ndarray   # float64, W[urgency]
    need_urgency: np.ndarray  # int8, index in URGENCIES
    need_lat: np.ndarray      # radians
    need_lon: np.ndarray
    need_radius: np.ndarray   # km, inf when missing
    need_key: np.ndarray      # int64, category (and group when groups may not cross) code
    need_group: np.ndarray    # int64, group code
    offer_qty: np.ndarray
    offer_lat: np.ndarray
    offer_lon: np.ndarray
    offer_radius: np.ndarray
    offer_key: np.ndarray
    offer_group: np.ndarray
    groups: list[str]
    # Pairs never to use: codes need_id * n_offers + offer_id, in the numbering of the whole problem (sorted).
    excluded: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    need_id: np.ndarray | None = None   # index of each need in the whole problem (None: the identity)
    offer_id: np.ndarray | None = None
    n_offers: int = 0


@dataclass(slots=True)
class Graph:
    """Edges as parallel arrays: need index, offer index, distance (km) and score in 1/SCORE_SCALE points."""

    need: np.ndarray    # int64
    offer: np.ndarray   # int64
    dist: np.ndarray    # float64
    score: np.ndarray   # int64, > 0

    def __len__(self) -> int:
        return len(self.need)

    def take(self, index: np.ndarray) -> "Graph":
        return Graph(self.need[index], self.offer[index], self.dist[index], self.score[index])


def to_arrays(problem: Problem) -> Arrays:
    policy = problem.policy
    needs, offers = problem.needs, problem.offers
    groups: dict[str, int] = {}
    keys: dict[tuple, int] = {}

    def code(table: dict, value) -> int:
        return table.setdefault(value, len(table))

    def key(rec) -> int:
        return code(keys, rec.category if policy.cross_group else (rec.category, rec.group))

    inf = math.inf
    urgency_index = {u: k for k, u in enumerate(URGENCIES)}
    excluded = np.zeros(0, np.int64)
    if problem.excluded:
        need_pos = {n.id: i for i, n in enumerate(needs)}
        offer_pos = {o.id: j for j, o in enumerate(offers)}
        excluded = np.unique(np.fromiter(
            (need_pos[n] * len(offers) + offer_pos[o] for n, o in problem.excluded
             if n in need_pos and o in offer_pos), np.int64))
    return Arrays(
        need_qty=np.fromiter((n.quantity for n in needs), np.int64, len(needs)),
        need_weight=np.fromiter((policy.weight(n.urgency) for n in needs), np.float64, len(needs)),
        need_urgency=np.fromiter((urgency_index[n.urgency] for n in needs), np.int8, len(needs)),
        need_lat=np.radians(np.fromiter((n.lat for n in needs), np.float64, len(needs))),
        need_lon=np.radians(np.fromiter((n.lon for n in needs), np.float64, len(needs))),
        need_radius=np.fromiter((inf if n.max_distance_km is None else n.max_distance_km for n in needs),
                                np.float64, len(needs)),
        need_key=np.fromiter((key(n) for n in needs), np.int64, len(needs)),
        need_group=np.fromiter((code(groups, n.group) for n in needs), np.int64, len(needs)),
        offer_qty=np.fromiter((o.quantity for o in offers), np.int64, len(offers)),
        offer_lat=np.radians(np.fromiter((o.lat for o in offers), np.float64, len(offers))),
        offer_lon=np.radians(np.fromiter((o.lon for o in offers), np.float64, len(offers))),
        offer_radius=np.fromiter((inf if o.max_distance_km is None else o.max_distance_km for o in offers),
                                 np.float64, len(offers)),
        offer_key=np.fromiter((key(o) for o in offers), np.int64, len(offers)),
        offer_group=np.fromiter((code(groups, o.group) for o in offers), np.int64, len(offers)),
        groups=list(groups),
        excluded=excluded,
        n_offers=len(offers),
    )


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km between points given in radians (numpy-vectorised)."""
    a = np.sin((lat2 - lat1) * 0.5) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) * 0.5) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    cl = np.cos(lat)
    return np.column_stack((cl * np.cos(lon), cl * np.sin(lon), np.sin(lat)))


def chord(km: np.ndarray) -> np.ndarray:
    """The chord (on the unit sphere) of a great-circle distance, a little generous so the KD-tree misses nothing."""
    angle = np.minimum(np.asarray(km, dtype=np.float64) / EARTH_RADIUS_KM, math.pi)
    return 2.0 * np.sin(angle * 0.5) * (1.0 + 1e-9) + 1e-12


def unit_score(weight: np.ndarray, dist: np.ndarray, penalty: float) -> np.ndarray:
    """Integer unit score in 1/SCORE_SCALE points."""
    return np.rint((weight - penalty * dist) * SCORE_SCALE).astype(np.int64)


def search_radius(arr: Arrays, policy: Policy) -> np.ndarray:
    """How far each need may look: its own radius, and no further than where the score reaches zero."""
    radius = arr.need_radius.copy()
    if policy.distance_penalty_per_km > 0:
        np.minimum(radius, arr.need_weight / policy.distance_penalty_per_km, out=radius)
    radius[arr.need_weight <= 0] = -1.0  # such a need can never score
    return radius


def _pairs(tree: cKDTree, points: np.ndarray, radii: np.ndarray, start: int) -> tuple[np.ndarray, np.ndarray]:
    """All (point index + start, tree index) with chord distance <= radii[point]; radii are chords (finite)."""
    hits = tree.query_ball_point(points, radii, return_sorted=False)
    counts = np.fromiter(map(len, hits), np.int64, len(hits))
    total = int(counts.sum())
    cols = np.fromiter(chain.from_iterable(hits), np.int64, total)
    rows = np.repeat(np.arange(start, start + len(points), dtype=np.int64), counts)
    return rows, cols


CHUNK = 4096  # needs per KD-tree query: bounds the Python lists the query returns


def build_graph(arr: Arrays, policy: Policy) -> Graph:
    """The whole compatibility graph, edges grouped by key (category, or category and group)."""
    reach = search_radius(arr, policy)
    need_xyz = unit_vectors(arr.need_lat, arr.need_lon)
    offer_xyz = unit_vectors(arr.offer_lat, arr.offer_lon)
    need_order = np.argsort(arr.need_key, kind="stable")
    offer_order = np.argsort(arr.offer_key, kind="stable")
    n_keys = int(max(arr.need_key.max(initial=-1), arr.offer_key.max(initial=-1))) + 1
    need_bounds = np.searchsorted(arr.need_key[need_order], np.arange(n_keys + 1))
    offer_bounds = np.searchsorted(arr.offer_key[offer_order], np.arange(n_keys + 1))
    parts: list[Graph] = []
    for k in range(n_keys):
        ni = need_order[need_bounds[k]:need_bounds[k + 1]]
        oj = offer_order[offer_bounds[k]:offer_bounds[k + 1]]
        ni = ni[reach[ni] >= 0]
        if len(ni) == 0 or len(oj) == 0:
            continue
        o_radius = arr.offer_radius[oj]
        bounded = np.isfinite(o_radius)
        for subset, limit in ((oj[bounded], o_radius[bounded].max(initial=0.0)), (oj[~bounded], math.inf)):
            if len(subset) == 0:
                continue
            r = np.minimum(reach[ni], limit)
            r = np.where(np.isfinite(r), chord(np.where(np.isfinite(r), r, 0.0)), 4.0)
            tree = cKDTree(offer_xyz[subset])
            points = need_xyz[ni]
            for start in range(0, len(ni), CHUNK):
                rows, cols = _pairs(tree, points[start:start + CHUNK], r[start:start + CHUNK], start)
                parts.append(_keep(arr, policy, ni[rows], subset[cols]))
    if not parts:
        empty = np.zeros(0, np.int64)
        return Graph(empty, empty.copy(), np.zeros(0), empty.copy())
    return Graph(*(np.concatenate(col) for col in zip(*((g.need, g.offer, g.dist, g.score) for g in parts))))


def _keep(arr: Arrays, policy: Policy, i: np.ndarray, j: np.ndarray) -> Graph:
    d = haversine_km(arr.need_lat[i], arr.need_lon[i], arr.offer_lat[j], arr.offer_lon[j])
    s = unit_score(arr.need_weight[i], d, policy.distance_penalty_per_km)
    ok = (d <= arr.need_radius[i]) & (d <= arr.offer_radius[j]) & (s > 0)
    if len(arr.excluded):
        gi = i if arr.need_id is None else arr.need_id[i]
        gj = j if arr.offer_id is None else arr.offer_id[j]
        ok &= ~np.isin(gi * arr.n_offers + gj, arr.excluded, assume_unique=False)
    return Graph(i[ok], j[ok], d[ok], s[ok])


def subset(arr: Arrays, ni: np.ndarray, oj: np.ndarray) -> Arrays:
    """The needs `ni` and offers `oj` of `arr`, renumbered from 0 (groups keep their codes)."""
    return Arrays(arr.need_qty[ni], arr.need_weight[ni], arr.need_urgency[ni], arr.need_lat[ni], arr.need_lon[ni],
                  arr.need_radius[ni], arr.need_key[ni], arr.need_group[ni], arr.offer_qty[oj], arr.offer_lat[oj],
                  arr.offer_lon[oj], arr.offer_radius[oj], arr.offer_key[oj], arr.offer_group[oj], arr.groups,
                  excluded=arr.excluded, n_offers=arr.n_offers,
                  need_id=ni if arr.need_id is None else arr.need_id[ni],
                  offer_id=oj if arr.offer_id is None else arr.offer_id[oj])
