"""The taxonomy of needs and offers: seeding the defaults, reading a category a person named."""
from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from mutualaid.audit.services import audit_record, audited_atomic
from mutualaid.core.errors import InvalidInput

from ..models import DEFAULT_CATEGORIES, Category


def categories_ensure_defaults() -> int:
    """Seed the default taxonomy where a category is missing. Returns how many were added."""
    existing = set(Category.objects.values_list("slug", flat=True))
    missing = [(i, row) for i, row in enumerate(DEFAULT_CATEGORIES) if row[0] not in existing]
    if not missing:
        return 0
    with audited_atomic(), translation.override("en"):
        for position, (slug, name, unit) in missing:
            Category.objects.get_or_create(slug=slug, defaults={
                "name": str(name), "unit": str(unit % {"count": 2}), "unit_singular": str(unit % {"count": 1}),
                "position": position})
            audit_record(actor=None, action="category.created", object_type="circulation.category", object_id=slug,
                         after={"slug": slug})
    return len(missing)


def _category(slug: str) -> Category:
    category = Category.objects.filter(slug=(slug or "").strip()).first()
    if category is None:
        raise InvalidInput(_("Unknown category “%(slug)s”.") % {"slug": slug}, field="category")
    return category
