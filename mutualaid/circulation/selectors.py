"""Reads of needs, offers and matches. Each list runs a fixed number of queries, whatever the data."""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from mutualaid.networks.models import Group, Membership, User
from mutualaid.networks.selectors import user_groups

from .models import Category, Match, Need, NeedContact, Offer, URGENCY_RANK


def category_list() -> QuerySet[Category]:
    return Category.objects.all()


@dataclass
class NeedFilters:
    group: Group | None = None
    status: str = ""
    category: str = ""
    urgency: str = ""


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
    return qs.order_by("urgency_rank", "needed_by", "created_at", "id")


def board_needs(group: Group, *, status: str = "", category: str = "", urgency: str = "") -> QuerySet[Need]:
    qs = need_list(filters=NeedFilters(group=group, status=status, category=category, urgency=urgency))
    if not status:
        qs = qs.filter(status__in=Need.CLAIMABLE)
    return qs


def offer_list(*, group: Group | None = None, visible_groups: QuerySet[Group] | None = None, status: str = "",
               category: str = "", helper: User | None = None) -> QuerySet[Offer]:
    qs = Offer.objects.select_related("group", "category", "helper")
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


def board_offers(group: Group, *, category: str = "") -> QuerySet[Offer]:
    return offer_list(group=group, status=Offer.Status.ACTIVE, category=category)


def need_detail(public_id) -> Need | None:
    try:
        return (Need.objects.select_related("group", "category", "requester", "created_by", "duplicate_of",
                                            "referred_to")
                .prefetch_related(Prefetch("matches", queryset=Match.objects.select_related("helper", "offer")))
                .get(public_id=public_id))
    except (Need.DoesNotExist, ValueError, TypeError):
        return None


def match_detail(public_id) -> Match | None:
    try:
        return Match.objects.select_related("need", "need__group", "need__requester", "helper", "offer").get(
            public_id=public_id)
    except (Match.DoesNotExist, ValueError, TypeError):
        return None


def user_matches(user: User) -> QuerySet[Match]:
    """Matches where the user is the helper or the requester."""
    return (Match.objects.filter(Q(helper=user) | Q(need__requester=user))
            .select_related("need", "need__group", "need__category", "need__requester", "helper")
            .order_by("-created_at"))


def user_needs(user: User) -> QuerySet[Need]:
    return Need.objects.filter(Q(requester=user) | Q(created_by=user, requester__isnull=True)).select_related(
        "group", "category").order_by("-created_at")


def can_see_contact(user: User | None, need: Need, *, is_coordinator: bool) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if is_coordinator or (need.requester_id is not None and need.requester_id == user.pk):
        return True
    if need.requester_id is None and need.created_by_id == user.pk:
        return True
    return need.matches.filter(helper=user, status=Match.Status.CONFIRMED).exists()


def need_contact(need: Need) -> NeedContact | None:
    return NeedContact.objects.filter(need=need).first()


def possible_duplicates(*, group: Group, category: Category, title: str, description: str = "",
                        phone: str = "", email: str = "", exclude: Need | None = None) -> list[Need]:
    """Open needs of the same group and category with the same contact or very similar text."""
    candidates = (Need.objects.filter(group=group, category=category, status__in=Need.CLAIMABLE + (Need.Status.MATCHED,))
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


def coordinator_group_ids(user: User) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.active().filter(user=user, role=Membership.Role.COORDINATOR)
               .values_list("group_id", flat=True))


def overdue_needs(now=None) -> QuerySet[Need]:
    now = now or timezone.now()
    return Need.objects.filter(status=Need.Status.OPEN, needed_by__lt=now, quantity_claimed=0)


def urgency_rank(urgency: str) -> int:
    return URGENCY_RANK[urgency]


# --- Reads for the web pages ------------------------------------------------------------------------


def visible_needs(user: User, *, status: str = "", category: str = "", urgency: str = "") -> QuerySet[Need]:
    """Needs of every group the user belongs to, most urgent first; open to claims unless a status is asked."""
    qs = need_list(filters=NeedFilters(status=status, category=category, urgency=urgency),
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
    """The user's active offers in the need's group and category: what a claim may draw on."""
    return offer_list(group=need.group, helper=user, status=Offer.Status.ACTIVE, category=need.category.slug)


def duplicate_candidates(need: Need, *, limit: int = 100) -> QuerySet[Need]:
    """Needs of the same group that this one may be marked a duplicate of (newest first)."""
    return (Need.objects.filter(group_id=need.group_id).exclude(pk=need.pk).exclude(status=Need.Status.DUPLICATE)
            .order_by("-created_at")[:limit])


def referral_targets(need: Need) -> QuerySet[Group]:
    """Every other group of the network, for an out-of-area need."""
    return Group.objects.filter(network_id=need.group.network_id).exclude(pk=need.group_id).order_by("name")
