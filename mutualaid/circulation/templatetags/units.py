"""`{{ category|unit_for:count }}`: a category's unit in the number that goes with count ("1 ride", "2 rides")."""
from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def unit_for(category, count) -> str:
    try:
        count = int(count)
    except (TypeError, ValueError):
        count = 2
    return category.unit_for(count)
