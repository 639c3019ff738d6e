"""Limits on guessing: log-in (the web form and the API token) and sign-up.

django-axes does the counting, in the database (table `axes_accessattempt`), so a limit holds across every server
process. A failed log-in counts against the pair (user name, IP address): after settings.MUTUALAID_LOGIN_FAILURE_LIMIT
failures within settings.MUTUALAID_LOGIN_LOCKOUT_MINUTES, that pair is refused with 429, even with the right password,
until that many minutes have passed since its last failure. A failed sign-up (a name already taken, an invalid form)
counts the same way against (SIGN_UP, IP address), which stops probing for which user names exist.

Successful sign-ups are limited too: at most settings.SIGNUPS_PER_ADDRESS_PER_HOUR from one address (client_ip)
within an hour (0: no limit), counted in the database (`SignupAttempt`, the address as a keyed hash only).

Axes refuses inside `authenticate()` (its backend comes first in AUTHENTICATION_BACKENDS) and its middleware turns the
refusal into `refusal()` below. An operator lifts a lock early with `mutualaid axes_reset_username NAME` or
`mutualaid axes_reset_ip ADDRESS`.
"""
from __future__ import annotations

import hashlib
import hmac
import math
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from . import usernames
from .models import SignupAttempt

# Not a valid user name, so failed sign-ups never share a count with anyone's log-ins.
SIGN_UP = {"username": "<sign-up>"}


def attempt_key(request: HttpRequest, credentials: dict | None) -> str | None:
    """The user name an attempt counts against, compared as sign-up compares them (networks.usernames): 'Olga',
    'olga' and 'ｏｌｇａ' are one."""
    name = (credentials or {}).get("username")
    if name is None and not credentials:
        name = request.POST.get("username")
    if not isinstance(name, str) or not name.strip():
        return None
    return usernames.fold(name)[:255]


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR; behind TRUSTED_PROXY_COUNT reverse proxies, the address the outermost one saw (each proxy
    appends the address it received from to X-Forwarded-For, so what a client wrote there itself is skipped)."""
    count = settings.MUTUALAID_TRUSTED_PROXY_COUNT
    if count:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")


def allowed(request: HttpRequest, credentials: dict = SIGN_UP) -> bool:
    return AxesProxyHandler.is_allowed(request, credentials)


def record_failure(request: HttpRequest, credentials: dict = SIGN_UP) -> None:
    """Count one failed attempt; the one that reaches the limit is answered with `refusal()` by axes' middleware."""
    AxesProxyHandler.user_login_failed(sender=__name__, credentials=credentials, request=request)


def retry_after(request: HttpRequest, credentials: dict | None) -> int:
    """Seconds until the failures counted against this request fall out of the window."""
    cool_off = get_cool_off(request)
    latest = None
    for attempts in AxesProxyHandler.get_implementation().get_user_attempts(request, credentials):
        last = attempts.aggregate(last=Max("attempt_time"))["last"]
        if last and (latest is None or last > latest):
            latest = last
    if latest is None:
        return math.ceil(cool_off.total_seconds())
    return max(1, math.ceil((latest + cool_off - timezone.now()).total_seconds()))


def refusal(request: HttpRequest, original_response: HttpResponse | None = None,
            credentials: dict | None = None) -> HttpResponse:
    """429 saying when to try again: JSON `{"detail": ...}` under /api/, a page otherwise.
    This is settings.AXES_LOCKOUT_CALLABLE; sign-up calls it directly."""
    seconds = retry_after(request, credentials)
    minutes = max(1, math.ceil(seconds / 60))
    message = ngettext(
        "Too many failed attempts. For your safety, please wait %(minutes)d minute and try again.",
        "Too many failed attempts. For your safety, please wait %(minutes)d minutes and try again.",
        minutes) % {"minutes": minutes}
    return _too_many(request, message, seconds)


def _too_many(request: HttpRequest, message: str, seconds: int) -> HttpResponse:
    """A 429 with Retry-After: JSON `{"detail": ...}` under /api/, the "too many attempts" page otherwise."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "registration/too_many_attempts.html", {"message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response


SIGNUP_WINDOW = timedelta(hours=1)


def _address_hash(request: HttpRequest) -> str:
    address = client_ip(request) or ""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def _recent_signups(request: HttpRequest):
    return SignupAttempt.objects.filter(address_hash=_address_hash(request),
                                        created_at__gt=timezone.now() - SIGNUP_WINDOW)


def signup_allowed(request: HttpRequest) -> bool:
    # Not locked: concurrent sign-ups from one address may pass the limit by the few that race; a rate limit, not
    # an invariant, and a lock here would serialise every sign-up of the instance.
    limit = settings.SIGNUPS_PER_ADDRESS_PER_HOUR
    return not limit or _recent_signups(request).count() < limit


def record_signup(request: HttpRequest) -> None:
    """Count one successful sign-up from this request's address; forget those older than the window."""
    if not settings.SIGNUPS_PER_ADDRESS_PER_HOUR:
        return
    SignupAttempt.objects.filter(created_at__lte=timezone.now() - SIGNUP_WINDOW).delete()
    SignupAttempt.objects.create(address_hash=_address_hash(request))


def signup_refusal(request: HttpRequest) -> HttpResponse:
    """429 for an address that signed up too many accounts within the hour: JSON under /api/, a page otherwise."""
    first = _recent_signups(request).order_by("created_at").values_list("created_at", flat=True).first()
    end = timezone.now() + SIGNUP_WINDOW if first is None else first + SIGNUP_WINDOW
    seconds = (end - timezone.now()).total_seconds()
    seconds = max(1, math.ceil(seconds))
    minutes = max(1, math.ceil(seconds / 60))
    message = ngettext(
        "Too many accounts were made from your address. Please wait %(minutes)d minute and try again.",
        "Too many accounts were made from your address. Please wait %(minutes)d minutes and try again.",
        minutes) % {"minutes": minutes}
    return _too_many(request, message, seconds)
