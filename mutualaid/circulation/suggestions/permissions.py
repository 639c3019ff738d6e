"""Access to an allocation, written once for the web pages, the API and the services.

A group's allocation is for its coordinators (404 to outsiders, 403 to its other members). The network's is for
anyone who coordinates a group (403 to everyone else), who sees in it the pairs of their own groups only.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from mutualaid.core.errors import NotAllowed
from mutualaid.networks.models import Group, Membership, User
from mutualaid.networks.permissions import GroupAccess, group_access


@dataclass(frozen=True)
class AllocationAccess:
    group: Group | None  # None: the whole network
    group_access: GroupAccess | None = None

    @property
    def scope(self) -> str:
        return "network" if self.group is None else f"group:{self.group.public_id}"


def allocation_access(user: User | None, group_or_id=None) -> AllocationAccess:
    """Who may see and work out an allocation: over a group (a Group or its public id), its coordinators; over the
    network (None), members who coordinate any group."""
    if group_or_id is not None:
        access = group_access(user, group_or_id, require="coordinator")
        return AllocationAccess(group=access.group, group_access=access)
    if user is None or not user.is_authenticated or not Membership.objects.active().filter(
            user=user, role=Membership.Role.COORDINATOR).exists():
        raise NotAllowed(_("Only members who coordinate a group can see or work out the network's allocation."))
    return AllocationAccess(group=None)
