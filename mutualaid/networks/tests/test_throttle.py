"""Guessing limits on the web log-in, the API token and sign-up (django-axes, counted in the database).

After LOGIN_FAILURE_LIMIT failures for one user name from one address within LOGIN_LOCKOUT_MINUTES, that pair is
refused with 429 and a translated message saying when to try again, even with the right password, until the window
has passed. Time passing is simulated by moving the recorded attempts back in time.
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"
LIMIT = settings.MUTUALAID_LOGIN_FAILURE_LIMIT
WINDOW = settings.MUTUALAID_LOGIN_LOCKOUT_MINUTES


def time_passes(minutes: int) -> None:
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def web_login(client: Client, username: str, password: str, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def api_post(client: Client, path: str, body: dict, **extra):
    return client.post(f"/api/v1{path}", json.dumps(body), content_type="application/json", **extra)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def assert_refused_on_the_web(response, minutes: int) -> None:
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many attempts" in page
    assert f"please wait {minutes} minutes and try again" in page
    assert abs(int(response["Retry-After"]) - minutes * 60) <= 60


def assert_refused_by_the_api(response, minutes: int) -> None:
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert f"please wait {minutes} minutes and try again" in response.json()["detail"]
    assert abs(int(response["Retry-After"]) - minutes * 60) <= 60


def test_the_limit_is_ten_failures_in_fifteen_minutes_by_default():
    assert (LIMIT, WINDOW) == (10, 15)


def test_web_login_is_refused_after_the_limit_even_with_the_right_password(client, member):
    for _ in range(LIMIT - 1):
        response = web_login(client, "mateo", "wrong-guess")
        assert response.status_code == 200
        assert "do not match" in response.content.decode()
    assert_refused_on_the_web(web_login(client, "mateo", "wrong-guess"), WINDOW)

    response = web_login(client, "mateo", PASSWORD)
    assert_refused_on_the_web(response, WINDOW)
    assert not signed_in(client)
    # Not a matter of cookies: a fresh browser from the same address is refused too.
    fresh = Client()
    assert web_login(fresh, "mateo", PASSWORD).status_code == 429
    assert not signed_in(fresh)


def test_the_lock_is_for_one_name_from_one_address(client, member, owner):
    for _ in range(LIMIT):
        web_login(client, "mateo", "wrong-guess")
    assert web_login(client, "mateo", PASSWORD).status_code == 429
    # The member, from home, is not locked out by someone guessing elsewhere ...
    at_home = Client(REMOTE_ADDR="198.51.100.7")
    assert web_login(at_home, "mateo", PASSWORD).status_code == 302 and signed_in(at_home)
    # ... and others at the guesser's address still log in.
    assert web_login(Client(), "olga", PASSWORD).status_code == 302


def test_changing_the_case_of_the_name_does_not_escape_the_count(client, member):
    for i in range(LIMIT):
        web_login(client, "mateo".upper() if i % 2 else "Mateo", "wrong-guess")
    assert web_login(client, "mateo", PASSWORD).status_code == 429


def test_the_lock_lifts_when_the_window_has_passed(client, member):
    for _ in range(LIMIT):
        web_login(client, "mateo", "wrong-guess")
    time_passes(5)
    # Refused attempts during the lock do not extend it: the page counts down.
    assert_refused_on_the_web(web_login(client, "mateo", PASSWORD), WINDOW - 5)
    assert_refused_on_the_web(web_login(client, "mateo", PASSWORD), WINDOW - 5)
    time_passes(WINDOW - 5 + 1)
    response = web_login(client, "mateo", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_api_token_is_refused_after_the_limit_with_json_and_lifts_after_the_window(client, member):
    for _ in range(LIMIT - 1):
        response = api_post(client, "/auth/token", {"username": "mateo", "password": "wrong-guess"})
        assert response.status_code == 401
    assert_refused_by_the_api(api_post(client, "/auth/token", {"username": "mateo", "password": "wrong-guess"}),
                              WINDOW)

    response = api_post(client, "/auth/token", {"username": "mateo", "password": PASSWORD})
    assert_refused_by_the_api(response, WINDOW)
    assert "token" not in response.json()

    time_passes(WINDOW + 1)
    response = api_post(client, "/auth/token", {"username": "mateo", "password": PASSWORD})
    assert response.status_code == 200 and response.json()["token"]


def test_web_and_api_failures_add_up(client, member):
    for i in range(LIMIT):
        if i % 2:
            web_login(client, "mateo", "wrong-guess")
        else:
            api_post(client, "/auth/token", {"username": "mateo", "password": "wrong-guess"})
    assert web_login(client, "mateo", PASSWORD).status_code == 429
    assert api_post(client, "/auth/token", {"username": "mateo", "password": PASSWORD}).status_code == 429


def test_the_refusal_speaks_the_persons_language(client, member):
    for _ in range(LIMIT):
        api_post(client, "/auth/token", {"username": "mateo", "password": "wrong-guess"})
    response = api_post(client, "/auth/token", {"username": "mateo", "password": PASSWORD},
                        HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 429
    assert f"espera {WINDOW} minutos" in response.json()["detail"]
    page = web_login(client, "mateo", PASSWORD, HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 429 and f"espera {WINDOW} minutos" in page.content.decode()


def test_failed_web_sign_ups_are_limited_per_address(client, member):
    form = {"username": "mateo", "email": "", "password": PASSWORD, "password_again": PASSWORD}
    for _ in range(LIMIT - 1):
        response = client.post(reverse("signup"), form)
        assert response.status_code == 200 and "taken" in response.content.decode()
    assert_refused_on_the_web(client.post(reverse("signup"), form), WINDOW)
    # Even a sign-up that would succeed waits for the window.
    fresh_name = {**form, "username": "newcomer"}
    assert_refused_on_the_web(client.post(reverse("signup"), fresh_name), WINDOW)
    assert not signed_in(client)
    # Another address signs up freely.
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert elsewhere.post(reverse("signup"), fresh_name).status_code == 302
    time_passes(WINDOW + 1)
    assert client.post(reverse("signup"), {**form, "username": "second"}).status_code == 302


def test_failed_api_registrations_are_limited_per_address(client, member):
    for _ in range(LIMIT - 1):
        response = api_post(client, "/auth/register", {"username": "MATEO", "password": PASSWORD})
        assert response.status_code == 409
    assert_refused_by_the_api(api_post(client, "/auth/register", {"username": "mateo", "password": PASSWORD}),
                              WINDOW)
    response = api_post(client, "/auth/register", {"username": "newcomer", "password": PASSWORD})
    assert_refused_by_the_api(response, WINDOW)
    # Failed sign-ups do not lock anyone's log-in.
    assert api_post(client, "/auth/token", {"username": "mateo", "password": PASSWORD}).status_code == 200


def test_successful_sign_ups_do_not_count(client):
    for i in range(LIMIT + 1):
        response = api_post(client, "/auth/register", {"username": f"neighbour{i}", "password": PASSWORD})
        assert response.status_code == 201


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, member, settings):
    settings.MUTUALAID_TRUSTED_PROXY_COUNT = 1
    for _ in range(LIMIT):
        web_login(client, "mateo", "wrong-guess", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert web_login(client, "mateo", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    # A client cannot pick its own address: the proxy appends the one it saw, and that one counts.
    assert web_login(client, "mateo", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5").status_code == 429
    # The same proxy forwarding someone else.
    assert web_login(client, "mateo", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302


# --- Sign-ups per address (settings.SIGNUPS_PER_ADDRESS_PER_HOUR), successful ones too -----------------------


def web_signup(client: Client, name: str, **extra):
    return client.post(reverse("signup"), {"username": name, "password": PASSWORD, "password_again": PASSWORD},
                       **extra)


def api_signup(client: Client, name: str, **extra):
    return api_post(client, "/auth/register", {"username": name, "password": PASSWORD}, **extra)


def signups_pass(minutes: int) -> None:
    from mutualaid.networks.models import SignupAttempt

    SignupAttempt.objects.update(created_at=F("created_at") - timedelta(minutes=minutes))


def test_the_21st_web_sign_up_from_one_address_within_an_hour_is_refused(settings):
    settings.SIGNUPS_PER_ADDRESS_PER_HOUR = 20
    for i in range(20):
        assert web_signup(Client(), f"web{i}").status_code == 302
    response = web_signup(Client(), "web20")
    assert response.status_code == 429
    assert "Too many accounts were made from your address" in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 3600
    assert web_signup(Client(), "web20", REMOTE_ADDR="192.0.2.7").status_code == 302  # another address
    signups_pass(61)
    assert web_signup(Client(), "web21").status_code == 302


def test_the_21st_api_sign_up_from_one_address_within_an_hour_is_refused(settings):
    settings.SIGNUPS_PER_ADDRESS_PER_HOUR = 20
    for i in range(20):
        assert api_signup(Client(), f"api{i}").status_code == 201
    response = api_signup(Client(), "api20")
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Too many accounts were made from your address.")
    spanish = api_signup(Client(), "api20", HTTP_ACCEPT_LANGUAGE="es")
    assert spanish.status_code == 429 and "Too many" not in spanish.json()["detail"]
    assert api_signup(Client(), "api20", REMOTE_ADDR="192.0.2.7").status_code == 201


def test_web_and_api_sign_ups_share_one_count(settings):
    settings.SIGNUPS_PER_ADDRESS_PER_HOUR = 2
    assert web_signup(Client(), "mixed0").status_code == 302
    assert api_signup(Client(), "mixed1").status_code == 201
    assert web_signup(Client(), "mixed2").status_code == 429
    assert api_signup(Client(), "mixed2").status_code == 429


def test_sign_up_limit_uses_the_address_behind_trusted_proxies(settings):
    settings.SIGNUPS_PER_ADDRESS_PER_HOUR = 1
    settings.MUTUALAID_TRUSTED_PROXY_COUNT = 1
    assert api_signup(Client(), "proxied0", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 201
    assert api_signup(Client(), "proxied1", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    # Same proxy (REMOTE_ADDR), another client: still allowed.
    assert api_signup(Client(), "proxied1", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 201


def test_zero_turns_the_sign_up_limit_off(settings):
    from mutualaid.networks.models import SignupAttempt

    settings.SIGNUPS_PER_ADDRESS_PER_HOUR = 0
    for i in range(22):
        assert api_signup(Client(), f"free{i}").status_code == 201
    assert web_signup(Client(), "free22").status_code == 302
    assert not SignupAttempt.objects.exists()


def test_sign_up_count_keeps_no_address():
    from mutualaid.networks.models import SignupAttempt

    assert api_signup(Client(), "private0", REMOTE_ADDR="203.0.113.9").status_code == 201
    stored = SignupAttempt.objects.get()
    assert "203.0.113.9" not in stored.address_hash
