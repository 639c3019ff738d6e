"""Passwords are stored with Argon2 in production (tests use MD5 only for speed), and web POSTs need a CSRF token."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client, override_settings
from django.urls import reverse

from mutualaid.networks import services
from mutualaid.networks.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"


def production_password_hashers(tmp_path) -> list[str]:
    """PASSWORD_HASHERS as a server (not the test run) loads them."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mutualaid.settings", "MUTUALAID_VAR_DIR": str(tmp_path)}
    env.pop("MUTUALAID_TESTING", None)
    code = ("import json, django; from django.conf import settings; django.setup(); "
            "print(json.dumps(settings.PASSWORD_HASHERS))")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_new_account_gets_an_argon2_hash_in_production(tmp_path):
    hashers = production_password_hashers(tmp_path)
    assert not any("MD5" in h for h in hashers)
    with override_settings(PASSWORD_HASHERS=hashers):
        user = services.user_register(username="ana", password=PASSWORD)
        stored = User.objects.get(pk=user.pk).password
        assert stored.startswith("argon2$argon2id$")
        assert PASSWORD not in stored
        assert check_password(PASSWORD, stored) and not check_password("wrong", stored)


def test_web_login_without_a_csrf_token_is_refused(member):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("login"), {"username": "mateo", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in browser.session

    browser.get(reverse("login"))  # the form sets the CSRF cookie; a real form sends its token back
    token = browser.cookies["csrftoken"].value
    response = browser.post(reverse("login"), {"username": "mateo", "password": PASSWORD,
                                               "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and "_auth_user_id" in browser.session


def test_a_signed_in_members_post_without_a_csrf_token_is_refused(member):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    response = browser.post(reverse("settings"), {"language": "es"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.language != "es"
    response = browser.post(reverse("logout"))
    assert response.status_code == 403 and "_auth_user_id" in browser.session


def test_the_api_uses_bearer_tokens_not_cookies_so_it_needs_no_csrf_token(member):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/api/v1/auth/token", json.dumps({"username": "mateo", "password": PASSWORD}),
                            content_type="application/json")
    assert response.status_code == 200
    # ... and a session cookie alone does not authenticate an API write.
    browser.force_login(member)
    response = browser.post("/api/v1/groups", json.dumps({"name": "Cookie Pod", "lat": 51.5, "lon": -0.1}),
                            content_type="application/json")
    assert response.status_code == 401
