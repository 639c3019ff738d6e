"""Web pages of a member's own account: change or reset the password (Django's own views), see and revoke API
tokens, download everything the platform holds about them, and delete the account. The settings page links here.
Views stay thin: they call the services."""
from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from mutualaid.core.errors import NotAllowed, NotFound
from mutualaid.core.web import as_download
from mutualaid.networks import selectors as networks_selectors
from mutualaid.networks import services as networks_services

from .. import services as accounts
from ..forms import AccountDeleteForm, PasswordChange, PasswordReset


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


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    """Django's own: the current password, then the new one twice. This session stays signed in; every other
    session and every API token of the account ends."""

    form_class = PasswordChange
    template_name = "account/password_change.html"
    success_url = reverse_lazy("settings")
    success_message = gettext_lazy("Your password is changed. You were signed out everywhere else, and your API "
                                   "tokens stopped working.")

    def form_valid(self, form):
        form.keep_session = kept = self.request.session.session_key
        response = super().form_valid(form)  # saves, then keeps this session under a new key
        networks_services.user_session_forget(session_key=kept)
        networks_services.user_session_record(user=form.user, session_key=self.request.session.session_key)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's own: a link by e-mail to the address on the account (the page says the same whether or not there
    is one, so it tells no one who has an account). Links use SITE_URL, never the Host header of the request."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    @property
    def extra_email_context(self):
        return {"site_url": settings.SITE_URL.rstrip("/")}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = PasswordReset


@login_required
def token_list(request):
    return render(request, "account/tokens.html", {
        "tokens": networks_selectors.user_tokens(request.user),
        "idle_days": settings.API_TOKEN_IDLE_DAYS,
    })


@require_POST
@login_required
def token_revoke(request, token_id):
    try:
        networks_services.token_revoke(actor=request.user, token_id=token_id)
    except NotFound as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The token is revoked: it no longer works."))
    return redirect("account_tokens")
