"""API routes for a member's own data: GET /me/export (everything held about them) and DELETE /me (delete the
account, password required). Mounted under /api/v1 by mutualaid.api."""
from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router

from mutualaid import accounts
from mutualaid.account_views import as_download
from mutualaid.networks.schemas import InputSchema, errors

router = Router(tags=["account"])


class AccountDeleteIn(InputSchema):
    password: str = Field(..., max_length=4096, description="The account's password, asked again to confirm.")


@router.get("/me/export", response={200: dict[str, Any], **errors(401)})
def export_my_data(request, response: HttpResponse):
    """Everything the platform holds about you, as JSON (the same as the download on the settings page), sent as a
    file to save (`Content-Disposition: attachment`) that no browser or proxy keeps."""
    as_download(response, accounts.export_filename(request.auth))
    return accounts.account_export(request.auth)


@router.delete("/me", response={200: dict[str, str], **errors(400, 401, 403, 413, 422)})
def delete_my_account(request, payload: AccountDeleteIn):
    """Delete your account: your personal data goes, what you did stays as anonymous records. Your tokens stop
    working at once."""
    accounts.account_delete(actor=request.auth, password=payload.password)
    return {"detail": _("Your account is deleted. Thank you for all you did here.")}
