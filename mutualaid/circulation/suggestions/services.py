"""Writes for need-based allocation: working suggestions out (the engine, run on an explicit request or by the worker,
its answer stored), a helper's yes (a claim, through the same atomic service as any claim) or no (the pair is never
suggested again), and a coordinator sending the stored suggestions to the helpers concerned.

Suggestions, never assignments: nothing here claims anything without the helper's own act. The engine
(`mutualaid.allocation`, no Django) is adapted to the database here, and only ever runs from a POST or the worker.
"""
from __future__ import annotations

import logging
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Iterator

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualaid import allocation
from mutualaid.audit.services import audit_record, audited_atomic
from mutualaid.core.errors import Busy, Conflict, InvalidInput, NotAllowed
from mutualaid.networks.models import Group, User
from mutualaid.networks.permissions import group_access
from mutualaid.networks.services import notify
from mutualaid.circulation import notices
from mutualaid.circulation.models import (AllocationProposal, AllocationResult, AllocationRun, Match, Need, Offer,
                                          SuggestionDecline)
from mutualaid.circulation.services import match_claim

from . import selectors
from .permissions import allocation_access
from .selectors import AllocationView, Proposal, compatible_pair, network_view_for

logger = logging.getLogger("mutualaid.suggestions")

# A fair run takes ~200 s at city scale: a slot older than this was left by a worker that died mid-run.
ALLOCATION_RUN_STALE = timedelta(minutes=15)
# The worker works a scope out again when its data changed (its stamps), or after this long with something to
# propose (offers' availability windows open and close, needs pass their time, without a change being recorded).
SUGGESTIONS_REFRESH_AFTER = timedelta(hours=1)
NOWHERE = (0.0, 0.0)  # items of a group with no coordinates at all: all at one place, distance 0 between them


# --- Running the engine ---------------------------------------------------------------------------------------


def _place(item, group: Group) -> tuple[float, float]:
    if item.lat is not None and item.lon is not None:
        return item.lat, item.lon
    if group.lat is not None and group.lon is not None:
        return group.lat, group.lon
    return NOWHERE


def run_allocation(groups, *, method: str = "optimal", fairness: str | None = None) -> AllocationView:
    """The engine's answer over the open needs and active offers of `groups` (proposes; claims nothing). Only for a
    POST or the worker: pages read the stored result instead."""
    needs = {str(n.public_id): n for n in selectors.open_needs(groups)}
    offers = {str(o.public_id): o for o in selectors.active_offers(groups)}
    public = {o.pk: oid for oid, o in offers.items()}
    need_public = {n.pk: nid for nid, n in needs.items()}
    excluded = {(need_public[need_pk], public[offer_pk])
                for need_pk, offer_pk in selectors.declined_pairs(offers.values()) if need_pk in need_public}
    # A requester's own offer never meets their own need (they cannot claim it).
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


@contextmanager
def allocation_run_slot(*, actor: User | None, group: Group | None, purpose: str = "fair") -> Iterator[None]:
    """Hold the one slot for a run over `group`, or over the network when None; Busy (429) when another run holds it.

    `purpose` "fair": a `maxmin` run; "suggestions": working out the stored suggestions (the page's button, the API's
    default run, the worker). Each purpose has its own slot per scope, so a long fair run does not hold up the
    suggestions. The slot is an AllocationRun row committed before the run and deleted after it, so it holds across
    every server process, on SQLite and PostgreSQL alike (call it outside a transaction)."""
    scope = "network" if group is None else f"group:{group.public_id}"
    if purpose == "suggestions":
        scope = f"suggestions:{scope}"
    now = timezone.now()
    AllocationRun.objects.filter(scope=scope, started_at__lt=now - ALLOCATION_RUN_STALE).delete()
    try:
        with transaction.atomic():
            slot = AllocationRun.objects.create(scope=scope, started_by=actor, started_at=now)
    except IntegrityError as exc:
        if purpose == "suggestions":
            if group is None:
                raise Busy(_("Suggestions are already being worked out over the network. "
                             "Try again when that has finished.")) from exc
            raise Busy(_("Suggestions are already being worked out for this group. "
                         "Try again when that has finished.")) from exc
        if group is None:
            raise Busy(_("A fair allocation is already running over the network. "
                         "Try again when it has finished.")) from exc
        raise Busy(_("A fair allocation is already running for this group. Try again when it has finished.")) from exc
    try:
        yield
    finally:
        AllocationRun.objects.filter(pk=slot.pk).delete()


# --- Working suggestions out, and storing them --------------------------------------------------------------------


@dataclass
class WorkedOut:
    result: AllocationResult
    view: AllocationView  # the need-based answer in full (the caller narrows a network run to what its actor sees)


def suggestions_work_out(*, actor: User | None, group: Group | None) -> WorkedOut:
    """Work out the suggestions of `group` (None: the network) now and store them, replacing the scope's last result:
    the need-based answer's pairs and totals, and first come, first served's totals beside them. `actor` is the
    coordinator who asked (checked here), or None for the worker. One run per scope at a time (Busy, 429)."""
    if actor is not None:
        allocation_access(actor, group)
    return _work_out(actor=actor, group=group)


