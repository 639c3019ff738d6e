"""The attack-resistant trust metric behind the coordinator role (pure Python and OR-Tools; no Django).

Levien and Aiken's Advogato metric in its simplest form: a candidate's counted trust is the number of
vertex-disjoint trust paths that reach them from the group's roots (its founders and the members a coordinator
accepted by application). Every person but a root carries at most one path (a root may start many), so a cluster
of accounts that trust each other, reached from the rest of the group by k trust edges, can never give any of its
accounts more than k: every path into the cluster crosses one of those edges. Trust given by someone no path
reaches (a newcomer nobody vouched for) carries no path, so it counts for nothing.

`reached` says who is a member at all: a root, or someone trust reaches from one.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable

from ortools.graph.python import max_flow

Edge = tuple[Hashable, Hashable]


def reached(roots: Iterable[Hashable], edges: Iterable[Edge]) -> set[Hashable]:
    """Everyone reached by trust from a root (roots included): the people whose trust counts."""
    out: dict[Hashable, list[Hashable]] = {}
    for giver, receiver in edges:
        out.setdefault(giver, []).append(receiver)
    seen = set(roots)
    queue = deque(seen)
    while queue:
        for nxt in out.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def counted_trust(roots: Iterable[Hashable], edges: Iterable[Edge], candidates: Iterable[Hashable]
                  ) -> dict[Hashable, int]:
    """For each candidate, the number of vertex-disjoint trust paths from the roots to them.

    A root who is the candidate does not count as a path to themselves; a root who trusts the candidate directly is
    a path of one edge. Self-trust and repeated edges are ignored. The graph splits every person into an in- and an
    out-node joined by capacity 1, and the source feeds each root's out-node without limit. It is built once; for
    each candidate the arc that feeds their own out-node is closed (what they give is no path to themselves) and one
    max-flow is solved to their in-node.
    """
    roots = set(roots)
    edges = {(g, r) for g, r in edges if g != r}
    people = sorted({p for e in edges for p in e} | roots, key=repr)
    index = {p: i for i, p in enumerate(people)}
    source = 2 * len(people)
    unlimited = max(len(people), 1)
    flow = max_flow.SimpleMaxFlow()
    feed: dict[Hashable, tuple[int, int]] = {}  # person -> (the arc into their out-node, its capacity)
    for p, i in index.items():
        if p in roots:
            feed[p] = (flow.add_arc_with_capacity(source, 2 * i + 1, unlimited), unlimited)
        else:
            feed[p] = (flow.add_arc_with_capacity(2 * i, 2 * i + 1, 1), 1)  # each other person carries one path
    for giver, receiver in edges:
        flow.add_arc_with_capacity(2 * index[giver] + 1, 2 * index[receiver], 1)
    result: dict[Hashable, int] = {}
    for candidate in candidates:
        if candidate not in index:
            result[candidate] = 0
            continue
        arc, capacity = feed[candidate]
        flow.set_arc_capacity(arc, 0)
        status = flow.solve(source, 2 * index[candidate])
        flow.set_arc_capacity(arc, capacity)
        if status != flow.OPTIMAL:  # cannot happen on a finite graph of unit capacities
            raise RuntimeError("max-flow failed")
        result[candidate] = flow.optimal_flow()
    return result
