"""Access helpers for the need, offer and match aggregates, used by web views and the API alike.

Needs, offers and matches are for the members of their group: to anyone else they do not exist (404).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.utils.translation import gettext as _

from mutualaid.errors import NotFound
from mutualaid.networks.models import User
from mutualaid.networks.permissions import GroupAccess, group_access

from .models import Match, Need, Offer
from .selectors import can_see_contact, match_detail, need_detail


def _uuid_or_404(value, message: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(message) from None


@dataclass
class NeedAccess:
    need: Need
    group: GroupAccess
    sees_contact: bool
    is_requester: bool

    @property
    def can_manage(self) -> bool:
        """Cancel the need, confirm receipt: its requester (or whoever entered it by proxy) or a coordinator."""
        return self.is_requester or self.group.is_coordinator


def need_access(user: User | None, public_id) -> NeedAccess:
    need = need_detail(_uuid_or_404(public_id, _("No such need.")))
    if need is None:
        raise NotFound(_("No such need."))
    is_requester = bool(user and user.is_authenticated and (
        need.requester_id == user.pk or (need.requester_id is None and need.created_by_id == user.pk)))
    try:
        # The requester follows their own need even outside its group (after a referral, or after leaving).
        access = group_access(user, need.group, require="public" if is_requester else "member")
    except NotFound:
        raise NotFound(_("No such need.")) from None
    sees = can_see_contact(user, need, is_coordinator=access.is_coordinator)
    return NeedAccess(need, access, sees, is_requester)


def match_access(user: User | None, public_id) -> Match:
    match = match_detail(_uuid_or_404(public_id, _("No such match.")))
    if match is None:
        raise NotFound(_("No such match."))
    is_party = bool(user and user.is_authenticated and user.pk in {
        match.helper_id, match.need.requester_id, match.need.created_by_id if match.need.requester_id is None else None})
    try:
        group_access(user, match.need.group, require="public" if is_party else "member")
    except NotFound:
        raise NotFound(_("No such match.")) from None
    return match


def offer_access(user: User | None, public_id) -> Offer:
    try:
        offer = Offer.objects.select_related("group", "category", "helper").get(
            public_id=_uuid_or_404(public_id, _("No such offer.")))
    except Offer.DoesNotExist:
        raise NotFound(_("No such offer.")) from None
    try:
        group_access(user, offer.group, require="member")
    except NotFound:
        raise NotFound(_("No such offer.")) from None
    return offer
