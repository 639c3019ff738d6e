"""Django's SQLite backend, with a health check that notices the database file being moved or replaced.

Connections are kept across requests (CONN_MAX_AGE), as on PostgreSQL: opening one and running its PRAGMAs costs
1-3 ms a request. A kept connection holds the file it opened, though, so if the file is moved away or replaced (a
disk unmounted, a restore that swaps files) it would go on reading and writing the old one. Before each request's
first query, Django asks `is_usable()` (CONN_HEALTH_CHECKS); here that compares the file at the configured path with
the one the connection opened: any difference closes the connection, and the next one opens what is there now (or
fails, and the request is answered 503 by `mutualaid.core.middleware`).
"""
from __future__ import annotations

import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _opened_file: tuple[int, int] | None = None

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.settings_dict["NAME"])
        except (OSError, TypeError, ValueError):
            return None
        return (st.st_dev, st.st_ino)

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        self._opened_file = None if self.is_in_memory_db() else self._file_identity()
        return connection

    def is_usable(self) -> bool:
        if self.is_in_memory_db():
            return True
        return self._opened_file is not None and self._file_identity() == self._opened_file
