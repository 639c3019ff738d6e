"""Reads of needs, offers and matches. Each list runs a fixed number of queries, whatever the data."""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.db.models import (Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q, QuerySet,
                              Subquery, Value, Window)
from django.utils import timezone

from mutualaid.networks.models import SUSPENSION_LAPSES_AFTER, Group, Suspension, User
from mutualaid.networks.selectors import user_groups

from . import search
from .models import Category, ClaimBlock, ContactView, GroupPolicy, Match, MatchMessage, Need, NeedContact, Offer


def category_list() -> QuerySet[Category]:
    return Category.objects.all()


@dataclass
class NeedFilters:
    group: Group | None = None
    status: str = ""
    category: str = ""
    urgency: str = ""
    q: str = ""  # words to search for in the title and description (search.matching)


def need_list(*, filters: NeedFilters, visible_groups: QuerySet[Group] | None = None) -> QuerySet[Need]:
    """Needs, most urgent first. With no status filter, only those still open to claims are listed."""
    qs = Need.objects.select_related("group", "category", "requester")
    if filters.group is not None:
        qs = qs.filter(group=filters.group)
    elif visible_groups is not None:
        qs = qs.filter(group__in=visible_groups)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(category__slug=filters.category)
    if filters.urgency:
        qs = qs.filter(urgency=filters.urgency)
    if filters.q:
        qs = qs.filter(search.matching(Need, filters.q))
    return qs.order_by("urgency_rank", "needed_by", "created_at", "id")


def board_needs(group: Group, *, status: str = "", category: str = "", urgency: str = "",
                q: str = "") -> QuerySet[Need]:
    qs = need_list(filters=NeedFilters(group=group, status=status, category=category, urgency=urgency, q=q))
    if not status:
        qs = qs.filter(status__in=Need.CLAIMABLE)
    return qs


def offer_list(*, group: Group | None = None, visible_groups: QuerySet[Group] | None = None, status: str = "",
               category: str = "", helper: User | None = None, q: str = "") -> QuerySet[Offer]:
    qs = Offer.objects.select_related("group", "category", "helper")
    if q:
        qs = qs.filter(search.matching(Offer, q))
    if group is not None:
        qs = qs.filter(group=group)
    elif visible_groups is not None:
        qs = qs.filter(group__in=visible_groups)
    if helper is not None:
        qs = qs.filter(helper=helper)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category__slug=category)
    return qs.order_by("-created_at", "-id")


def board_offers(group: Group, *, category: str = "", q: str = "") -> QuerySet[Offer]:
    return offer_list(group=group, status=Offer.Status.ACTIVE, category=category, q=q)


def need_detail(public_id) -> Need | None:
    """A need with its group, category, requester and author, and its matches with their helpers (two queries).
    The original of a duplicate and the group a need was referred to are read when asked for: only closed needs
    have one, so every other need's query does without those two joins."""
    try:
        return (Need.objects.select_related("group", "category", "requester", "created_by")
                .prefetch_related(Prefetch("matches", queryset=Match.objects.select_related("helper")))
                .get(public_id=public_id))
    except (Need.DoesNotExist, ValueError, TypeError):
        return None


def match_detail(public_id) -> Match | None:
    try:
        return Match.objects.select_related("need", "need__group", "need__requester", "helper", "offer").get(
            public_id=public_id)
    except (Match.DoesNotExist, ValueError, TypeError):
        return None


def match_messages(match: Match) -> QuerySet[MatchMessage]:
    """A match's conversation, oldest first, with each author."""
    return MatchMessage.objects.filter(match=match).select_related("author").order_by("created_at", "id")


THREAD_SHOWN = 200  # the most messages a conversation's page shows (the latest); the API pages through them all


def thread_page(match: Match) -> tuple[list[MatchMessage], int]:
    """The latest THREAD_SHOWN messages of a match, oldest first, and how many there are in all."""
    latest = list(MatchMessage.objects.filter(match=match).select_related("author")
                  .order_by("-created_at", "-id")[:THREAD_SHOWN])
    latest.reverse()
    for message in latest:  # who wrote it, as the page names them: a side of the match, or a coordinator
        message.side = match.side_of(message.author_id) or "coordinator"
    total = len(latest) if len(latest) < THREAD_SHOWN else MatchMessage.objects.filter(match=match).count()
    return latest, total


