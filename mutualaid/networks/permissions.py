"""The access helper for the group aggregate, used by web views and the API alike.

Groups are public in the network (their name, public description and coarse area); what happens inside one is for
its members. Outsiders asking for something inside get 404, members asking for a coordinator's act get 403.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import gettext as _

from mutualaid.audit.services import scope_stamp
from mutualaid.core.errors import NotAllowed, NotFound

from .models import Area, Group, Membership, User, group_scope
from .selectors import area_get, group_member, membership_for


@dataclass
class GroupAccess:
    group: Group
    membership: Membership | None

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def is_coordinator(self) -> bool:
        return self.membership is not None and self.membership.is_coordinator

    @cached_property
    def stamp(self) -> str:
        """The group's stamp ("" before any change), read when first asked for, before the data it keys: what the
        group page's cached fragments are keyed on."""
        return scope_stamp(group_scope(self.group.pk))


def get_group(public_id) -> Group:
    try:
        return Group.objects.select_related("network").get(public_id=public_id)
    except (Group.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such group.")) from None


def _membership_by_group_id(user: User | None, public_id) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        return None  # get_group answers 404
    # At most one active membership per person and group (a constraint): no ORDER BY needed for the first.
    return next(iter(Membership.objects.active().select_related("group__network")
                     .filter(group__public_id=public_id, user=user)[:1]), None)


def group_access(user: User | None, group_or_id, *, require: str = "public") -> GroupAccess:
    """require: "public" (anyone), "member" (404 to outsiders) or "coordinator" (404 outsiders, 403 members)."""
    if isinstance(group_or_id, Group):
        group, membership = group_or_id, membership_for(user, group_or_id)
    else:
        # A member's visit (the common one) reads the group with the membership, in one query.
        membership = _membership_by_group_id(user, group_or_id)
        group = membership.group if membership is not None else get_group(group_or_id)
    access = GroupAccess(group, membership)
    if require in {"member", "coordinator"} and membership is None:
        raise NotFound(_("No such group, or you are not a member of it."))
    if require == "coordinator" and not access.is_coordinator:
        raise NotAllowed(_("Only coordinators of this group can do that."))
    return access


def member_access(user: User | None, group_id, member_id) -> tuple[GroupAccess, User]:
    """The group, for one of its members, and another of its active members by public id: 404 to outsiders, and
    for someone who is not (or no longer) a member."""
    access = group_access(user, group_id, require="member")
    person = group_member(access.group, member_id)
    if person is None:
        raise NotFound(_("No such member in this group."))
    return access, person


def area_access(user: User | None, area_id, *, require: str = "member") -> tuple[GroupAccess, Area]:
    """A group's named area, for its members (require="coordinator" to change it): 404 to outsiders."""
    area = area_get(area_id)
    if area is None:
        raise NotFound(_("No such area."))
    try:
        access = group_access(user, area.group, require=require)
    except NotFound as exc:
        raise NotFound(_("No such area.")) from exc
    return access, area
