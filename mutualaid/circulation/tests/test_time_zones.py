"""Times on the web are the group's local times, as in the API: what a member types in a form is read in the group's
time zone, and every card and page shows a time in the zone of the group it belongs to."""
from __future__ import annotations

from datetime import datetime
from datetime import timezone as dt_timezone

import pytest
from django.urls import reverse

from mutualaid.circulation import services
from mutualaid.circulation.models import Need, Offer
from mutualaid.networks import services as networks

pytestmark = pytest.mark.django_db

UTC = dt_timezone.utc


@pytest.fixture
def madrid(owner, member):
    group = networks.group_create(actor=owner, name="Lavapiés", location_name="Madrid",
                                  timezone_name="Europe/Madrid")
    networks.group_join(actor=member, group=group)
    return group


def test_a_time_typed_in_the_need_form_is_the_groups_local_time(client, madrid, member):
    client.force_login(member)
    response = client.post(reverse("need_create", args=[madrid.public_id]), {
        "title": "Soup for Saturday", "category": "food", "quantity": "2", "urgency": "normal",
        "location_name": "Madrid", "contact_phone": "+34 600 000 000", "needed_by": "2099-06-01T18:00"})
    assert response.status_code == 302
    need = Need.objects.get(title="Soup for Saturday")
    assert need.needed_by == datetime(2099, 6, 1, 16, 0, tzinfo=UTC)  # 18:00 in Madrid in summer
    page = client.get(reverse("need_detail", args=[need.public_id])).content.decode()
    assert "18:00" in page and "16:00" not in page
    board = client.get(reverse("group_detail", args=[madrid.public_id])).content.decode()
    assert "18:00" in board and "16:00" not in board


def test_an_offer_window_typed_in_the_form_is_the_groups_local_time(client, madrid, member):
    client.force_login(member)
    response = client.post(reverse("offer_create", args=[madrid.public_id]), {
        "title": "Van on Sundays", "category": "transport", "quantity": "3", "location_name": "Madrid",
        "available_from": "2099-01-10T08:00", "available_until": "2099-01-31T20:00"})
    assert response.status_code == 302
    offer = Offer.objects.get(title="Van on Sundays")
    assert offer.available_from == datetime(2099, 1, 10, 7, 0, tzinfo=UTC)  # winter: UTC+1
    assert offer.available_until == datetime(2099, 1, 31, 19, 0, tzinfo=UTC)
    board = client.get(reverse("group_detail", args=[madrid.public_id])).content.decode()
    assert "20:00" in board and "19:00" not in board


def test_the_web_and_the_api_agree_on_the_same_typed_time(client, madrid, member):
    client.force_login(member)
    client.post(reverse("need_create", args=[madrid.public_id]), {
        "title": "Web need", "category": "food", "quantity": "1", "urgency": "normal", "location_name": "Madrid",
        "contact_phone": "1", "needed_by": "2099-03-01T09:30"})
    token = networks.token_create(actor=member)
    created = client.post("/api/v1/needs", {
        "group": str(madrid.public_id), "title": "API need", "category": "food", "quantity": 1,
        "needed_by": "2099-03-01T09:30:00"}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert created.status_code == 201, created.content
    assert Need.objects.get(title="Web need").needed_by == Need.objects.get(title="API need").needed_by


def test_a_page_across_groups_shows_each_time_in_its_own_groups_zone(client, group, madrid, member):
    services.need_create(actor=member, group=madrid, title="In Madrid", category="food", quantity=1,
                         needed_by=datetime(2099, 6, 1, 16, 0, tzinfo=UTC))
    services.need_create(actor=member, group=group, title="In London (UTC)", category="food", quantity=1,
                         needed_by=datetime(2099, 6, 2, 16, 0, tzinfo=UTC))
    client.force_login(member)
    home = client.get(reverse("home")).content.decode()
    madrid_card = home[home.index("In Madrid"):][:1200]
    utc_card = home[home.index("In London (UTC)"):][:1200]
    assert "18:00" in madrid_card.split("</li>")[0]
    assert "16:00" in utc_card.split("</li>")[0]
