"""When the database cannot be reached: answer 503 with a clear, translated page (JSON `{"detail": ...}` under
/api/), never a stack trace, and recover by itself once the database is back.

A lost connection can surface anywhere: in a view, or earlier, when a middleware first reads the session or the
signed-in user. `DatabaseUnavailableMiddleware.process_exception` answers for views; `server_error` (the project's
handler500, see urls.py) answers for everything else, because Django turns an exception raised in any middleware
into a call of handler500 inside the `except` block, where the exception is still at hand. The API answers through
its own exception handler (mutualaid.api), which calls `database_unavailable_response` too.
"""
from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger("mutualaid.database")

RETRY_AFTER_SECONDS = 30
# Connection refused or lost, server shutting down, "database is locked" past the timeout, a file that cannot be
# opened: the driver reports each as OperationalError or InterfaceError. Integrity and programming errors are bugs
# or conflicts, not unavailability, and stay what they are.
UNAVAILABLE = (OperationalError, InterfaceError)


def is_unavailable(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, UNAVAILABLE):
            # A deadlock or serialization failure (SQLSTATE class 40) is an OperationalError too, but the database
            # answered: that is a bug in lock ordering, to be seen as one (500), not an outage.
            sqlstate = getattr(exc.__cause__, "sqlstate", None) or ""
            return not sqlstate.startswith("40")
        exc = exc.__cause__ or exc.__context__
    return False


def close_broken_connections() -> None:
    """Drop every connection of this thread, so the next request opens a fresh one."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except Exception:  # noqa: BLE001 - it is broken: closing may fail too, and that is fine
            pass


def _stylesheet_url() -> str:
    try:
        from django.templatetags.static import static

        return static("css/app.css")
    except Exception:  # noqa: BLE001 - no manifest entry: the page stays plain
        return ""


def database_unavailable_response(request: HttpRequest, exc: BaseException | None = None) -> HttpResponse:
    # One line in the log, not a traceback per request while the database is away.
    logger.warning("Database unavailable, answered 503 to %s %s: %s", request.method, request.path,
                   str(exc).strip().splitlines()[0] if exc and str(exc).strip() else type(exc).__name__)
    close_broken_connections()
    # The member's own language setting is in the database: follow the browser's instead.
    language = translation.get_language_from_request(request)
    with translation.override(language):
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"detail": _("The service is briefly unavailable: its database cannot be reached. Please try "
                             "again in a minute.")}, status=503)
        else:
            # A plain Context: context processors (which read notifications from the database) must not run.
            html = loader.get_template("503.html").render({"stylesheet": _stylesheet_url(),
                                                           "LANGUAGE_CODE": language})
            response = HttpResponse(html, status=503)
        response.headers["Content-Language"] = language
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    response._has_been_logged = True  # Django's own "Service Unavailable" log line (with traceback) is not needed
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_unavailable(exception):
            return None
        return database_unavailable_response(request, exception)


def server_error(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """handler500: the 503 page when the failure was the database being unreachable, else the usual 500 page."""
    exc = sys.exc_info()[1]
    if is_unavailable(exc):
        return database_unavailable_response(request, exc)
    return defaults.server_error(request, *args, **kwargs)
