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


@require_GET
@login_required
def account_export(request):
    data = accounts.account_export(request.user)
    response = HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2) + "\n",
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{accounts.export_filename(request.user)}"'
    response["Cache-Control"] = "no-store"
    return response


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
