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


# --- The map: groups, and the open needs and active offers of one's own groups, at coarse places ------------------

MAP_MOST = 500  # needs, and offers, on one map: the most urgent needs and the newest offers


@dataclass
class MapData:
    groups: list[Group]
    needs: list[Need]
    offers: list
    needs_left_out: int
    offers_left_out: int


def map_data(user: User | None) -> MapData:
    """Every group (public: its name and coarse area); for a member, the open needs and active offers of their own
    groups, each at its public (coarse, about 1 km) point or, with none, its group's. In five queries."""
    groups = list(Group.objects.order_by("name"))
    if user is None or not user.is_authenticated:
        return MapData(groups, [], [], 0, 0)
    mine = network_selectors.user_groups(user).values("pk")
    needs = circulation_selectors.need_list(filters=circulation_selectors.NeedFilters(),
                                            visible_groups=mine).filter(status__in=Need.CLAIMABLE)
    offers = circulation_selectors.offer_list(visible_groups=mine, status="active").order_by("-created_at", "-id")
    shown_needs, shown_offers = list(needs[:MAP_MOST + 1]), list(offers[:MAP_MOST + 1])
    needs_left = needs.count() - MAP_MOST if len(shown_needs) > MAP_MOST else 0
    offers_left = offers.count() - MAP_MOST if len(shown_offers) > MAP_MOST else 0
    return MapData(groups, shown_needs[:MAP_MOST], shown_offers[:MAP_MOST], needs_left, offers_left)


def _point(item, group: Group) -> tuple[dict | None, str]:
    """A GeoJSON Point (longitude first, RFC 7946) at the item's public place, else its group's; and which."""
    if item.lat is not None and item.lon is not None:
        return {"type": "Point", "coordinates": [item.lon, item.lat]}, "own"
    if group.lat is not None and group.lon is not None:
        return {"type": "Point", "coordinates": [group.lon, group.lat]}, "group"
    return None, "none"


def map_geojson(data: MapData, url) -> dict:
    """The map as an RFC 7946 FeatureCollection; `url(name, public_id)` makes each feature's link."""
    features = []
    for group in data.groups:
        geometry, _ = _point(group, group)
        features.append({"type": "Feature", "id": f"group:{group.public_id}", "geometry": geometry, "properties": {
            "kind": "group", "name": group.name, "area": group.location_name, "url": url("group_detail",
                                                                                       group.public_id)}})
    for need in data.needs:
        geometry, placed = _point(need, need.group)
        features.append({"type": "Feature", "id": f"need:{need.public_id}", "geometry": geometry, "properties": {
            "kind": "need", "title": need.shown_title, "urgency": need.urgency, "category": need.category.label,
            "left": need.quantity_left, "unit": need.category.unit_for(need.quantity_left),
            "area": need.location_name, "group": need.group.name, "placed": placed,
            "url": url("need_detail", need.public_id)}})
    for offer in data.offers:
        geometry, placed = _point(offer, offer.group)
        features.append({"type": "Feature", "id": f"offer:{offer.public_id}", "geometry": geometry, "properties": {
            "kind": "offer", "title": offer.shown_title, "category": offer.category.label,
            "left": offer.quantity_left, "unit": offer.category.unit_for(offer.quantity_left),
            "area": offer.location_name, "group": offer.group.name, "placed": placed,
            "url": url("offer_detail", offer.public_id)}})
    return {"type": "FeatureCollection", "features": features,
            "left_out": {"needs": data.needs_left_out, "offers": data.offers_left_out}}
