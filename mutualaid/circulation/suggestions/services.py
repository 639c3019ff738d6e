"""Writes for suggestions: a helper accepts one (a claim, through the same atomic service as any claim) or declines
it (the pair is never suggested again); a coordinator sends the engine's suggestions to the helpers concerned.

Suggestions, never assignments: nothing here claims anything without the helper's own act.
"""
from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from typing import Iterator

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualaid.audit.services import audit_record, audited_atomic
from mutualaid.core.errors import Busy, Conflict, InvalidInput, NotAllowed
from mutualaid.networks.models import Group, User
from mutualaid.networks.permissions import group_access
from mutualaid.networks.services import notify

from . import notices
from .models import AllocationRun, Match, Need, Offer, SuggestionDecline
from .services import match_claim
from .suggestion_selectors import AllocationView, compatible_pair, network_view_for, run_allocation

# A fair run takes ~200 s at city scale: a slot older than this was left by a worker that died mid-run.
ALLOCATION_RUN_STALE = timedelta(minutes=15)


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
    """A coordinator sends the engine's current suggestions for the group to the helpers concerned.

    Each helper is told how many needs their offers could meet; they answer yes or no themselves.
    Returns the number of helpers notified.
    """
    group_access(actor, group, require="coordinator")
    view = run_allocation(Group.objects.filter(pk=group.pk))
    per_helper = Counter(p.offer.helper for p in view.proposals)
    with audited_atomic():
        audit_record(actor=actor, action="allocation.suggestions_sent", obj=group, after={
            "proposals": len(view.proposals), "helpers": len(per_helper),
            "units": sum(p.quantity for p in view.proposals)})
        for helper, count in per_helper.items():
            notify(user=helper, kind=notices.SUGGESTIONS, params={"group": group.name, "count": count},
                   url="/me/suggestions/")
    return len(per_helper)


@contextmanager
def allocation_run_slot(*, actor: User, group: Group | None) -> Iterator[None]:
    """Hold the one slot for a fair (`maxmin`) run over `group`, or over the network when None; Busy (429) when
    another run holds it. The slot is an AllocationRun row committed before the run and deleted after it, so it holds
    across every server process, on SQLite and PostgreSQL alike (call it outside a transaction)."""
    scope = "network" if group is None else f"group:{group.public_id}"
    now = timezone.now()
    AllocationRun.objects.filter(scope=scope, started_at__lt=now - ALLOCATION_RUN_STALE).delete()
    try:
        with transaction.atomic():
            slot = AllocationRun.objects.create(scope=scope, started_by=actor, started_at=now)
    except IntegrityError as exc:
        if group is None:
            raise Busy(_("A fair allocation is already running over the network. "
                         "Try again when it has finished.")) from exc
        raise Busy(_("A fair allocation is already running for this group. Try again when it has finished.")) from exc
    try:
        yield
    finally:
        AllocationRun.objects.filter(pk=slot.pk).delete()


def allocation_run(*, actor: User, group: Group | None, method: str = "optimal",
                   fairness: str | None = None) -> AllocationView:
    """The engine's proposals over `group` (in full: the caller coordinates it) or over the network (as `actor` may
    see it: their own groups' pairs, others' only as totals). A read; a fair run holds its scope's slot while it
    runs. Who may run it is checked by the caller."""
    groups = Group.objects.all() if group is None else Group.objects.filter(pk=group.pk)
    if fairness == "maxmin":
        with allocation_run_slot(actor=actor, group=group):
            view = run_allocation(groups, method=method, fairness=fairness)
    else:
        view = run_allocation(groups, method=method, fairness=fairness)
    return view if group is not None else network_view_for(actor, view)