def _work_out(*, actor: User | None, group: Group | None) -> WorkedOut:
    groups = Group.objects.all() if group is None else Group.objects.filter(pk=group.pk)
    with allocation_run_slot(actor=actor, group=group, purpose="suggestions"):
        stamp = selectors.source_stamp(group)  # before the data: a change committed meanwhile makes it stale
        view = run_allocation(groups)
        fcfs = run_allocation(groups, method="greedy-fcfs")
        scope = "network" if group is None else f"group:{group.public_id}"
        with audited_atomic():
            # The slot makes this the only writer of the scope's row: delete-then-create cannot race.
            previous = AllocationResult.objects.filter(scope=scope).values_list("public_id", flat=True).first()
            AllocationResult.objects.filter(scope=scope).delete()
            result = AllocationResult.objects.create(
                scope=scope, group=group, worked_out_at=timezone.now(), worked_out_by=actor, source_stamp=stamp,
                summary=view.summary, fcfs_summary=fcfs.summary)
            AllocationProposal.objects.bulk_create([
                AllocationProposal(result=result, rank=rank, need=p.need, offer=p.offer, quantity=p.quantity,
                                   distance_km=p.distance_km, score=p.score)
                for rank, p in enumerate(view.proposals)])
            audit_record(actor=actor, action="allocation.worked_out", obj=result, after={
                "scope": "network" if group is None else str(group.public_id),
                "replaces": str(previous) if previous else None,
                "proposals": len(view.proposals), "units": sum(p.quantity for p in view.proposals),
                "unmet": sum(q for _n, q in view.unmet)})
    return WorkedOut(result=result, view=view)


def _due(group: Group | None, now) -> bool:
    result = selectors.stored_result(group)
    if result is None or result.source_stamp != selectors.source_stamp(group):
        return True
    if now - result.worked_out_at < SUGGESTIONS_REFRESH_AFTER:
        return False
    groups = Group.objects.all() if group is None else Group.objects.filter(pk=group.pk)
    return selectors.open_needs(groups).exists() and selectors.active_offers(groups).exists()


def suggestions_work_out_all() -> int:
    """The worker's job: work out again every group's suggestions, and the network's, whose data changed since they
    were last worked out (or that are old and have something to propose). A scope another run holds is left to it.
    Returns how many scopes were worked out."""
    now = timezone.now()
    done = 0
    for group in [*Group.objects.order_by("pk"), None]:
        if not _due(group, now):
            continue
        try:
            _work_out(actor=None, group=group)
        except Busy:
            logger.info("suggestions of %s are being worked out by another run", group.pk if group else "network")
            continue
        done += 1
    return done


def allocation_run(*, actor: User, group: Group | None, method: str = "optimal",
                   fairness: str | None = None) -> AllocationView:
    """The engine's proposals over `group` (in full: the caller coordinates it) or over the network (as `actor` may
    see it: their own groups' pairs, others' only as totals). The default run (optimal, no fairness) is the one the
    pages show: it is stored as the scope's suggestions. Other methods and `maxmin` are answered, not stored; a fair
    run holds its scope's slot while it runs."""
    allocation_access(actor, group)
    if method == "optimal" and fairness is None:
        view = _work_out(actor=actor, group=group).view
    else:
        groups = Group.objects.all() if group is None else Group.objects.filter(pk=group.pk)
        if fairness == "maxmin":
            with allocation_run_slot(actor=actor, group=group):
                view = run_allocation(groups, method=method, fairness=fairness)
        else:
            view = run_allocation(groups, method=method, fairness=fairness)
    return view if group is not None else network_view_for(actor, view)


# --- A helper's answer, a coordinator's sending -------------------------------------------------------------------


def _check_pair(actor: User, need: Need, offer: Offer) -> None:
    group_access(actor, need.group, require="member")
    if offer.helper_id != actor.pk:
        raise NotAllowed(_("You can only answer suggestions for your own offers."))
    if not compatible_pair(need, offer):
        raise InvalidInput(_("That offer cannot meet that need (another group or category)."), field="offer")


def suggestion_accept(*, actor: User, need: Need, offer: Offer, quantity: int) -> Match:
    """Yes: claim the need from the offer. What is left may have shrunk since: then claim what remains."""
    _check_pair(actor, need, offer)
    fresh_need, fresh_offer = Need.objects.get(pk=need.pk), Offer.objects.get(pk=offer.pk)
    quantity = min(quantity, fresh_need.quantity_left, fresh_offer.quantity_left)
    if quantity < 1:
        raise Conflict(_("Someone else met this need, or your offer has nothing left: the suggestion has lapsed."))
    return match_claim(actor=actor, need=need, quantity=quantity, offer=offer)


def suggestion_decline(*, actor: User, need: Need, offer: Offer) -> SuggestionDecline:
    """No: this need is not suggested for this offer again."""
    _check_pair(actor, need, offer)
    with audited_atomic():
        try:
            with audited_atomic():
                decline = SuggestionDecline.objects.create(need=need, offer=offer)
        except IntegrityError as exc:
            raise Conflict(_("You already declined this suggestion.")) from exc
        audit_record(actor=actor, action="suggestion.declined", obj=offer,
                     after={"need": str(need.public_id), "offer": str(offer.public_id)})
    return decline


def suggestions_send(*, actor: User, group: Group) -> int:
    """A coordinator sends the group's stored suggestions, as they stand now, to the helpers concerned.

    Each helper is told how many needs their offers could meet; they answer yes or no themselves.
    Returns the number of helpers notified (0 when nothing was worked out, or nothing still holds).
    """
    allocation_access(actor, group)
    stored = selectors.group_allocation(group)
    proposals = stored.optimal.proposals if stored is not None else []
    per_helper = Counter(p.offer.helper for p in proposals)
    with audited_atomic():
        audit_record(actor=actor, action="allocation.suggestions_sent", obj=group, after={
            "proposals": len(proposals), "helpers": len(per_helper),
            "units": sum(p.quantity for p in proposals),
            "result": str(stored.result.public_id) if stored is not None else None})
        for helper, count in per_helper.items():
            notify(user=helper, kind=notices.SUGGESTIONS, params={"group": group.name, "count": count},
                   url="/me/suggestions/")
    return len(per_helper)
