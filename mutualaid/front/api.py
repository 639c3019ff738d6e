"""API routes for a member's own account: GET /me/export (everything held about them), DELETE /me (delete the
account, password required), POST /me/password (change it), GET /me/tokens and DELETE /me/tokens/{id} (their API
tokens); GET /map.geojson (the map). Mounted under /api/v1 by mutualaid.api."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from mutualaid.core.limits import PASSWORD_MAX
from mutualaid.core.web import as_download
from mutualaid.networks import selectors as networks_selectors
from mutualaid.networks import services as networks_services
from mutualaid.networks.api import optional_auth, viewer
from mutualaid.networks.schemas import InputSchema, errors

from . import selectors, services

router = Router(tags=["account"])


class AccountDeleteIn(InputSchema):
    password: str = Field(..., max_length=PASSWORD_MAX, description="The account's password, asked again to confirm.")


class PasswordChangeIn(InputSchema):
    current_password: str = Field(..., max_length=PASSWORD_MAX)
    new_password: str = Field(..., max_length=PASSWORD_MAX,
                              description="At least 10 characters, not a common password.")


class TokenListOut(Schema):
    id: UUID
    label: str = Field(description="Your own name for it; empty if none was given.")
    starts_with: str = Field(description="The token's first characters, to tell tokens apart.")
    created_at: datetime
    last_used_at: datetime = Field(description="Recorded to the hour.")
    expires_at: datetime | None = Field(description="When it stops working unless used before; null: never.")
    current: bool = Field(description="Whether this request was made with it.")


@router.get("/map.geojson", auth=optional_auth, response={200: dict[str, Any], **errors(401)}, tags=["map"])
def map_geojson(request, response: HttpResponse):
    """The map as an RFC 7946 GeoJSON FeatureCollection: every group (public), and for a member the open needs
    (most urgent first) and active offers (newest first) of their own groups, at most 500 of each (`left_out` says
    how many more), each at its public point, rounded to about a kilometre, or its group's (`placed`: "own",
    "group", or "none" with a null geometry). Longitude first, as RFC 7946 says."""
    response["Content-Type"] = "application/geo+json"
    data = selectors.map_data(viewer(request))
    return selectors.map_geojson(data, lambda name, public_id: reverse(name, args=[public_id]))


@router.get("/me/export", response={200: dict[str, Any], **errors(401)})
def export_my_data(request, response: HttpResponse):
    """Everything the platform holds about you, as JSON (the same as the download on the settings page), sent as a
    file to save (`Content-Disposition: attachment`) that no browser or proxy keeps."""
    as_download(response, services.export_filename(request.auth))
    return services.account_export(request.auth)


@router.delete("/me", response={200: dict[str, str], **errors(400, 401, 403, 413, 422)})
def delete_my_account(request, payload: AccountDeleteIn):
    """Delete your account: your personal data goes, what you did stays as anonymous records. Your tokens stop
    working at once."""
    services.account_delete(actor=request.auth, password=payload.password)
    return {"detail": _("Your account is deleted. Thank you for all you did here.")}


@router.post("/me/password", response={200: dict[str, str], **errors(400, 401, 403, 413, 422)})
def change_my_password(request, payload: PasswordChangeIn):
    """Change your password. Every session and API token of the account ends, this one too: sign in again with
    `POST /auth/token` for a new token."""
    networks_services.user_password_change(actor=request.auth, current_password=payload.current_password,
                                           new_password=payload.new_password)
    return {"detail": _("Your password is changed. Every sign-in and API token of your account has ended: "
                        "ask for a new token with your new password.")}


@router.get("/me/tokens", response={200: list[TokenListOut], **errors(401)})
def list_my_tokens(request):
    """Your API tokens that still work, most recently used first. A token stops working after a settable number of
    days without use (30 by default)."""
    current = getattr(getattr(request.auth, "current_token", None), "pk", None)
    return [{"id": t.public_id, "label": t.label, "starts_with": t.key_prefix, "created_at": t.created_at,
             "last_used_at": t.last_used_at, "expires_at": t.expires_at, "current": t.pk == current}
            for t in networks_selectors.user_tokens(request.auth)]


@router.delete("/me/tokens/{token_id}", response={200: dict[str, str], **errors(401, 404, 422)})
def revoke_my_token(request, token_id: UUID):
    """Revoke one of your tokens: it stops working at once (revoking the one you call with signs this client out)."""
    networks_services.token_revoke(actor=request.auth, token_id=token_id)
    return {"detail": _("The token is revoked.")}