def user_matches(user: User) -> QuerySet[Match]:
    """Matches where the user is the helper or the requester."""
    # The requester's side as a list of their needs read first (one indexed query): an OR across the join, or with a
    # subquery, made the databases scan every match (tens of milliseconds per page at city scale, see
    # bench/results/web.md); with a plain list both sides use their own index.
    own_needs = list(Need.objects.filter(requester=user).values_list("pk", flat=True))
    return (Match.objects.filter(Q(helper=user) | Q(need_id__in=own_needs))
            .select_related("need", "need__group", "need__category", "need__requester", "helper")
            .order_by("-created_at"))


def user_needs(user: User) -> QuerySet[Need]:
    return Need.objects.filter(Q(requester=user) | Q(created_by=user, requester__isnull=True)).select_related(
        "group", "category").order_by("-created_at")


def claim_hold(user: User, group_id: int) -> tuple[bool, bool]:
    """(suspended in the group now, claims paused there): in one query, for every claim and need page."""
    in_force = Suspension.objects.filter(group_id=group_id, user=user, ended_at__isnull=True).filter(
        Q(confirmed_at__isnull=False) | Q(created_at__gt=timezone.now() - SUSPENSION_LAPSES_AFTER))
    paused = ClaimBlock.objects.filter(group_id=group_id, user=user, lifted_at__isnull=True)
    row = (User.objects.filter(pk=user.pk).annotate(suspended=Exists(in_force), paused=Exists(paused))
           .values_list("suspended", "paused").first())
    return (bool(row[0]), bool(row[1])) if row else (False, False)


def paused_helpers(group: Group) -> list[ClaimBlock]:
    """Whose claims are paused in the group (open pauses), oldest first."""
    return list(ClaimBlock.objects.filter(group=group, lifted_at__isnull=True).select_related("user")
                .order_by("created_at"))


def contact_views(need: Need, *, limit: int = 50) -> list[ContactView]:
    """Who was shown the need's contact details, and when, newest first."""
    return list(ContactView.objects.filter(need=need).select_related("viewer")[:limit])


def need_contact(need: Need) -> NeedContact | None:
    contacts = list(NeedContact.objects.filter(need_id=need.pk))  # the primary key: one row or none
    return contacts[0] if contacts else None


def possible_duplicates(*, group: Group, category: Category, title: str, description: str = "",
                        phone: str = "", email: str = "", exclude: Need | None = None) -> list[Need]:
    """Open needs of the same group and category with the same contact or very similar text."""
    candidates = (Need.objects.filter(group=group, category=category,
                                      status__in=Need.CLAIMABLE + (Need.Status.MATCHED,))
                  .select_related("contact").order_by("-created_at")[:200])
    phone_key = "".join(c for c in phone if c.isdigit())
    email_key = email.strip().lower()
    text = f"{title} {description}".lower().strip()
    found = []
    for need in candidates:
        if exclude is not None and need.pk == exclude.pk:
            continue
        contact = getattr(need, "contact", None)
        same_contact = contact is not None and (
            (phone_key and phone_key == "".join(c for c in contact.phone if c.isdigit()))
            or (email_key and email_key == contact.email.strip().lower())
        )
        similar = max(
            difflib.SequenceMatcher(None, text, f"{need.title} {need.description}".lower().strip()).ratio(),
            # The same request typed again often has a title and no details, or other details.
            difflib.SequenceMatcher(None, title.lower().strip(), need.title.lower().strip()).ratio(),
        )
        if same_contact or similar >= 0.85:
            found.append(need)
    return found


def newcomer_claims_confirm(group_id: int) -> bool:
    """Whether the group lets newcomers' claims confirm at once (off unless its policy says so)."""
    return GroupPolicy.objects.filter(group_id=group_id, newcomer_claims_confirm=True).exists()


def overdue_needs(now=None) -> QuerySet[Need]:
    """Open needs past their needed-by time with nothing claimed: the worker expires them."""
    now = now or timezone.now()
    return Need.objects.filter(status=Need.Status.OPEN, needed_by__lt=now, quantity_claimed=0)


# --- Reads for the web pages ------------------------------------------------------------------------


def visible_needs(user: User, *, status: str = "", category: str = "", urgency: str = "",
                  q: str = "") -> QuerySet[Need]:
    """Needs of every group the user belongs to, most urgent first; open to claims unless a status is asked."""
    qs = need_list(filters=NeedFilters(status=status, category=category, urgency=urgency, q=q),
                   visible_groups=user_groups(user))
    if not status:
        qs = qs.filter(status__in=Need.CLAIMABLE)
    return qs


