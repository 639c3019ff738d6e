"""`mutualaid check --deploy` is clean for a production configuration: HTTPS site, DEBUG off, a long random secret,
explicit hosts. The security settings (secure cookies, HSTS, redirect to https) follow from SITE_URL."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys

def deploy_check(tmp_path, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "DEBUG": "", "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "aid.example.org",
                "SITE_URL": "https://aid.example.org", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                "MUTUALAID_VAR_DIR": str(tmp_path), **env}
    # Nothing of the test run's own environment (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE).
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE", "MUTUALAID_TESTING", "SECURE_COOKIES",
                 "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER"):
        if name not in env:
            full_env.pop(name, None)
    command = [sys.executable, "-m", "mutualaid.cli", "check", "--deploy", "--fail-level", "WARNING"]
    return subprocess.run(command, env=full_env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_for_production_settings(tmp_path):
    result = deploy_check(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert output.strip() == "System check identified no issues (0 silenced).", output


def test_check_deploy_fails_when_a_protection_is_turned_off(tmp_path):
    result = deploy_check(tmp_path, SECURE_HSTS_SECONDS="0", SECURE_COOKIES="0")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "security.W004" in output and "security.W012" in output  # HSTS, session cookie
