"""Reads that compose several apps: what waits for a coordinator, from networks (applications, suspensions) and from
circulation (claims to accept, needs nobody has taken on)."""
from __future__ import annotations

from dataclasses import dataclass

from mutualaid.circulation import selectors as circulation_selectors
from mutualaid.circulation.models import Match, Need
from mutualaid.networks import selectors as network_selectors
from mutualaid.networks.models import Group, Membership, User


@dataclass
class CoordinatorWork:
    """One coordinated group's waiting work, for its coordinator's home page."""

    group: Group
    applications: int
    suspended: list[User]
    proposed: list[Match]
    unmet: list[Need]

    @property
    def is_empty(self) -> bool:
        return not (self.applications or self.suspended or self.proposed or self.unmet)


def coordinator_work(groups: list[Group]) -> list[CoordinatorWork]:
    """For the groups among `groups` (from networks' user_groups, with `my_role`) that the person coordinates: their
    waiting work, in four queries whatever the number of groups; none for someone who coordinates nothing."""
    coordinated = [g for g in groups if g.my_role == Membership.Role.COORDINATOR]
    if not coordinated:
        return []
    ids = [g.pk for g in coordinated]
    desks = network_selectors.coordinator_desks(ids)
    needs = circulation_selectors.coordinator_needs_desk(ids)
    return [CoordinatorWork(group=g, applications=desks[g.pk].applications, suspended=desks[g.pk].suspended,
                            proposed=[m for m in needs.proposed if m.need.group_id == g.pk],
                            unmet=[n for n in needs.unmet if n.group_id == g.pk])
            for g in coordinated]
