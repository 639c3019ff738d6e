"""Reads of networks, groups, membership and notifications."""
from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualaid.audit.models import ScopeStamp
from mutualaid.core.places import distance_km

from . import signals, trustflow, usernames
from .notices import notification_text
from .models import (SUSPENSION_LAPSES_AFTER, ApiToken, Application, Area, Group, Membership, Notification, Suspension,
                     Trust, User)


def membership_for(user: User | None, group: Group) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.active().filter(group=group, user=user).first()


# The versions below are read on every visit to a group's page or list, before anything else: one statement each,
# written in SQL, as compiling the ORM's form of it (a join and two correlated subqueries) cost ten times running it.
_STAMP = (f"(SELECT s.token FROM {ScopeStamp._meta.db_table} s "  # noqa: S608
          "WHERE s.scope = '{kind}:' || CAST(m.{column} AS VARCHAR(20)))")
_VERSION_SQL = (f"SELECT m.group_id, m.role, {_STAMP.format(kind='group', column='group_id')}, "
                f"{_STAMP.format(kind='user', column='user_id')} FROM {Membership._meta.db_table} m ")


def member_version(user: User, group_public_id) -> str | None:
    """What a member's view of a group was made from, in one query: the group's stamp (every change to what its
    members see there), the member's own stamp (their memberships, name and notifications) and their role. None when
    they are not a member (or the id is no id): their answer is not versioned."""
    try:
        public_id = Group._meta.get_field("public_id").get_db_prep_value(
            uuid.UUID(str(group_public_id)), connection)
    except ValueError:
        return None
    sql = (_VERSION_SQL + f"JOIN {Group._meta.db_table} g ON g.id = m.group_id "  # noqa: S608
           "WHERE g.public_id = %s AND m.user_id = %s AND m.left_at IS NULL")
    with connection.cursor() as cursor:
        cursor.execute(sql, [public_id, user.pk])
        row = cursor.fetchone()
    return None if row is None else ":".join(str(v or "") for v in row)


def groups_version(user: User) -> str:
    """What a person's view across their groups was made from, in one query: which groups they are in, in what
    role, and each one's stamp, with their own stamp."""
    sql = _VERSION_SQL + "WHERE m.user_id = %s AND m.left_at IS NULL ORDER BY m.group_id"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk])
        rows = cursor.fetchall()
    return "|".join(":".join(str(v or "") for v in row) for row in rows) or "none"


def active_member_count(group: Group) -> int:
    return Membership.objects.active().filter(group=group).count()


def group_threshold(group: Group, *, members: int | None = None) -> int:
    """The counted trust that makes a coordinator: the group's own setting, or by default the square root of the
    member count, rounded up, and never below 2 (so no single member makes a coordinator alone)."""
    if group.trust_threshold:
        return group.trust_threshold
    if members is None:
        members = active_member_count(group)
    return max(2, math.isqrt(max(members - 1, 0)) + 1)


def suspended_user_ids(group: Group) -> set[int]:
    """Who is suspended in the group right now (a suspension not confirmed lapses after seven days)."""
    from django.utils import timezone

    now = timezone.now()
    return {s.user_id for s in Suspension.objects.filter(group=group, ended_at__isnull=True) if s.in_force(now)}


def group_suspensions(group: Group) -> list[Suspension]:
    """Suspensions in force, with who suspended and who confirmed, for the coordinators' view."""
    rows = list(Suspension.objects.filter(group=group, ended_at__isnull=True)
                .select_related("user", "suspended_by", "confirmed_by").order_by("created_at"))
    return [s for s in rows if s.in_force()]


def suspension_for(user: User | None, public_id) -> Suspension | None:
    """A suspension, for a member of its group (None, as if it did not exist, for anyone else)."""
    if user is None or not user.is_authenticated:
        return None
    suspension = Suspension.objects.select_related("group", "user").filter(public_id=public_id).first()
    if suspension is None or membership_for(user, suspension.group) is None:
        return None
    return suspension


