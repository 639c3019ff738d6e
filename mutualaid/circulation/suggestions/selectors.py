"""Reads for need-based allocation: what the engine is given, and the stored suggestions as they stand now.

The engine's input is drawn from the database here: needs open to claims and not past their needed-by time, active
offers with capacity left and still available, each placed at its public (coarse) location, or its group's when it
has none (the services hand it to the engine). Pages and the API never run the engine: they read the result last
worked out for their scope (`AllocationResult`) and show its proposals as they stand now, dropping those whose need
is no longer open, whose offer is no longer active or available, or that the helper declined, and cutting each down
to what its need and offer still have (an offer is never proposed beyond what it has left). Nothing here writes.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from mutualaid.audit.models import ScopeStamp
from mutualaid.networks.models import Group, User, group_scope
from mutualaid.networks.selectors import user_groups

from ..models import AllocationProposal, AllocationResult, Need, Offer, SuggestionDecline


@dataclass
class Proposal:
    need: Need
    offer: Offer
    quantity: int
    distance_km: float
    score: float
    worked_out_at: datetime | None = None  # of the stored result it comes from (None: a run answered just now)


@dataclass
class AllocationView:
    """An engine answer over a scope, with the database rows behind each proposed pair."""

    method: str
    proposals: list[Proposal]
    summary: dict
    unmet: list[tuple[Need, int]] = field(default_factory=list)


@dataclass
class StoredAllocation:
    """The result last worked out for a scope, as a page shows it: the need-based proposals that still hold, and
    the totals of the run beside first come, first served's (as they were when it was worked out)."""

    result: AllocationResult
    optimal: AllocationView
    fcfs: AllocationView

    @property
    def worked_out_at(self) -> datetime:
        return self.result.worked_out_at

    @property
    def unmet_critical(self) -> dict[str, int]:
        return {name: view.summary.get("by_urgency", {}).get("critical", {}).get("unmet", 0)
                for name, view in (("optimal", self.optimal), ("fcfs", self.fcfs))}


def open_needs(groups: QuerySet[Group] | Iterable[Group]) -> QuerySet[Need]:
    return (_open(Need.objects.filter(group__in=groups), timezone.now())
            .select_related("group", "category", "requester")
            .order_by("created_at", "id"))  # posting order: what "first come, first served" means


def active_offers(groups: QuerySet[Group] | Iterable[Group]) -> QuerySet[Offer]:
    return (_active(Offer.objects.filter(group__in=groups), timezone.now())
            .select_related("group", "category", "helper")
            .order_by("created_at", "id"))


def _open(qs: QuerySet, now: datetime, prefix: str = "") -> QuerySet:
    """Needs (or rows naming one through `prefix`) still open to claims, with something left, not past their time."""
    p = prefix
    return qs.filter(**{f"{p}status__in": Need.CLAIMABLE, f"{p}quantity_claimed__lt": F(f"{p}quantity")}).filter(
        Q(**{f"{p}needed_by__isnull": True}) | Q(**{f"{p}needed_by__gt": now}))


def _active(qs: QuerySet, now: datetime, prefix: str = "") -> QuerySet:
    """Offers (or rows naming one through `prefix`) active, with capacity left, and available now."""
    p = prefix
    return (qs.filter(**{f"{p}status": Offer.Status.ACTIVE, f"{p}quantity_committed__lt": F(f"{p}quantity")})
            .filter(Q(**{f"{p}available_until__isnull": True}) | Q(**{f"{p}available_until__gt": now}))
            .filter(Q(**{f"{p}available_from__isnull": True}) | Q(**{f"{p}available_from__lte": now})))


def declined_pairs(offers: Iterable[Offer]) -> set[tuple[int, int]]:
    """(need pk, offer pk) of the pairs the helpers of `offers` said no to."""
    return set(SuggestionDecline.objects.filter(offer__in=list(offers)).values_list("need_id", "offer_id"))


def network_view_for(user: User, view: AllocationView) -> AllocationView:
    """A network run as `user` may see it, as the network page shows it: the proposed pairs and unmet needs of the
    groups they belong to; every other group (closed ones too) only as the summary's anonymous totals per group
    (units asked and given, fill rates), never an id, title or distance of its needs and offers."""
    mine = set(user_groups(user).values_list("pk", flat=True))
    summary = {key: value for key, value in view.summary.items() if key != "total_distance_km"}
    return AllocationView(method=view.method, summary=summary,
                          proposals=[p for p in view.proposals if p.need.group_id in mine],
                          unmet=[(n, q) for n, q in view.unmet if n.group_id in mine])


def compatible_pair(need: Need, offer: Offer) -> bool:
    return need.group_id == offer.group_id and need.category_id == offer.category_id


# --- Stored results -------------------------------------------------------------------------------------------


