"""Writes for suggestions: a helper accepts one (a claim, through the same atomic service as any claim) or declines
it (the pair is never suggested again); a coordinator sends the engine's suggestions to the helpers concerned.

Suggestions, never assignments: nothing here claims anything without the helper's own act.
"""
from __future__ import annotations

from collections import Counter

from django.db import IntegrityError
from django.utils.translation import gettext as _

from mutualaid.audit.services import audit_record, audited_atomic
from mutualaid.errors import Conflict, InvalidInput, NotAllowed
from mutualaid.networks.models import Group, Notification, User
from mutualaid.networks.permissions import group_access
from mutualaid.networks.services import notify

from .models import Match, Need, Offer, SuggestionDecline
from .services import match_claim
from .suggestion_selectors import compatible_pair, run_allocation


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
            notify(user=helper, kind=Notification.Kind.SUGGESTIONS, params={"group": group.name, "count": count},
                   url="/me/suggestions/")
    return len(per_helper)
