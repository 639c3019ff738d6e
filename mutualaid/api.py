"""The NinjaAPI instance: token auth, JSON errors, and each app's router under /api/v1."""
from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from mutualaid.errors import ServiceError
from mutualaid.networks.services import token_user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Mutual Aid Network API",
    version="1",
    urls_namespace="api",
    auth=BearerToken(),
    docs_url="/docs",
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


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    parts = []
    for error in exc.errors:
        loc = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "payload", "query", "path"))
        parts.append(f"{loc}: {error.get('msg')}" if loc else str(error.get("msg")))
    return api.create_response(request, {"detail": "; ".join(parts) or _("Invalid input."), "errors": exc.errors},
                               status=422)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


from mutualaid.networks.api import router as networks_router  # noqa: E402
from mutualaid.circulation.api import router as circulation_router  # noqa: E402

api.add_router("/", networks_router)
api.add_router("/", circulation_router)
