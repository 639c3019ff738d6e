"""The SQLite backend keeps its connection across requests, and lets go of it when the file is moved or replaced."""
from __future__ import annotations

import pytest
from django.db import connections

from mutualaid.sqlite_backend.base import DatabaseWrapper


def wrapper_for(path) -> DatabaseWrapper:
    settings_dict = {**connections["default"].settings_dict, "ENGINE": "mutualaid.sqlite_backend",
                     "NAME": str(path), "OPTIONS": {}, "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}
    return DatabaseWrapper(settings_dict, alias="scratch")


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    """These tests open their own scratch files, not the test database."""
    with django_db_blocker.unblock():
        yield


def test_a_kept_connection_stays_usable_while_its_file_is_there(tmp_path):
    db = wrapper_for(tmp_path / "a.sqlite3")
    try:
        with db.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x INTEGER)")
        assert db.is_usable()
    finally:
        db.close()


def test_a_moved_or_replaced_file_makes_the_connection_unusable_and_the_next_one_opens_the_new_file(tmp_path):
    path = tmp_path / "a.sqlite3"
    db = wrapper_for(path)
    try:
        with db.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x INTEGER)")
            cursor.execute("INSERT INTO t VALUES (1)")
        path.rename(tmp_path / "moved.sqlite3")
        assert not db.is_usable()
        replacement = wrapper_for(path)
        with replacement.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x INTEGER)")
            cursor.execute("INSERT INTO t VALUES (2)")
        replacement.close()
        assert not db.is_usable()
        # What Django does before a request's first query when the check fails: close, then connect again.
        db.health_check_done = False
        db.close_if_health_check_failed()
        with db.cursor() as cursor:
            cursor.execute("SELECT x FROM t")
            assert cursor.fetchall() == [(2,)]
        assert db.is_usable()
    finally:
        db.close()
