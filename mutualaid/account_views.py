"""Web pages for a member's own data: download everything the platform holds about them, and delete the account.

The "Your data" section of the settings page links here. Views stay thin: they call mutualaid.accounts. This module
carries its own `urlpatterns`, included by mutualaid.urls.
"""
from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from mutualaid import accounts
from mutualaid.errors import NotAllowed
from mutualaid.networks.forms import ServiceErrorForm


class AccountDeleteForm(ServiceErrorForm):
    password = forms.CharField(label=gettext_lazy("Your password"), strip=False,
                               help_text=gettext_lazy("To be sure it is you."),
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


def as_download(response: HttpResponse, filename: str) -> HttpResponse:
    """A file to save, never a page: an attachment, its type never sniffed, kept by no browser or proxy."""
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    return response


@require_GET
@login_required
def account_export(request):
    if request.headers.get("HX-Request"):
        # htmx would put the answer into the page (a need title "<img onerror=...>" becoming an element): the link
        # is not boosted, and a request from htmx all the same is sent to a plain download instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = request.get_full_path()
        add_never_cache_headers(response)
        return response
    data = accounts.account_export(request.user)
    response = HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2) + "\n",
                            content_type="application/json; charset=utf-8")
    return as_download(response, accounts.export_filename(request.user))


@login_required
def account_delete(request):
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.account_delete(actor=request.user, password=form.cleaned_data["password"])
        except NotAllowed as exc:
            form.add_service_error(exc)
        else:
            logout(request)
            messages.success(request, _("Your account is deleted. Thank you for all you did here."))
            return redirect("home")
    return render(request, "account/delete.html", {"form": form})


urlpatterns = [
    path("account/data/", account_export, name="account_export"),
    path("account/delete/", account_delete, name="account_delete"),
]