def group_standings(group: Group) -> dict[int, tuple[str, int]]:
    """What each active member's standing should be, by the rule the members page states: user id -> (role,
    counted trust). Caller holds the group's lock when it writes what this says.

    Founders coordinate. Trust starts from the roots (founders and members accepted by application); a newcomer is a
    member once trust reaches them from a root, and a coordinator once their counted trust (vertex-disjoint trust
    paths from the roots, networks/trustflow.py) reaches the group's threshold. Trust from someone no trust reaches
    counts for nothing."""
    memberships = list(Membership.objects.active().filter(group=group).values_list("user_id", "root"))
    suspended = suspended_user_ids(group)
    ids = {user_id for user_id, _root in memberships} - suspended  # a suspended person holds no standing
    roots = {user_id for user_id, root in memberships if root} & ids
    edges = [(g, r) for g, r in Trust.objects.filter(group=group, role=Membership.Role.COORDINATOR)
             .values_list("giver_id", "receiver_id") if g in ids and r in ids]
    trusted = trustflow.reached(roots, edges)
    counts = trustflow.counted_trust(roots, edges, [u for u in ids if u in trusted])
    threshold = group_threshold(group, members=len(memberships))  # suspended people are still members
    standings = {}
    for user_id, root in memberships:
        counted = counts.get(user_id, 0)
        if user_id in suspended:
            role = Membership.Role.NEWCOMER
        elif root == Membership.Root.FOUNDER or counted >= threshold:
            role = Membership.Role.COORDINATOR
        elif user_id in trusted:
            role = Membership.Role.MEMBER
        else:
            role = Membership.Role.NEWCOMER
        standings[user_id] = (role, counted)
    return standings


def group_list(*, user: User | None = None) -> QuerySet[Group]:
    qs = Group.objects.annotate(
        member_count=Count("memberships", filter=Q(memberships__left_at__isnull=True), distinct=True),
    ).order_by("name")
    if user is not None and user.is_authenticated:
        qs = qs.annotate(is_member=Exists(Membership.objects.active().filter(group=OuterRef("pk"), user=user)))
    return qs


def user_groups(user: User) -> QuerySet[Group]:
    """The groups the person is in now, each with `my_role` (their role there) and `has_areas` (whether it names any
    area yet: its coordinators are asked to), by name."""
    return (Group.objects.filter(memberships__user=user, memberships__left_at__isnull=True)
            .annotate(my_role=F("memberships__role"), has_areas=Exists(Area.objects.filter(group=OuterRef("pk"))))
            .order_by("name"))


@dataclass
class GroupDesk:
    """What waits for a group's coordinators in this app: applications to decide and the members suspended now."""

    applications: int = 0
    suspended: list[User] = field(default_factory=list)


def coordinator_desks(group_ids: list[int]) -> dict[int, GroupDesk]:
    """For each of the groups, its GroupDesk (two queries, however many groups)."""
    desks = {pk: GroupDesk() for pk in group_ids}
    for row in (Application.objects.filter(group_id__in=group_ids, status=Application.Status.PENDING)
                .values("group_id").annotate(n=Count("id"))):
        desks[row["group_id"]].applications = row["n"]
    in_force = (Q(confirmed_at__isnull=False)
                | Q(created_at__gt=timezone.now() - SUSPENSION_LAPSES_AFTER))
    for suspension in (Suspension.objects.filter(group_id__in=group_ids, ended_at__isnull=True).filter(in_force)
                       .select_related("user").order_by("created_at")):
        desks[suspension.group_id].suspended.append(suspension.user)
    return desks


def group_name_taken(name: str) -> bool:
    """Another group already has this name, ignoring case (the instance holds one network)."""
    return Group.objects.filter(name__iexact=(name or "").strip()).exists()


def group_areas(group: Group) -> list[Area]:
    """The areas a group names, by name (what the place pickers list)."""
    return list(Area.objects.filter(group=group).order_by(Lower("name"), "id"))


def nearest_area(areas: list[Area], lat: float, lon: float, *, within_km: float) -> Area | None:
    """The marked area nearest to a point, if one is within `within_km`."""
    located = [(distance_km(lat, lon, a.lat, a.lon), a.name, a) for a in areas if a.lat is not None]
    km, _name, area = min(located, default=(math.inf, "", None), key=lambda row: row[:2])
    return area if km <= within_km else None


NEAREST_AREA_KM = 5.0  # a point marked further than this from every named area keeps the name given


def place_resolve(areas: list[Area], *, area: Area | None, location_name: str, lat: float | None,
                  lon: float | None, name_after_nearest: bool = True) -> tuple[str, float | None, float | None]:
    """Where something is, from what was picked: a chosen area gives its name, and its point when none was marked;
    a point newly marked with no area and no name given is named after the nearest area (within NEAREST_AREA_KM)."""
    if area is not None:
        if lat is None and area.lat is not None:
            lat, lon = area.lat, area.lon
        return area.name, lat, lon
    if name_after_nearest and lat is not None and lon is not None and not (location_name or "").strip():
        near = nearest_area(areas, lat, lon, within_km=NEAREST_AREA_KM)
        if near is not None:
            return near.name, lat, lon
    return location_name, lat, lon


