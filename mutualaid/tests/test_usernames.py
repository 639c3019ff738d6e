"""User names are compared after NFKC and case folding, and a name that looks like an existing one (the same
Unicode TR39 skeleton) is refused: the same rule on the web sign-up and log-in forms and the API register and token
endpoints (mutualaid.networks.usernames)."""
from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from mutualaid.networks import usernames
from mutualaid.networks.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"
CYRILLIC_AMARA = "\u0430mara"  # Cyrillic а, then Latin "mara"
FULL_WIDTH_AMARA = "ａｍａｒａ"


@pytest.fixture
def amara(make_user):
    return make_user("amara")


def web_signup(client: Client, name: str):
    return client.post(reverse("signup"), {"username": name, "password": PASSWORD, "password_again": PASSWORD})


def api_register(client: Client, name: str):
    return client.post("/api/v1/auth/register", json.dumps({"username": name, "password": PASSWORD}),
                       content_type="application/json")


def api_token(client: Client, name: str):
    return client.post("/api/v1/auth/token", json.dumps({"username": name, "password": PASSWORD}),
                       content_type="application/json")


def test_one_rule_for_comparing_names():
    assert usernames.fold(FULL_WIDTH_AMARA) == usernames.fold("AMARA") == usernames.fold("amara") == "amara"
    assert usernames.fold(CYRILLIC_AMARA) != "amara"
    assert usernames.skeleton(CYRILLIC_AMARA) == usernames.skeleton("amara")
    assert usernames.skeleton("o1ga") == usernames.skeleton("olga")
    assert usernames.skeleton("José") != usernames.skeleton("Jose")  # an accent makes another name


def test_web_refuses_a_cyrillic_look_alike(client, amara):
    response = web_signup(client, CYRILLIC_AMARA)
    assert response.status_code == 200
    assert "looks too much like someone else" in response.content.decode()
    assert not User.objects.filter(username=CYRILLIC_AMARA).exists()


def test_api_refuses_a_cyrillic_look_alike(client, amara):
    response = api_register(client, CYRILLIC_AMARA)
    assert response.status_code == 409
    assert "looks too much like someone else" in response.json()["detail"]
    assert not User.objects.filter(username=CYRILLIC_AMARA).exists()


def test_look_alike_message_is_translated(client, amara):
    response = client.post("/api/v1/auth/register", json.dumps({"username": CYRILLIC_AMARA, "password": PASSWORD}),
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 409
    assert "looks too much" not in response.json()["detail"]


@pytest.mark.parametrize("name", [FULL_WIDTH_AMARA, "AMARA", "Amara"])
def test_web_refuses_full_width_and_other_case_as_taken(client, amara, name):
    response = web_signup(client, name)
    assert response.status_code == 200
    assert "That user name is taken" in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.parametrize("name", [FULL_WIDTH_AMARA, "AMARA", "Amara"])
def test_api_refuses_full_width_and_other_case_as_taken(client, amara, name):
    response = api_register(client, name)
    assert response.status_code == 409
    assert response.json()["detail"] == "That user name is taken. Choose another."
    assert User.objects.count() == 1


def test_full_width_sign_up_is_stored_folded_to_ascii(client):
    assert api_register(client, "ＭａｒｉａＪ").status_code == 201
    assert User.objects.get().username == "MariaJ"
    assert web_signup(Client(), "mariaj").status_code == 200  # taken


@pytest.mark.parametrize("name", ["ＡＭＡＲＡ", "AMARA", "aMaRa", FULL_WIDTH_AMARA])
def test_web_log_in_folds_like_sign_up(client, amara, name):
    response = client.post(reverse("login"), {"username": name, "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == amara.pk


@pytest.mark.parametrize("name", ["ＡＭＡＲＡ", "AMARA", "aMaRa", FULL_WIDTH_AMARA])
def test_api_token_folds_like_sign_up(client, amara, name):
    response = api_token(client, name)
    assert response.status_code == 200, response.content
    assert response.json()["token"]


def test_look_alike_cannot_log_in_as_the_real_one(client, amara):
    assert api_token(client, CYRILLIC_AMARA).status_code == 401


def test_mixed_case_name_keeps_its_case_and_logs_in_any_case(client):
    assert web_signup(client, "OlgaK").status_code == 302
    assert User.objects.get().username == "OlgaK"
    assert api_token(Client(), "olgak").status_code == 200
    assert api_register(Client(), "OLGAK").status_code == 409


def test_failed_log_ins_count_against_the_real_name_whatever_the_width(client, amara, settings):
    from axes.models import AccessAttempt

    client.post(reverse("login"), {"username": FULL_WIDTH_AMARA, "password": "wrong-password"})
    client.post("/api/v1/auth/token", json.dumps({"username": "ＡＭＡＲＡ", "password": "wrong"}),
                content_type="application/json")
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"amara"}
