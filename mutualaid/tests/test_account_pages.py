"""The "Your data" pages and API routes: download everything held about me, delete my account."""
from __future__ import annotations

import pytest
from django.urls import reverse

from mutualaid.circulation import services as circulation
from mutualaid.networks import services as networks
from mutualaid.networks.models import User
from mutualaid.tests.api_helpers import Api, assert_error, ok, register

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-passphrase-42"


# --- Web ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["account_export", "account_delete"])
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_settings_page_offers_the_download_and_the_deletion(client, member):
    client.force_login(member)
    page = client.get(reverse("settings")).content.decode()
    assert "Your data" in page
    assert f'href="{reverse("account_export")}"' in page and f'href="{reverse("account_delete")}"' in page


def test_the_download_is_a_json_file_of_my_data(client, need, owner):
    client.force_login(owner)
    response = client.get(reverse("account_export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="mutualaid-data-olga-')
    data = response.json()
    assert data["profile"]["username"] == "olga"
    assert data["needs"][0]["contact"]["address"] == "12 Example Street"


def test_deleting_asks_for_the_password_and_keeps_the_account_when_it_is_wrong(client, member):
    client.force_login(member)
    assert "Delete my account for good" in client.get(reverse("account_delete")).content.decode()
    response = client.post(reverse("account_delete"), {"password": "not-it"})
    assert response.status_code == 200
    assert "That is not your password" in response.content.decode()
    member.refresh_from_db()
    assert member.username == "mateo" and member.is_active
    assert client.get(reverse("settings")).status_code == 200  # still signed in


def test_deleting_signs_out_and_the_old_log_in_no_longer_works(client, member, group):
    client.force_login(member)
    response = client.post(reverse("account_delete"), {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Your account is deleted" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("settings")).status_code == 302
    member.refresh_from_db()
    assert member.username.startswith("former-member-") and not member.is_active
    login = client.post(reverse("login"), {"username": "mateo", "password": PASSWORD})
    assert login.status_code == 200 and "_auth_user_id" not in client.session


# --- API ------------------------------------------------------------------------------------------


def test_api_routes_need_a_token():
    assert_error(Api().get("/me/export"), 401)
    response = Api().client.delete("/api/v1/me", '{"password": "x"}', content_type="application/json")
    assert_error(response, 401)


def _delete_me(api: Api, body):
    return api.client.delete("/api/v1/me", body, content_type="application/json", **api._headers())


def test_api_export_returns_my_data_and_not_others_contacts(need, group):
    ann = register("ann", email="ann@example.org")
    ann_user = User.objects.get(username="ann")
    networks.group_join(actor=ann_user, group=group)
    circulation.match_claim(actor=ann_user, need=need, quantity=1)
    data = ok(ann.get("/me/export"))
    assert (data["profile"]["username"], data["profile"]["email"]) == ("ann", "ann@example.org")
    assert [m["need"]["title"] for m in data["matches_as_helper"]] == [need.title]
    assert "+44 7700 900123" not in str(data)  # the requester's phone, which ann may see on the need page


def test_api_delete_refuses_a_wrong_password_then_deletes_and_the_token_stops_working():
    ann = register("ann", email="ann@example.org")
    assert_error(_delete_me(ann, '{"password": "wrong"}'), 403, "password")
    assert_error(_delete_me(ann, "{}"), 422)
    assert ok(ann.get("/me/export"))["profile"]["username"] == "ann"

    assert "deleted" in ok(_delete_me(ann, '{"password": "%s"}' % PASSWORD))["detail"]

    assert_error(ann.get("/me/export"), 401)
    assert_error(Api().post("/auth/token", {"username": "ann", "password": PASSWORD}), 401)
    assert not User.objects.filter(username="ann").exists()
