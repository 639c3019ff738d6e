"""The NinjaAPI instance: token auth, JSON errors, and each app's router under /api/v1.

Every answer under /api/v1/ that is not a success is JSON `{"detail": "..."}`: refused service calls, failed
validation, a body that is not JSON, a missing or bad token, an unknown route (404), a method the route does not
take (405), and unexpected failures (500, whose detail says nothing about the data involved).
"""
from __future__ import annotations

import functools
import json
import logging
import re
from importlib import metadata

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import URLPattern, path, re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from mutualaid.core.errors import ServiceError
from mutualaid.core.middleware import database_unavailable_response, is_unavailable
from mutualaid.networks.selectors import token_user

logger = logging.getLogger("mutualaid.api")


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class BodyNotAnObject(ValueError):
    pass


def _not_json(name: str):
    raise ValueError(_("%(name)s is not a JSON value.") % {"name": name})


class JsonObjectParser(Parser):
    """Every request body of this API is one JSON object."""

    def parse_body(self, request: HttpRequest):
        data = json.loads(request.body, parse_constant=_not_json)
        if not isinstance(data, dict):
            kind = {list: _("an array"), str: _("a string"), int: _("a number"), float: _("a number"),
                    bool: _("a boolean"), type(None): "null"}.get(type(data), type(data).__name__)
            raise BodyNotAnObject(_("the body must be a JSON object, not %(kind)s.") % {"kind": kind})
        return data


def _not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    return JsonResponse({"detail": _("No such API route: %(method)s %(path)s") % {
        "method": request.method, "path": request.path}}, status=404)


_not_found.csrf_exempt = True  # type: ignore[attr-defined]


def _json_method_not_allowed(view):
    """ninja answers a method a route does not take with a plain-text 405; ours is JSON like every error."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            json_response = JsonResponse({"detail": _("Method %(method)s is not allowed here; use %(allowed)s.") % {
                "method": request.method, "allowed": allowed or "-"}}, status=405)
            json_response["Allow"] = allowed
            return json_response
        return response

    return wrapper


def api_urls() -> tuple[list, str, str]:
    """`api.urls` (django-ninja's public URL configuration) with JSON answers where Django's would be HTML: a method a
    route does not take is a JSON 405, and an unknown path under /api/v1 (the root included) a JSON 404."""
    patterns, app_name, namespace = api.urls
    urls = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            if pattern.name == "api-root":
                continue  # ninja's root raises an HTML 404; ours below answers JSON under the same name
            pattern = URLPattern(pattern.pattern, _json_method_not_allowed(pattern.callback),
                                 pattern.default_args, pattern.name)
        urls.append(pattern)
    urls.append(path("", _not_found, name="api-root"))
    urls.append(re_path(r"^.*$", _not_found))
    return urls, app_name, namespace


API_DESCRIPTION = """The API of Mutual Aid Network: groups, membership and trust, needs, offers, matches,
suggestions and your own account, the same services as the web pages. [Back to the site](/)

Sign in with `POST /api/v1/auth/token {"username", "password"}` and send `Authorization: Bearer <token>`. Errors are
JSON `{"detail": "..."}` with the status that fits. Lists a client polls (`GET /api/v1/needs`) answer
`If-None-Match` with 304 while nothing they show has changed."""

api = NinjaAPI(
    title="Mutual Aid Network API",
    version=f"v1 (Mutual Aid Network {metadata.version('mutualaid')})",
    description=API_DESCRIPTION,
    urls_namespace="api",
    auth=BearerToken(),
    docs_url="/docs",
    parser=JsonObjectParser(),
)


@api.exception_handler(ServiceError)
def service_error(request, exc: ServiceError):
    body = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return api.create_response(request, {"detail": _("Authentication required: send 'Authorization: Bearer <token>'.")},
                               status=401)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _error_location(error: dict) -> str:
    return ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "payload", "query", "path", "filters"))


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    parts = []
    errors = []
    for error in exc.errors:
        loc = _error_location(error)
        if not loc and error.get("type") == "missing":
            message = _("The request body is missing: send a JSON object.")
        else:
            message = f"{loc}: {error.get('msg')}" if loc else str(error.get("msg"))
        parts.append(message)
        # Only what describes the problem: no echo of the input, nothing that JSON cannot carry.
        errors.append({"loc": list(error.get("loc", ())), "msg": str(error.get("msg")), "type": error.get("type")})
    # A message may quote a character of the input (a UUID "found `\x00` at 0"): control characters are spelt out.
    parts = [_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", part) for part in parts]
    for error in errors:
        error["msg"] = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", error["msg"])
    return api.create_response(request, {"detail": "; ".join(parts) or _("Invalid input."), "errors": errors},
                               status=422)


@api.exception_handler(RequestDataTooBig)
def body_too_big(request, exc):
    return api.create_response(request, {"detail": _("The request body is too large: at most %(size)d bytes.") % {
        "size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}}, status=413)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    cause = exc.__cause__
    if exc.status_code == 400 and isinstance(cause, (ValueError, UnicodeError)):
        # ninja's "Cannot parse request body" says nothing of what is wrong; the parser's error does.
        return api.create_response(request, {"detail": _("Malformed JSON body: %(error)s") % {"error": cause}},
                                   status=400)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": _("You are not allowed to do that.")}, status=403)


@api.exception_handler(Exception)
def unexpected_error(request, exc: Exception):
    if is_unavailable(exc):  # the database cannot be reached: 503 with Retry-After, not a 500
        return database_unavailable_response(request, exc)
    # The traceback goes to the server log only: the answer names no person, value or query.
    logger.error("Unexpected error in %s %s", request.method, request.path, exc_info=exc)
    return api.create_response(request, {"detail": _("Something went wrong on our side; it has been logged.")},
                               status=500)


from mutualaid.networks.api import router as networks_router  # noqa: E402
from mutualaid.circulation.api import router as circulation_router  # noqa: E402

api.add_router("/", networks_router)
api.add_router("/", circulation_router)
api.add_router("/", "mutualaid.circulation.suggestions.api.router")
api.add_router("/", "mutualaid.front.api.router")
