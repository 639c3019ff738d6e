"""What people do with groups and trust under load, and what must hold afterwards (see mutualaid.loadcheck)."""
from __future__ import annotations

from collections import defaultdict

from mutualaid.loadcheck import action, invariant, seeder

PASSWORD = "load-check-passphrase-7"


@seeder(10)
def people_and_groups(world) -> None:
    """One person per client, a group per eight people (thresholds 2 and 3), everyone in one or two groups."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from mutualaid.loadcheck.harness import Person

    from . import services

    rng = world.rng
    users = []
    for i in range(world.clients):
        user = services.user_register(username=f"load{i:03d}", password=PASSWORD)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        users.append(user)
        world.people.append(Person(pk=user.pk, public_id=str(user.public_id), username=user.username,
                                   token=services.token_create(actor=user), session=session.session_key))
    group_count = max(2, world.clients // 8)
    groups = []
    for g in range(group_count):
        founder = users[g]
        # An explicit threshold: with the default one (which follows the member count) a role is only recomputed
        # when trust changes, so "trust >= threshold means coordinator" would not be a rule the app keeps.
        group = services.group_create(actor=founder, name=f"Load Pod {g + 1}", location_name=f"Area {g + 1}",
                                      trust_threshold=2 + g % 2)
        groups.append(group)
        world.groups[str(group.public_id)] = {"threshold": group.trust_threshold, "founder": founder.pk}
        world.people[g].groups.add(str(group.public_id))
    for i, user in enumerate(users):
        choices = [i % group_count] + ([rng.randrange(group_count)] if rng.random() < 0.4 else [])
        for g in choices:
            gid = str(groups[g].public_id)
            if gid not in world.people[i].groups:
                services.group_join(actor=user, group=groups[g])
                world.people[i].groups.add(gid)


def _trusts(world) -> set:
    return world.notes["networks"].setdefault("trust", set())


def _my_group(client, world) -> str | None:
    with world.lock:
        groups = sorted(client.person.groups)
    return client.rng.choice(groups) if groups else None


@action("trust.give", 4)
def give_trust(client, world) -> bool:
    gid = _my_group(client, world)
    if gid is None:
        return False
    me = client.person
    with world.lock:
        trusts = _trusts(world)
        others = [p for p in world.members(gid) if p.pk != me.pk and (gid, me.pk, p.pk) not in trusts]
    if not others:
        return False
    receiver = client.rng.choice(others)
    answer = client.api("trust.give", "POST", f"/groups/{gid}/members/{receiver.public_id}/trust")
    if answer.status in (201, 409):
        with world.lock:
            _trusts(world).add((gid, me.pk, receiver.pk))
    return True


@action("trust.withdraw", 2)
def withdraw_trust(client, world) -> bool:
    me = client.person
    with world.lock:
        mine = sorted(t for t in _trusts(world) if t[1] == me.pk)
        people = {p.pk: p for p in world.people}
    if not mine:
        return False
    gid, _giver, receiver = client.rng.choice(mine)
    answer = client.api("trust.withdraw", "DELETE", f"/groups/{gid}/members/{people[receiver].public_id}/trust")
    if answer.status in (200, 404, 409):
        with world.lock:
            _trusts(world).discard((gid, me.pk, receiver))
    return True


@action("group.join", 1.5)
def join_group(client, world) -> bool:
    with world.lock:
        others = sorted(set(world.groups) - client.person.groups)
    if not others:
        return False
    gid = client.rng.choice(others)
    answer = client.api("group.join", "POST", f"/groups/{gid}/join")
    if answer.status in (201, 409):
        with world.lock:
            client.person.groups.add(gid)
    return True


@action("group.leave", 1)
def leave_group(client, world) -> bool:
    me = client.person
    with world.lock:
        if len(me.groups) < 2:  # everyone stays somewhere, so that they keep acting
            return False
        gid = client.rng.choice(sorted(me.groups))
    answer = client.api("group.leave", "POST", f"/groups/{gid}/leave")
    if answer.status in (200, 404, 409):
        with world.lock:
            me.groups.discard(gid)
            trusts = _trusts(world)
            for t in [t for t in trusts if t[0] == gid and me.pk in (t[1], t[2])]:
                trusts.discard(t)
    return True


@action("groups.list", 1)
def list_groups(client, world) -> bool:
    client.api("groups.list", "GET", "/groups")
    return True


@action("members.list", 1.5)
def list_members(client, world) -> bool:
    gid = _my_group(client, world)
    if gid is None:
        return False
    client.api("members.list", "GET", f"/groups/{gid}/members")
    return True


@action("notifications.list", 1)
def list_notifications(client, world) -> bool:
    client.api("notifications.list", "GET", "/notifications")
    return True


@action("web.members", 0.5)
def members_page(client, world) -> bool:
    gid = _my_group(client, world)
    if gid is None:
        return False
    client.web("web.members", f"/groups/{gid}/members/")
    return True


AREA_NAMES = ("Elm Road", "Canal Side", "The Market estate", "Mill Lane", "Wharf Road", "Garden Estate")


@action("area.add", 0.3)
def add_area(client, world) -> bool:
    """A founder names an area of their group; names come from a short list, so some are taken (409), sometimes by
    another founder's request at the same moment."""
    me = client.person
    with world.lock:
        mine = sorted(gid for gid, g in world.groups.items() if g["founder"] == me.pk)
    if not mine:
        return False
    gid = client.rng.choice(mine)
    name = client.rng.choice(AREA_NAMES)
    if client.rng.random() < 0.5:
        name = name.upper()  # the same name in other letters is the same area
    body = {"name": name, "lat": round(51.5 + client.rng.uniform(-0.02, 0.02), 5),
            "lon": round(-0.1 + client.rng.uniform(-0.02, 0.02), 5)}
    client.api("area.add", "POST", f"/groups/{gid}/areas", body)
    return True