def area_get(public_id) -> Area | None:
    try:
        return Area.objects.select_related("group").get(public_id=uuid.UUID(str(public_id)))
    except (Area.DoesNotExist, ValueError):
        return None


def group_members(group: Group, *, viewer: User | None = None) -> list[dict[str, Any]]:
    """Members with their role, the trust they received, and whether the viewer already trusts them."""
    memberships = list(
        Membership.objects.active().filter(group=group).select_related("user").order_by("user__username")
    )
    member_ids = {m.user_id for m in memberships}
    counts: dict[int, int] = {}
    for row in (Trust.objects.filter(group=group, role=Membership.Role.COORDINATOR, giver_id__in=member_ids)
                .values("receiver_id").annotate(n=Count("id"))):
        counts[row["receiver_id"]] = row["n"]
    standings = group_standings(group)
    trusted_by_viewer: set[int] = set()
    if viewer is not None and viewer.is_authenticated:
        trusted_by_viewer = set(Trust.objects.filter(group=group, giver=viewer).values_list("receiver_id", flat=True))
    return [
        {"membership": m, "user": m.user, "role": m.role, "trust": counts.get(m.user_id, 0),
         "counted": standings.get(m.user_id, ("", 0))[1],
         "trusted_by_viewer": m.user_id in trusted_by_viewer}
        for m in memberships
    ]


def pending_applications(group: Group) -> QuerySet[Application]:
    return Application.objects.filter(group=group, status=Application.Status.PENDING).select_related("user")


def user_application(user: User, group: Group) -> Application | None:
    if not user.is_authenticated:
        return None
    return Application.objects.filter(group=group, user=user).order_by("-created_at").first()