def source_stamp(group: Group | None) -> str:
    """A digest of the scope stamps a run over `group` (None: the network) reads its data under. Every audited change
    to a group's needs, offers, matches, members or declines gives its group a new stamp, so an unchanged digest
    means the run would see the same rows. Read it BEFORE the data."""
    stamps = ScopeStamp.objects.filter(scope=group_scope(group.pk)) if group is not None else \
        ScopeStamp.objects.filter(scope__startswith="group:")
    lines = "\n".join(f"{scope}={token}" for scope, token in stamps.order_by("scope").values_list("scope", "token"))
    return hashlib.sha256(lines.encode()).hexdigest()


def stored_result(group: Group | None) -> AllocationResult | None:
    return AllocationResult.objects.filter(scope="network" if group is None else f"group:{group.public_id}").first()


def standing_proposals(results: Iterable[AllocationResult], *, helper: User | None = None,
                       groups: Iterable[int] | None = None) -> list[Proposal]:
    """The stored proposals of `results` that still hold now, in the order they were worked out, each cut down to
    what its need and its offer still have (taking the proposals before it into account). Limited to the offers of
    `helper`, or to the needs of the groups with pks `groups`, when given. Two queries, whatever the data."""
    results = list(results)
    if not results:
        return []
    now = timezone.now()
    rows = AllocationProposal.objects.filter(result__in=results)
    if helper is not None:
        rows = rows.filter(offer__helper=helper)
    if groups is not None:
        rows = rows.filter(need__group_id__in=list(groups))
    rows = _active(_open(rows, now, "need__"), now, "offer__").filter(need__group_id=F("offer__group_id"))
    rows = (rows.filter(~Exists(SuggestionDecline.objects.filter(need=OuterRef("need_id"), offer=OuterRef("offer_id"))))
            .select_related("need__group", "need__category", "offer__helper", "offer__category")
            .order_by("result_id", "rank"))
    worked_out = {r.pk: r.worked_out_at for r in results}
    need_left: dict[int, int] = {}
    offer_left: dict[int, int] = {}
    proposals = []
    for row in rows:
        need, offer = row.need, row.offer
        quantity = min(row.quantity, need_left.setdefault(need.pk, need.quantity_left),
                       offer_left.setdefault(offer.pk, offer.quantity_left))
        if quantity < 1:
            continue
        need_left[need.pk] -= quantity
        offer_left[offer.pk] -= quantity
        proposals.append(Proposal(need, offer, quantity, row.distance_km, row.score, worked_out[row.result_id]))
    return proposals


def _stored(result: AllocationResult, proposals: list[Proposal], summary: dict) -> StoredAllocation:
    return StoredAllocation(result=result, optimal=AllocationView("optimal", proposals, summary),
                            fcfs=AllocationView("greedy-fcfs", [], result.fcfs_summary))


def group_allocation(group: Group) -> StoredAllocation | None:
    """A group's stored allocation, in full (for its coordinators), or None before its first run."""
    result = stored_result(group)
    if result is None:
        return None
    return _stored(result, standing_proposals([result]), result.summary)


@dataclass
class NetworkAllocation:
    stored: StoredAllocation | None
    groups_served: list[dict] = field(default_factory=list)


def network_allocation(user: User) -> NetworkAllocation:
    """The network's stored allocation as `user` may see it (`network_view_for`): the pairs of the groups they belong
    to; the others only as totals per group (units asked and met, how well served)."""
    result = stored_result(None)
    if result is None:
        return NetworkAllocation(stored=None)
    mine = set(user_groups(user).values_list("pk", flat=True))
    stored = _stored(result, standing_proposals([result], groups=mine), result.summary)
    names = dict(Group.objects.values_list("public_id", "name"))
    names = {str(public_id): name for public_id, name in names.items()}
    fcfs_groups = result.fcfs_summary.get("by_group", {})
    served = sorted(
        ({"name": names[gid], "requested": row["requested"], "allocated": row["allocated"],
          "fill": row["weighted_fill"], "fcfs_fill": fcfs_groups.get(gid, {}).get("weighted_fill")}
         for gid, row in result.summary.get("by_group", {}).items() if gid in names), key=lambda r: r["name"])
    return NetworkAllocation(stored=stored, groups_served=served)


@dataclass
class HelperSuggestions:
    proposals: list[Proposal]
    has_offers: bool
    worked_out_at: datetime | None  # the oldest of the results shown; None before any was worked out


def helper_suggestions(user: User, groups: QuerySet[Group] | None = None) -> HelperSuggestions:
    """Needs the helper's active offers could meet, from the results last worked out for their groups (each group's
    own run: offers meet needs of their own group)."""
    groups = user_groups(user) if groups is None else groups
    has_offers = Offer.objects.filter(helper=user, status=Offer.Status.ACTIVE, group__in=groups).exists()
    if not has_offers:
        return HelperSuggestions(proposals=[], has_offers=False, worked_out_at=None)
    results = list(AllocationResult.objects.filter(group__in=groups))
    proposals = standing_proposals(results, helper=user)
    proposals.sort(key=lambda p: (p.need.urgency_rank, -p.score, p.need.created_at))
    return HelperSuggestions(proposals=proposals, has_offers=True,
                             worked_out_at=min((r.worked_out_at for r in results), default=None))
