"""Security headers on pages and API answers: a Content-Security-Policy with no inline script or style and no eval,
frame denial, Referrer-Policy, nosniff; HSTS and the redirect to https when the site is served over HTTPS."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import mutualaid

pytestmark = pytest.mark.django_db

PACKAGE = Path(mutualaid.__file__).resolve().parent


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_hardened(response) -> None:
    policy = csp_directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header and "*" not in header
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_carry_the_security_headers(client, member, need):
    assert_hardened(client.get("/"))
    assert_hardened(client.get("/login/"))
    client.force_login(member)
    response = client.get(f"/needs/{need.public_id}/")
    assert response.status_code == 200
    assert_hardened(response)


def test_api_answers_carry_the_security_headers(client):
    response = client.get("/api/v1/groups")
    assert response.status_code == 200
    assert_hardened(response)
    assert_hardened(client.get("/api/v1/no-such-route"))


def test_no_hsts_on_a_site_not_served_over_https(client):
    # The test settings keep the default SITE_URL (http://127.0.0.1:8000).
    assert "Strict-Transport-Security" not in client.get("/", secure=True)


INLINE = [
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<style", re.I), "a <style> element"),
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an event-handler attribute"),
    (re.compile(r"\shx-on", re.I), "an hx-on attribute (needs eval)"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_no_template_has_inline_script_or_style():
    found = []
    for template in PACKAGE.rglob("templates/**/*.html"):
        # Template tags ({% include ... style="..." %}) are not HTML: blank them, keeping the line numbers.
        text = re.sub(r"\{%.*?%\}", lambda m: "\n" * m.group().count("\n"), template.read_text(), flags=re.S)
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(PACKAGE)}:{line}: {what}")
    assert not found, "\n".join(found)


def test_htmx_is_configured_not_to_inject_styles_or_eval(client):
    page = client.get("/login/").content.decode()
    config = json.loads(re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', page).group(1))
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False


# --- Over HTTPS: run the settings as a server would load them, in a subprocess ------------------------------------

PROBE = """
import json, django
django.setup()
from django.test import Client
c = Client()
secure = c.get("/api/v1/no-such-route", secure=True)
proxied = c.get("/api/v1/no-such-route", HTTP_X_FORWARDED_PROTO="https")
plain = c.get("/api/v1/no-such-route")
print(json.dumps({
    "secure": [secure.status_code, secure.get("Strict-Transport-Security")],
    "proxied": [proxied.status_code, proxied.get("Strict-Transport-Security")],
    "plain": [plain.status_code, plain.get("Location")],
}))
"""


def probe(tmp_path, **env: str) -> dict:
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mutualaid.settings", "MUTUALAID_VAR_DIR": str(tmp_path),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DEBUG": "",
                "ALLOWED_HOSTS": "testserver", **env}
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "MUTUALAID_TESTING", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
                 "SECURE_PROXY_SSL_HEADER", "SECURE_COOKIES"):
        if name not in env:
            full_env.pop(name, None)
    result = subprocess.run([sys.executable, "-c", PROBE], env=full_env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_over_https_hsts_is_sent_and_http_redirects(tmp_path):
    seen = probe(tmp_path, SITE_URL="https://aid.example.org")
    status, hsts = seen["secure"]
    assert status == 404 and hsts == "max-age=31536000; includeSubDomains; preload"
    assert seen["plain"] == [301, "https://testserver/api/v1/no-such-route"]
    # Without SECURE_PROXY_SSL_HEADER a forwarded header is not trusted: still redirected.
    assert seen["proxied"][0] == 301


def test_behind_a_tls_proxy_the_forwarded_scheme_is_trusted_when_configured(tmp_path):
    seen = probe(tmp_path, SITE_URL="https://aid.example.org", SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert seen["proxied"] == [404, "max-age=31536000; includeSubDomains; preload"]


def test_the_redirect_and_hsts_can_be_turned_off(tmp_path):
    seen = probe(tmp_path, SITE_URL="https://aid.example.org", SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0")
    assert seen["plain"] == [404, None]
    assert seen["secure"] == [404, None]