def notification_list(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at")


def navigation_counts(user: User) -> tuple[int, bool]:
    """What every signed-in page's navigation shows: the unread notifications, and whether the person coordinates a
    group (for the links only coordinators use), in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT COUNT(*) FROM {Notification._meta.db_table} "  # noqa: S608
                       "WHERE user_id = %s AND read_at IS NULL), "
                       f"(SELECT COUNT(*) FROM {Membership._meta.db_table} "
                       "WHERE user_id = %s AND left_at IS NULL AND role = %s)",
                       [user.pk, user.pk, Membership.Role.COORDINATOR])
        unread, coordinating = cursor.fetchone()
        return unread, bool(coordinating)


def pending_application_group_ids(user: User) -> set[int]:
    """The groups the user is waiting to hear back from (one query, for group lists)."""
    if not user.is_authenticated:
        return set()
    return set(Application.objects.filter(user=user, status=Application.Status.PENDING)
               .values_list("group_id", flat=True))


def group_coordinators(group: Group) -> list[User]:
    """The group's coordinators now: whom a notification for "the coordinators" goes to."""
    return list(User.objects.filter(memberships__group=group, memberships__left_at__isnull=True,
                                    memberships__role=Membership.Role.COORDINATOR))


def group_member(group: Group, user_public_id) -> User | None:
    """An active member of the group, by public id."""
    try:
        return User.objects.filter(public_id=user_public_id, memberships__group=group,
                                   memberships__left_at__isnull=True).first()
    except (ValueError, TypeError):
        return None


def application_get(public_id) -> Application | None:
    try:
        return Application.objects.select_related("group", "user").filter(public_id=public_id).first()
    except (ValueError, TypeError):
        return None


# --- A member's own data (export) -----------------------------------------------------------------


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def token_cutoff():
    """Tokens last used before this no longer work (None: tokens never expire, API_TOKEN_IDLE_DAYS=0)."""
    days = settings.API_TOKEN_IDLE_DAYS
    return timezone.now() - timedelta(days=days) if days else None


def working_tokens() -> QuerySet[ApiToken]:
    """Every token that still works (not unused past settings.API_TOKEN_IDLE_DAYS)."""
    cutoff = token_cutoff()
    return ApiToken.objects.all() if cutoff is None else ApiToken.objects.filter(last_used_at__gt=cutoff)


def token_user(key: str) -> User | None:
    """The active user the API token belongs to, or None if it is unknown or expired: one query on the token's
    unique hash, every API call, and a write of its last use at most once an hour. The token is kept on the user
    as `current_token`, so that a client can tell which of its tokens it is using. (Recording the last use is
    bookkeeping, like Django's own last_login, not a change anyone made: this stays a read.)"""
    tokens = working_tokens().select_related("user").filter(key_hash=ApiToken.hash_of(key), user__is_active=True)
    token = next(iter(tokens[:1]), None)
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at < now - ApiToken.USE_RECORDED_EVERY:
        # Not audited (see above).
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    user = token.user
    user.current_token = token
    return user


def user_tokens(user: User) -> list[ApiToken]:
    """The member's API tokens that still work, most recently used first (expired ones are purged by the worker
    and work no more)."""
    return list(working_tokens().filter(user=user).order_by("-last_used_at", "-id"))


def user_export_data(user: User) -> dict[str, Any]:
    """What this app holds about a person: profile, memberships, trust given and received, applications, suspensions
    (with the reason given), notifications and API tokens (when made and used; never the key). Other people appear
    by user name only."""

    memberships = Membership.objects.filter(user=user).select_related("group").order_by("joined_at", "id")
    trust = Trust.objects.filter(Q(giver=user) | Q(receiver=user)).select_related("group", "giver", "receiver")
    applications = Application.objects.filter(user=user).select_related("group").order_by("created_at", "id")
    sections = {
        "profile": {
            "id": str(user.public_id), "username": user.username, "email": user.email,
            "first_name": user.first_name, "last_name": user.last_name, "language": user.language,
            "browser_language": user.browser_language,
            "date_joined": _iso(user.date_joined), "last_login": _iso(user.last_login),
        },
        "memberships": [
            {"group": {"id": str(m.group.public_id), "name": m.group.name}, "role": m.role, "root": m.root,
             "joined_at": _iso(m.joined_at), "left_at": _iso(m.left_at)}
            for m in memberships
        ],
        "trust_given": [
            {"group": t.group.name, "to": t.receiver.username, "role": t.role, "given_at": _iso(t.created_at)}
            for t in trust.order_by("created_at", "id") if t.giver_id == user.pk
        ],
        "trust_received": [
            {"group": t.group.name, "from": t.giver.username, "role": t.role, "given_at": _iso(t.created_at)}
            for t in trust.order_by("created_at", "id") if t.receiver_id == user.pk
        ],
        "applications": [
            {"id": str(a.public_id), "group": a.group.name, "answers": a.answers, "status": a.status,
             "reason": a.reason, "created_at": _iso(a.created_at), "decided_at": _iso(a.decided_at)}
            for a in applications
        ],
        "suspensions": [
            {"group": s.group.name, "reason": s.reason, "suspended_at": _iso(s.created_at),
             "confirmed_at": _iso(s.confirmed_at), "ended_at": _iso(s.ended_at)}
            for s in Suspension.objects.filter(user=user).select_related("group").order_by("created_at", "id")
        ],
        "notifications": [
            {"kind": n.kind, "text": notification_text(n.kind, n.params), "params": n.params, "url": n.url,
             "created_at": _iso(n.created_at), "read_at": _iso(n.read_at)}
            for n in Notification.objects.filter(user=user).order_by("created_at", "id")
        ],
        "api_tokens": [
            {"id": str(t.public_id), "label": t.label, "starts_with": t.key_prefix, "created_at": _iso(t.created_at),
             "last_used_at": _iso(t.last_used_at), "expires_at": _iso(t.expires_at)}
            for t in ApiToken.objects.filter(user=user).order_by("created_at", "id")
        ],
    }
    # What the other apps hold (signals.member_export).
    return {**sections, **signals.collected(signals.member_export.send(sender=User, user=user))}


def username_refusal(username: str) -> str | None:
    """Why a new account may not take this name, or None: it is taken (compared after NFKC and case folding) or it
    looks like one that is (the same Unicode TR39 skeleton: a Cyrillic 'а' for a Latin 'a'), so that nobody can pass
    for a neighbour. The sign-up form asks it with the other fields; the service asks it again."""
    key, look = usernames.fold(username), usernames.skeleton(username)
    look_alike = False
    for existing in User.objects.values_list("username", flat=True).iterator(chunk_size=2000):
        if usernames.fold(existing) == key:
            return _("That user name is taken. Choose another.")
        look_alike = look_alike or usernames.skeleton(existing) == look
    return _("That user name looks too much like someone else's. Choose another.") if look_alike else None