def user_open_needs(user: User) -> QuerySet[Need]:
    """The user's needs that are still in play (not fulfilled, cancelled, expired, duplicate or referred)."""
    return user_needs(user).exclude(status__in=Need.CLOSED)


def user_live_matches(user: User) -> QuerySet[Match]:
    return user_matches(user).filter(status=Match.Status.CONFIRMED)


def claimable_offers(user: User, need: Need) -> QuerySet[Offer]:
    """The user's active offers in the need's group and category: what a claim may draw on (newest first, as in
    offer_list; the claim form shows each one's title and what is left of it, so nothing is joined)."""
    return (Offer.objects.filter(group_id=need.group_id, helper=user, status=Offer.Status.ACTIVE,
                                 category_id=need.category_id).order_by("-created_at", "-id"))


def duplicate_candidates(need: Need, *, limit: int = 100) -> QuerySet[Need]:
    """Needs of the same group that this one may be marked a duplicate of (newest first)."""
    return (Need.objects.filter(group_id=need.group_id).exclude(pk=need.pk).exclude(status=Need.Status.DUPLICATE)
            .only("public_id", "title").order_by("-created_at")[:limit])


def referral_targets(need: Need) -> QuerySet[Group]:
    """Every other group of the network, for an out-of-area need."""
    return (Group.objects.filter(network_id=need.group.network_id).exclude(pk=need.group_id).only("public_id", "name")
            .order_by("name"))


# --- The signed-in home page ---------------------------------------------------------------------

HOME_LIST_LENGTH = 10
# What a need's card shows (circulation/_need_card.html; also "group__timezone" when it has a needed-by time, and
# "group__name" with show_group).
NEED_CARD_FIELDS = ("public_id", "title", "urgency", "status", "quantity", "quantity_claimed", "location_name",
                    "needed_by", "category__name", "category__unit", "category__unit_singular")


@dataclass
class HomeLists:
    groups: list[Group]
    open_needs: list[Need]
    open_needs_count: int
    live_matches: list[Match]
    live_matches_count: int


DESK_LENGTH = 20  # the most of each kind a coordinator's home page lists


@dataclass
class NeedsDesk:
    """What waits for coordinators in circulation: newcomers' claims to accept, and needs that nobody has taken on
    though half their time has gone."""

    proposed: list[Match]
    unmet: list[Need]


def coordinator_needs_desk(group_ids: list[int], *, now=None) -> NeedsDesk:
    """Across the groups (two queries): claims waiting for acceptance, oldest first; open needs with nothing claimed
    whose "needed by" is nearer than their posting (half their time gone), soonest first."""
    now = now or timezone.now()
    proposed = list(Match.objects.filter(need__group_id__in=group_ids, status=Match.Status.PROPOSED)
                    .select_related("need", "need__group", "need__category", "helper")
                    .order_by("created_at")[:DESK_LENGTH])
    unmet = list(Need.objects.filter(group_id__in=group_ids, status=Need.Status.OPEN, quantity_claimed=0,
                                     needed_by__isnull=False)
                 .annotate(left=ExpressionWrapper(F("needed_by") - Value(now), output_field=DurationField()),
                           gone=ExpressionWrapper(Value(now) - F("created_at"), output_field=DurationField()))
                 .filter(left__lt=F("gone")).select_related("group", "category").order_by("needed_by")[:DESK_LENGTH])
    return NeedsDesk(proposed, unmet)


def _first_rows_and_count(qs: QuerySet, limit: int) -> tuple[list, int]:
    """The first `limit` rows and how many rows there are in all, in one query: COUNT(*) OVER () is taken over
    every row, before the LIMIT."""
    rows = list(qs.annotate(rows_in_all=Window(Count("*")))[:limit])
    return rows, (rows[0].rows_in_all if rows else 0)


