"""Dates read right (issue 11): one format per language, the same on every page, and the year whenever it is not
this year ("until 5 Dec" must not be a date a year away)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import timezone, translation

from mutualaid.circulation import services as circulation

pytestmark = pytest.mark.django_db


def render(value, language: str, part: str = "") -> str:
    template = Template('{% load dates %}{{ value|when' + (f':"{part}"' if part else "") + " }}")
    with translation.override(language), timezone.override("Europe/London"):
        return template.render(Context({"value": value}))


def test_this_year_without_the_year_another_year_with_it_in_both_languages():
    now = timezone.localtime(timezone=timezone.get_fixed_timezone(0))
    this_year = timezone.make_aware(datetime(now.year, 12, 5, 16, 57), timezone.get_fixed_timezone(0))
    next_year = this_year.replace(year=now.year + 1)
    assert render(this_year, "en") == "5 Dec, 16:57"
    assert render(next_year, "en") == f"5 Dec {now.year + 1}, 16:57"
    assert render(this_year, "es") == "5 Dic, 16:57"
    assert render(next_year, "es") == f"5 Dic {now.year + 1}, 16:57"
    assert render(next_year, "es", "day") == f"5 Dic {now.year + 1}"
    assert "/" not in render(next_year, "es")  # not Django's 05/12/2027 16:57
    assert render(None, "en") == ""


def test_an_offer_available_until_next_year_says_the_year_on_the_board(client: Client, group, member, helper):
    until = timezone.now() + timedelta(days=400)
    circulation.offer_create(actor=helper, group=group, title="Allotment veg", category="groceries", quantity=2,
                             available_until=until)
    client.force_login(member)
    page = client.get(f"/groups/{group.public_id}/").content.decode()
    shown = timezone.localtime(until, timezone.get_fixed_timezone(0))
    assert f"until {shown.day} {shown:%b} {shown.year}," in page


def test_the_quantity_names_its_unit_once_the_category_is_known(client: Client, group, member):
    client.force_login(member)
    url = f"/groups/{group.public_id}/needs/new/"
    page = client.get(url).content.decode()
    assert "How many? (counted in the category&#x27;s unit: meals, bags, rides…)" in page
    assert 'data-unit="meals"' in page and 'data-unit="rides"' in page  # for the unit beside the field
    page = client.post(url, {"title": "Soup", "category": "food", "quantity": "0", "urgency": "normal"}).content
    assert "How many meals?" in page.decode()  # shown again with its error: the unit of the category chosen
    need = circulation.need_create(actor=member, group=group, title="Bread", category="groceries", quantity=2)
    page = client.get(f"/needs/{need.public_id}/edit/").content.decode()
    assert "How many bags?" in page
