"""The trust metric: a hand-worked graph, and the attack-resistance property on random graphs."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from mutualaid.networks.trustflow import counted_trust, reached


def test_hand_worked_graph():
    # Roots r1, r2. r1 -> a, r2 -> a, r1 -> b, a -> c, b -> c, a -> d: c is reached through b and through a (two
    # paths through different people; a carries only one); d only through a (one); a by r1 and r2 directly (two);
    # b by r1 (one).
    edges = [("r1", "a"), ("r2", "a"), ("r1", "b"), ("a", "c"), ("b", "c"), ("a", "d")]
    counts = counted_trust({"r1", "r2"}, edges, ["a", "b", "c", "d", "r1", "x"])
    assert counts == {"a": 2, "b": 1, "c": 2, "d": 1, "r1": 0, "x": 0}


def test_paths_share_no_person():
    # Two roots both reach e only through m: one path, however many edges there are.
    edges = [("r1", "m"), ("r2", "m"), ("m", "e"), ("r1", "m2"), ("m2", "m")]
    assert counted_trust({"r1", "r2"}, edges, ["e"]) == {"e": 1}


def test_trust_from_people_nobody_reached_counts_for_nothing():
    # Four fresh accounts trusting each other: no root reaches them.
    edges = [("s1", "s4"), ("s2", "s4"), ("s3", "s4"), ("s4", "s1")]
    assert counted_trust({"founder"}, edges, ["s4"]) == {"s4": 0}
    assert reached({"founder"}, edges) == {"founder"}


def test_one_root_starts_many_paths():
    # A founder alone: their own trust, and trust passed on by two people they trust, are three paths to x.
    edges = [("f", "x"), ("f", "a"), ("a", "x"), ("f", "b"), ("b", "x"), ("b", "a")]
    assert counted_trust({"f"}, edges, ["x", "a"]) == {"x": 3, "a": 2}


def test_a_root_trusted_by_another_root():
    assert counted_trust({"r1", "r2"}, [("r2", "r1")], ["r1"]) == {"r1": 1}


@st.composite
def attacked_graphs(draw):
    n_honest = draw(st.integers(1, 9))
    n_attack = draw(st.integers(1, 12))
    honest = [f"h{i}" for i in range(n_honest)]
    attack = [f"a{i}" for i in range(n_attack)]
    roots = set(draw(st.lists(st.sampled_from(honest), min_size=1, max_size=n_honest, unique=True)))
    pair = st.tuples
    honest_edges = draw(st.lists(pair(st.sampled_from(honest), st.sampled_from(honest)), max_size=40))
    # The attackers may trust each other and anyone in any way they like.
    everyone = honest + attack
    attack_edges = draw(st.lists(pair(st.sampled_from(attack), st.sampled_from(everyone)), max_size=60))
    # k honest edges reach into the cluster (some may repeat: distinct ones count).
    bridges = draw(st.lists(pair(st.sampled_from(honest), st.sampled_from(attack)), max_size=6))
    return roots, honest_edges + attack_edges + bridges, attack, len(set(bridges))


@settings(max_examples=300, deadline=None)
@given(attacked_graphs())
def test_no_attacker_gains_more_than_the_edges_that_reach_the_cluster(graph):
    roots, edges, attack, k = graph
    counts = counted_trust(roots, edges, attack)
    assert max(counts.values()) <= k


@settings(max_examples=100, deadline=None)
@given(attacked_graphs())
def test_counted_trust_never_exceeds_trust_received_from_reached_people(graph):
    roots, edges, attack, _ = graph
    trusted = reached(roots, edges)
    people = {p for e in edges for p in e}
    counts = counted_trust(roots, edges, people)
    for person, n in counts.items():
        assert n <= len({g for g, r in set(edges) if r == person and g in trusted and g != person})
