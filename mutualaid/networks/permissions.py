"""The access helper for the group aggregate, used by web views and the API alike.

Groups are public in the network (their name, public description and coarse area); what happens inside one is for
its members. Outsiders asking for something inside get 404, members asking for a coordinator's act get 403.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from mutualaid.errors import NotAllowed, NotFound

from .models import Group, Membership, User
from .selectors import membership_for


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


def get_group(public_id) -> Group:
    try:
        return Group.objects.select_related("network").get(public_id=public_id)
    except (Group.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such group.")) from None


def group_access(user: User | None, group_or_id, *, require: str = "public") -> GroupAccess:
    """require: "public" (anyone), "member" (404 to outsiders) or "coordinator" (404 outsiders, 403 members)."""
    group = group_or_id if isinstance(group_or_id, Group) else get_group(group_or_id)
    membership = membership_for(user, group)
    access = GroupAccess(group, membership)
    if require in {"member", "coordinator"} and membership is None:
        raise NotFound(_("No such group, or you are not a member of it."))
    if require == "coordinator" and not access.is_coordinator:
        raise NotAllowed(_("Only coordinators of this group can do that."))
    return access