@action("areas.list", 0.5)
def list_areas(client, world) -> bool:
    gid = _my_group(client, world)
    if gid is None:
        return False
    client.api("areas.list", "GET", f"/groups/{gid}/areas")
    return True


# --- Invariants -----------------------------------------------------------------------------------


@invariant("every area was named through the service, and audited")
def areas_audited() -> list[str]:
    """(Two areas of one name in a group are refused by the database itself: area_name_unique_in_group.)"""
    from mutualaid.audit.models import AuditEntry

    from .models import Area

    audited = set(AuditEntry.objects.filter(action="area.added").values_list("object_id", flat=True))
    return [f"area {area.public_id} ({area.group.name}) has no audit entry"
            for area in Area.objects.select_related("group") if str(area.public_id) not in audited]



@invariant("roles follow counted trust")
def roles_follow_trust() -> list[str]:
    """Every active member holds the standing the members page's rule gives them (founders coordinate; counted trust,
    vertex-disjoint paths from the roots, at the threshold makes a coordinator; trust reaching them makes a member),
    except that a group whose rule names no coordinator keeps the coordinators it had; a member who left holds no
    role."""
    from .models import Group, Membership
    from .selectors import group_standings

    problems = []
    for group in Group.objects.all():
        standings = group_standings(group)
        rule_names_one = any(role == Membership.Role.COORDINATOR for role, _n in standings.values())
        for m in Membership.objects.active().filter(group=group).select_related("user"):
            expected, counted = standings[m.user_id]
            if m.role == expected:
                continue
            if not rule_names_one and m.role == Membership.Role.COORDINATOR:
                continue  # the last coordinators stay until someone earns the role
            problems.append(f"{group.name}: {m.user.username} has counted trust {counted} and is {m.role}, "
                            f"the rule says {expected}")
    stale = Membership.objects.filter(left_at__isnull=False, role=Membership.Role.COORDINATOR).count()
    if stale:
        problems.append(f"{stale} membership(s) that ended still hold the coordinator role")
    return problems


@invariant("roles replay from the audit log; withdrawn trust never removed a last coordinator")
def roles_replay_from_audit() -> list[str]:
    """Replaying joins, role changes and departures from the audit chain (in commit order) gives every membership's
    role as stored, and no demotion ever left a group without a coordinator."""
    from mutualaid.audit.models import AuditEntry

    from .models import Membership

    memberships = {str(m.public_id): m for m in Membership.objects.select_related("group", "user")}
    roles: dict[str, str | None] = {}
    coordinators: dict[int, set[str]] = defaultdict(set)
    problems = []
    entries = (AuditEntry.objects.filter(object_type="networks.membership",
                                         action__in=["membership.joined", "membership.role_changed",
                                                     "membership.left"])
               .order_by("seq").values_list("seq", "action", "object_id", "after"))
    for seq, act, object_id, after in entries:
        m = memberships.get(object_id)
        if m is None:
            problems.append(f"audit entry #{seq} names a membership that does not exist")
            continue
        group_coordinators = coordinators[m.group_id]
        if act == "membership.left":
            roles[object_id] = None
            group_coordinators.discard(object_id)
            continue
        role = (after or {}).get("role")
        roles[object_id] = role
        if role == Membership.Role.COORDINATOR:
            group_coordinators.add(object_id)
        elif object_id in group_coordinators:
            group_coordinators.discard(object_id)
            if act == "membership.role_changed" and not group_coordinators:
                problems.append(f"audit entry #{seq}: withdrawn trust left {m.group.name} without a coordinator "
                                f"({m.user.username} was the last)")
    for public_id, m in memberships.items():
        expected = roles.get(public_id, "missing")
        stored = None if m.left_at else m.role
        if expected == "missing":
            problems.append(f"{m.user.username} in {m.group.name}: no audit entry for the membership")
        elif expected != stored:
            problems.append(f"{m.user.username} in {m.group.name}: the audit replays to {expected}, stored {stored}")
    return problems
