"""Quantities read as people say them: "1 ride", "2 rides"; "1 trayecto", "2 trayectos"."""
from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from mutualaid.circulation import services
from mutualaid.circulation.models import Category
from mutualaid.networks import services as networks

pytestmark = pytest.mark.django_db


def test_a_default_unit_has_a_form_for_one_and_for_many_in_each_language():
    transport = Category.objects.get(slug="transport")
    with translation.override("en"):
        assert [transport.unit_for(n) for n in (0, 1, 2)] == ["rides", "ride", "rides"]
        assert transport.unit_label == "rides"
    with translation.override("es"):
        assert [transport.unit_for(n) for n in (1, 3)] == ["trayecto", "trayectos"]


def test_a_custom_unit_is_shown_as_written_whatever_the_number():
    crates = Category.objects.create(slug="crates", name="Crates", unit="crates")
    with translation.override("es"):
        assert crates.unit_for(1) == crates.unit_for(5) == "crates"


def test_cards_and_pages_say_one_ride_not_one_rides(client, group, member, helper):
    need = services.need_create(actor=member, group=group, title="A lift to the clinic", category="transport",
                                quantity=1)
    services.offer_create(actor=helper, group=group, title="My van", category="transport", quantity=1)
    client.force_login(member)
    board = client.get(reverse("group_detail", args=[group.public_id])).content.decode()
    assert "1 of 1 ride still needed" in board and "1 ride available" in board
    assert "rides" not in board
    spanish = client.get(reverse("group_detail", args=[group.public_id]), HTTP_ACCEPT_LANGUAGE="es")
    assert "1 trayecto" in spanish.content.decode() and "trayectos" not in spanish.content.decode()
    services.match_claim(actor=helper, need=need, quantity=1)
    client.force_login(helper)
    page = client.get(reverse("need_detail", args=[need.public_id])).content.decode()
    assert "You bring 1 ride" in page and "1 rides" not in page
    home = client.get(reverse("home")).content.decode()
    assert "You bring 1 ride" in home


def test_the_api_keeps_naming_the_unit_for_many(client, member):
    token = networks.token_create(actor=member)
    categories = client.get("/api/v1/categories", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert {"slug": "transport", "name": "Transport", "unit": "rides"} in categories
