"""Rows straight into the tables, for tests about how pages scale: fast, and a page must not care how they got
there. They bypass the services and their audit entries, but stamp the scopes those would (the group's, and the
people's own), so that cached pages see them as they would see a service's change."""
from __future__ import annotations

from django.db import transaction

from mutualaid.audit.services import stamp_scopes
from mutualaid.circulation.models import URGENCY_RANK, Category, Need, Offer, Urgency
from mutualaid.networks.models import group_scope, user_scope

URGENCIES = list(Urgency.values)


def add_needs(group, requesters, count: int) -> None:
    """Rows straight into the tables: fast, and the page must not care how they got there."""
    categories = list(Category.objects.all())
    existing = Need.objects.count()
    Need.objects.bulk_create([
        Need(group=group, requester=requesters[i % len(requesters)], created_by=requesters[i % len(requesters)],
             title=f"Need {existing + i}", category=categories[i % len(categories)], quantity=1 + i % 4,
             urgency=URGENCIES[i % 4], urgency_rank=URGENCY_RANK[URGENCIES[i % 4]], location_name="Northside")
        for i in range(count)
    ])
    _stamp(group, requesters)


def _stamp(group, people) -> None:
    with transaction.atomic():
        stamp_scopes([group_scope(group.pk), *(user_scope(p.pk) for p in people)])


def add_offers(group, helpers, count: int) -> None:
    categories = list(Category.objects.all())
    Offer.objects.bulk_create([
        Offer(group=group, helper=helpers[i % len(helpers)], title=f"Offer {i}",
              category=categories[i % len(categories)], quantity=3)
        for i in range(count)
    ])
    _stamp(group, helpers)
