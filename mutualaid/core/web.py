"""What every app's web pages share: a service's refusal turned into what a browser should see (the 404 or 403
page, or the message on the page the person came from), a safe way back, pagination, and downloads."""
from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import Conflict, InvalidInput, NotAllowed, NotFound


def not_found(request, message: str = ""):
    return render(request, "404.html", {"exception": message}, status=404)


def forbidden(request, message: str = ""):
    return render(request, "403.html", {"exception": message}, status=403)


def safe_next(request, default: str) -> str:
    """Where to go back to: a same-site `next` field, then the referring page, then `default`."""
    for candidate in (request.POST.get("next"), request.GET.get("next"), request.META.get("HTTP_REFERER")):
        if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                         require_https=request.is_secure()):
            return candidate
    return default


def service_errors(view):
    """NotFound -> the 404 page; NotAllowed -> the 403 page with its message; Conflict (and an InvalidInput no form
    caught) -> the message on the page we came from."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return not_found(request, exc.message)
        except NotAllowed as exc:
            return forbidden(request, exc.message)
        except (Conflict, InvalidInput) as exc:
            messages.error(request, exc.message)
            return redirect(safe_next(request, reverse("home")))

    return wrapped


def paginate(request, items, *, param: str = "page"):
    """A page of `items` (settings.MUTUALAID_PAGE_SIZE a page): one COUNT and one sliced query."""
    return Paginator(items, settings.MUTUALAID_PAGE_SIZE).get_page(request.GET.get(param))


def as_download(response: HttpResponse, filename: str) -> HttpResponse:
    """A file to save, never a page: an attachment, its type never sniffed, kept by no browser or proxy."""
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    return response