def home_lists(user: User) -> HomeLists:
    """The signed-in home page: the user's groups, their open needs and their matches in progress (the newest
    HOME_LIST_LENGTH of each, with how many there are), in five queries whatever the amount of data."""
    groups = list(user_groups(user))
    # Only the columns the cards show (circulation/_need_card.html, _match_card.html): building the related
    # instances whole cost more than rendering the cards.
    open_needs, open_count = _first_rows_and_count(
        user_open_needs(user).only(*NEED_CARD_FIELDS, "group__name", "group__timezone"), HOME_LIST_LENGTH)
    live_matches, live_count = _first_rows_and_count(
        user_live_matches(user).select_related(None).select_related("need__group", "need__category", "helper")
        .only("public_id", "status", "quantity", "created_at", "cancel_reason", "helper__username", "need__public_id",
              "need__title", "need__group__name", "need__group__timezone", "need__category__name",
              "need__category__unit", "need__category__unit_singular"),
        HOME_LIST_LENGTH)
    return HomeLists(groups, open_needs, open_count, live_matches, live_count)


# --- A member's own data (export) -----------------------------------------------------------------


def user_circulation_groups(user: User) -> set[int]:
    """The groups whose pages name this person on a need or a match: where they asked, entered a need or helped
    (a referred need keeps its requester in the group it went to)."""
    needs = Need.objects.filter(Q(requester=user) | Q(created_by=user)).values_list("group_id", flat=True)
    helped = Match.objects.filter(helper=user).values_list("need__group_id", flat=True)
    return set(needs) | set(helped)


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _need_row(need: Need) -> dict:
    return {"id": str(need.public_id), "group": need.group.name, "title": need.title,
            "description": need.description, "category": need.category.slug, "quantity": need.quantity,
            "quantity_claimed": need.quantity_claimed, "quantity_fulfilled": need.quantity_fulfilled,
            "urgency": need.urgency, "status": need.status, "needed_by": _iso(need.needed_by),
            "location_name": need.location_name, "lat": need.lat, "lon": need.lon,
            "created_at": _iso(need.created_at), "closed_at": _iso(need.closed_at)}


def _conversations_export(user: User) -> list[dict]:
    """The conversations the person took part in: every match they are a side of (helper, requester, or whoever
    entered the need for someone), and every other one they wrote in (as a coordinator), each with all its messages:
    what they wrote and what was written to them."""
    own = Q(helper=user) | Q(need__requester=user) | Q(need__requester__isnull=True, need__created_by=user)
    wrote = MatchMessage.objects.filter(author=user).values("match_id")
    threads = (Match.objects.filter(own | Q(pk__in=wrote)).filter(Exists(MatchMessage.objects.filter(
        match=OuterRef("pk")))).select_related("need", "need__group").order_by("created_at", "id"))
    by_match: dict[int, list[MatchMessage]] = {}
    for message in (MatchMessage.objects.filter(match__in=threads).select_related("author")
                    .order_by("created_at", "id")):
        by_match.setdefault(message.match_id, []).append(message)
    return [{"match": str(m.public_id), "need": {"id": str(m.need.public_id), "title": m.need.title,
                                                 "group": m.need.group.name},
             "messages": [{"author": msg.author.username, "mine": msg.author_id == user.pk,
                           "side": m.side_of(msg.author_id) or "coordinator", "text": msg.text,
                           "written_at": _iso(msg.created_at)} for msg in by_match.get(m.pk, [])]}
            for m in threads]


