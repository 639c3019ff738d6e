"""`{{ moment|when }}` and `{{ moment|when:"day" }}`: a date as neighbours read it, in one format per language
(mutualaid/formats): "5 Dec, 16:57" within this year, "5 Dec 2027, 16:57" in another, so that a date months away
never reads as if it were this week. Shown in the current time zone (the one a `{% timezone %}` block or a
`|timezone:` filter before it chose, or the site's). Loaded as the template library `dates` (settings.TEMPLATES)."""
from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format

register = template.Library()


@register.filter(expects_localtime=True)
def when(value, part: str = "") -> str:
    if not isinstance(value, (date, datetime)):
        return ""
    today = timezone.localdate()
    with_time = isinstance(value, datetime) and part != "day"
    if value.year == today.year:
        return date_format(value, "SHORT_DATETIME_FORMAT" if with_time else "SHORT_DATE_FORMAT")
    return date_format(value, "DATETIME_FORMAT" if with_time else "DATE_FORMAT")
