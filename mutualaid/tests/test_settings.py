"""Configuration from the environment, as an operator sets it."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.db import connection


def settings_in_subprocess(expr: str, **env: str) -> str:
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mutualaid.settings", **env}
    full_env.pop("PYTEST_CURRENT_TEST", None)
    code = f"import django; from django.conf import settings; django.setup(); print({expr})"
    result = subprocess.run([sys.executable, "-c", code], env=full_env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("reason: this checks the SQLite connection options; the suite is running on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_debug_is_off_unless_asked(tmp_path):
    assert settings_in_subprocess("settings.DEBUG", MUTUALAID_VAR_DIR=str(tmp_path), DEBUG="") == "False"
    assert settings_in_subprocess("settings.DEBUG", MUTUALAID_VAR_DIR=str(tmp_path), DEBUG="1") == "True"


def test_secret_key_is_generated_once_into_var(tmp_path):
    env = {"MUTUALAID_VAR_DIR": str(tmp_path), "SECRET_KEY": ""}
    first = settings_in_subprocess("settings.SECRET_KEY", **env)
    second = settings_in_subprocess("settings.SECRET_KEY", **env)
    assert first == second and len(first) >= 50
    assert (tmp_path / "secret_key").read_text().strip() == first
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_database_url_selects_postgresql(tmp_path):
    engine = settings_in_subprocess("settings.DATABASES['default']['ENGINE']", MUTUALAID_VAR_DIR=str(tmp_path),
                                    DATABASE_URL="postgres://aid:secret@db.example:5432/aid")
    assert engine == "django.db.backends.postgresql"


def test_smtp_email_url(tmp_path):
    out = settings_in_subprocess(
        "settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS, "
        "settings.EMAIL_HOST_USER",
        MUTUALAID_VAR_DIR=str(tmp_path), EMAIL_URL="smtp+tls://aid%40example.org:pw@mail.example:587")
    assert out == "django.core.mail.backends.smtp.EmailBackend mail.example 587 True aid@example.org"