def user_circulation_export(user: User) -> dict:
    """What this app holds about a person: the needs they posted (with their own contact records), the needs they
    entered for people without an account (without those people's contact details), their offers, and their matches
    as helper and as requester (without the other side's contact details), whose contact details they were shown
    and who was shown theirs, and any pause on their claims."""
    own_needs = (Need.objects.filter(requester=user).select_related("group", "category", "contact")
                 .order_by("created_at", "id"))
    needs = []
    for need in own_needs:
        row = _need_row(need)
        contact = getattr(need, "contact", None)
        row["contact"] = None if contact is None else {
            "name": contact.name, "phone": contact.phone, "email": contact.email, "address": contact.address,
            "preferred_language": contact.preferred_language, "notes": contact.notes,
            "exact_lat": contact.exact_lat, "exact_lon": contact.exact_lon}
        needs.append(row)
    entered = (Need.objects.filter(created_by=user, requester__isnull=True).select_related("group", "category")
               .order_by("created_at", "id"))
    offers = Offer.objects.filter(helper=user).select_related("group", "category").order_by("created_at", "id")

    def match_row(match: Match) -> dict:
        return {"id": str(match.public_id), "need": {"id": str(match.need.public_id), "title": match.need.title,
                                                     "group": match.need.group.name},
                "offer": str(match.offer.public_id) if match.offer else None, "quantity": match.quantity,
                "status": match.status, "created_at": _iso(match.created_at),
                "completed_at": _iso(match.completed_at), "cancelled_at": _iso(match.cancelled_at),
                "cancel_reason": match.cancel_reason}

    matches = Match.objects.select_related("need", "need__group", "offer").order_by("created_at", "id")
    return {
        "needs": needs,
        "needs_entered_for_others": [_need_row(n) for n in entered],
        "offers": [
            {"id": str(o.public_id), "group": o.group.name, "title": o.title, "description": o.description,
             "category": o.category.slug, "quantity": o.quantity, "quantity_committed": o.quantity_committed,
             "available_from": _iso(o.available_from), "available_until": _iso(o.available_until),
             "location_name": o.location_name, "lat": o.lat, "lon": o.lon, "max_distance_km": o.max_distance_km,
             "status": o.status, "created_at": _iso(o.created_at)}
            for o in offers
        ],
        "matches_as_helper": [match_row(m) for m in matches.filter(helper=user)],
        "matches_as_requester": [match_row(m) for m in matches.filter(need__requester=user)],
        "conversations": _conversations_export(user),
        "contact_details_seen": [
            {"need": {"id": str(v.need.public_id), "title": v.need.title, "group": v.need.group.name},
             "viewed_at": _iso(v.viewed_at)}
            for v in ContactView.objects.filter(viewer=user).select_related("need", "need__group")
            .order_by("viewed_at", "id")
        ],
        "who_saw_my_contact_details": [
            {"need": str(v.need.public_id), "by": v.viewer.username, "viewed_at": _iso(v.viewed_at)}
            for v in ContactView.objects.filter(need__requester=user).select_related("need", "viewer")
            .order_by("viewed_at", "id")
        ],
        "claim_pauses": [
            {"group": b.group.name, "paused_at": _iso(b.created_at), "lifted_at": _iso(b.lifted_at)}
            for b in ClaimBlock.objects.filter(user=user).select_related("group").order_by("created_at", "id")
        ],
    }


# --- The API's need list (GET /api/v1/needs) ------------------------------------------------------------------
# Each call renders a page of needs, and building model instances cost more than the database spent answering. So
# the list reads tuples, not instances, and names the group, category, requester and the duplicate/referral targets
# with scalar subqueries, not joins (PostgreSQL plans the six-table join afresh on each call, 1-2 ms, against about
# 0.1 ms for this shape). Filters and order are need_list's; mutualaid/circulation/tests/test_api_queries.py checks
# the rows against need_list's, field by field.


def _name_of(model, field: str, fk: str) -> Subquery:
    return Subquery(model.objects.filter(pk=OuterRef(fk)).order_by().values(field))


# The columns of a NeedApiPage row, in this order; api.need_row_out reads them by position.
NEED_API_COLUMNS = ("public_id", "group", "title", "description", "category", "quantity", "quantity_claimed",
                    "quantity_fulfilled", "urgency", "status", "needed_by", "location_name", "lat", "lon",
                    "requester_id", "requester", "duplicate_of", "referred_to", "created_at")


class NeedApiPage:
    """The API's need list as the paginator takes it: page[offset:stop] runs one query, count() another."""

    def __init__(self, *, filters: NeedFilters, group_id: int | None = None, user: User | None = None):
        """The needs of group_id (a group the caller may read), or else of the groups `user` is a member of
        (filters.group is not read)."""
        qs = need_list(filters=NeedFilters(status=filters.status, category=filters.category, urgency=filters.urgency,
                                           q=filters.q),
                       visible_groups=None if group_id is not None else user_groups(user))
        self.queryset = qs.filter(group_id=group_id) if group_id is not None else qs

    def __getitem__(self, page: slice) -> list[tuple]:
        return list(self.queryset.values_list(
            "public_id", _name_of(Group, "public_id", "group_id"), "title", "description",
            _name_of(Category, "slug", "category_id"), "quantity", "quantity_claimed", "quantity_fulfilled",
            "urgency", "status", "needed_by", "location_name", "lat", "lon", "requester_id",
            _name_of(User, "username", "requester_id"), _name_of(Need, "public_id", "duplicate_of_id"),
            _name_of(Group, "public_id", "referred_to_id"), "created_at")[page])

    def count(self) -> int:
        return self.queryset.order_by().count()
