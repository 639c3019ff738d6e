"""Reads for need-based allocation: adapt open needs and active offers to the engine, and read its answer.

The engine (`mutualaid.allocation`) knows nothing of Django. Here its input is drawn from the database: needs open to
claims and not past their needed-by time, active offers with capacity left and still available, each placed at its
public (coarse) location, or its group's when it has none. Offers only meet needs of their own group (claims from an
offer stay in its group), and pairs a helper declined are excluded. Nothing here writes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from mutualaid import allocation
from mutualaid.networks.models import Group, User
from mutualaid.networks.selectors import user_groups

from .models import Need, Offer, SuggestionDecline

NOWHERE = (0.0, 0.0)  # items of a group with no coordinates at all: all at one place, distance 0 between them


@dataclass
class Proposal:
    need: Need
    offer: Offer
    quantity: int
    distance_km: float
    score: float


@dataclass
class AllocationView:
    """An engine run over a scope, with the database rows behind each proposed pair."""

    method: str
    proposals: list[Proposal]
    summary: dict
    unmet: list[tuple[Need, int]] = field(default_factory=list)


def open_needs(groups: QuerySet[Group] | Iterable[Group]) -> QuerySet[Need]:
    now = timezone.now()
    return (Need.objects.filter(group__in=groups, status__in=Need.CLAIMABLE, quantity_claimed__lt=F("quantity"))
            .filter(Q(needed_by__isnull=True) | Q(needed_by__gt=now))
            .select_related("group", "category", "requester")
            .order_by("created_at", "id"))  # posting order: what "first come, first served" means


def active_offers(groups: QuerySet[Group] | Iterable[Group]) -> QuerySet[Offer]:
    now = timezone.now()
    return (Offer.objects.filter(group__in=groups, status=Offer.Status.ACTIVE, quantity_committed__lt=F("quantity"))
            .filter(Q(available_until__isnull=True) | Q(available_until__gt=now))
            .filter(Q(available_from__isnull=True) | Q(available_from__lte=now))
            .select_related("group", "category", "helper")
            .order_by("created_at", "id"))


def _place(item, group: Group) -> tuple[float, float]:
    if item.lat is not None and item.lon is not None:
        return item.lat, item.lon
    if group.lat is not None and group.lon is not None:
        return group.lat, group.lon
    return NOWHERE


def run_allocation(groups, *, method: str = "optimal", fairness: str | None = None) -> AllocationView:
    """The engine's answer over the open needs and active offers of `groups` (a read: nothing is claimed)."""
    needs = {str(n.public_id): n for n in open_needs(groups)}
    offers = {str(o.public_id): o for o in active_offers(groups)}
    # A requester's own offer never meets their own need (they cannot claim it).
    excluded = {(str(d.need.public_id), str(d.offer.public_id))
                for d in SuggestionDecline.objects.filter(offer__in=[o.pk for o in offers.values()])
                .select_related("need", "offer")}
    offers_by_helper: dict[int, list[str]] = {}
    for oid, o in offers.items():
        offers_by_helper.setdefault(o.helper_id, []).append(oid)
    excluded |= {(nid, oid) for nid, n in needs.items() for oid in offers_by_helper.get(n.requester_id, ())}
    problem = allocation.Problem(
        needs=[allocation.Need(id=nid, group=str(n.group.public_id), category=n.category.slug,
                               quantity=n.quantity_left, urgency=n.urgency, lat=_place(n, n.group)[0],
                               lon=_place(n, n.group)[1]) for nid, n in needs.items()],
        offers=[allocation.Offer(id=oid, group=str(o.group.public_id), category=o.category.slug,
                                 quantity=o.quantity_left, lat=_place(o, o.group)[0], lon=_place(o, o.group)[1],
                                 max_distance_km=o.max_distance_km) for oid, o in offers.items()],
        policy=allocation.Policy(cross_group=False, fairness=fairness),
        excluded=frozenset(excluded),
    )
    result = allocation.allocate(problem, method=method)
    proposals = [Proposal(needs[a.need], offers[a.offer], a.quantity, a.distance_km, a.score)
                 for a in result.allocations]
    proposals.sort(key=lambda p: (p.need.urgency_rank, -p.score, p.need.created_at))
    return AllocationView(method=method, proposals=proposals, summary=result.summary,
                          unmet=[(needs[u.need], u.quantity) for u in result.unmet])


def network_view_for(user: User, view: AllocationView) -> AllocationView:
    """A network run as `user` may see it, as the network page shows it: the proposed pairs and unmet needs of the
    groups they belong to; every other group (closed ones too) only as the summary's anonymous totals per group
    (units asked and given, fill rates), never an id, title or distance of its needs and offers."""
    mine = set(user_groups(user).values_list("pk", flat=True))
    summary = {key: value for key, value in view.summary.items() if key != "total_distance_km"}
    return AllocationView(method=view.method, summary=summary,
                          proposals=[p for p in view.proposals if p.need.group_id in mine],
                          unmet=[(n, q) for n, q in view.unmet if n.group_id in mine])


def helper_suggestions(user: User, groups) -> list[Proposal]:
    """Needs the helper's active offers could meet, from the engine's allocation over the helper's groups."""
    if not Offer.objects.filter(helper=user, status=Offer.Status.ACTIVE, group__in=groups).exists():
        return []
    return [p for p in run_allocation(groups).proposals if p.offer.helper_id == user.pk]


def compatible_pair(need: Need, offer: Offer) -> bool:
    return need.group_id == offer.group_id and need.category_id == offer.category_id
