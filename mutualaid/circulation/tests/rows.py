"""Rows straight into the tables, for tests about how pages scale: fast, and a page must not care how they got
there. They bypass the services, so they stamp no group: clear the cache before reading a cached page after them."""
from __future__ import annotations

from mutualaid.circulation.models import URGENCY_RANK, Category, Need, Offer, Urgency

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


def add_offers(group, helpers, count: int) -> None:
    categories = list(Category.objects.all())
    Offer.objects.bulk_create([
        Offer(group=group, helper=helpers[i % len(helpers)], title=f"Offer {i}",
              category=categories[i % len(categories)], quantity=3)
        for i in range(count)
    ])
