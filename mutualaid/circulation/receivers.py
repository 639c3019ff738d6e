"""Circulation's part in a member's life in networks (networks.signals; connected by CirculationConfig.ready):
leaving a group hands back claims and offers there, a suspension its claims, deleting an account closes and erases
needs, offers and matches, and the data export gains needs, offers, matches and contact views."""
from __future__ import annotations

from django.dispatch import receiver

from mutualaid.audit.services import stamp_scopes
from mutualaid.networks import signals
from mutualaid.networks.models import group_scope

from . import selectors, services


@receiver(signals.member_leaving, dispatch_uid="circulation.member_leaving")
def hand_back_on_leaving(sender, *, actor, group, **kwargs) -> None:
    services.member_leaving_hand_back(actor=actor, group=group)


@receiver(signals.member_suspended, dispatch_uid="circulation.member_suspended")
def hand_back_on_suspension(sender, *, actor, group, user, **kwargs) -> None:
    services.member_suspended_hand_back(actor=actor, group=group, user=user)


@receiver(signals.account_closing, dispatch_uid="circulation.account_closing")
def close_on_account_deletion(sender, *, actor, **kwargs) -> dict[str, int]:
    # Pages that show their name on a need or a match, also in groups they never joined (after a referral).
    named_in = [group_scope(g) for g in selectors.user_circulation_groups(actor)]
    counts = services.user_circulation_close(actor=actor)
    stamp_scopes(named_in)
    return counts


@receiver(signals.member_export, dispatch_uid="circulation.member_export")
def export(sender, *, user, **kwargs) -> dict:
    return selectors.user_circulation_export(user)
