"""Conditional GET for the pages and API lists that people and clients come back to: Django's own `condition`
decorator, with an ETag made from what the page was made from (the version of the data, which an app's selector
reads in one cheap query after normal authentication) and from who asks and how.

A visit that sends back the ETag it was given costs that query and a 304; anything that changed (the data, the
person's sign-in or language, their CSRF cookie, a message waiting to be shown) gives another ETag, so the page is
made anew. Nothing is kept on the server: the browser or client keeps the page.
"""
from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import condition

# Headers that change what an answer says, beside the path, the query and the person.
_VARYING = ("Accept", "HX-Request", "HX-Target")


def etag(request: HttpRequest, version: str | None, user=None) -> str | None:
    """The ETag of an answer to `request` made from data at `version` for `user` (the signed-in user when not
    given; None: no conditional answer, as when the data cannot be versioned for this person: not a member)."""
    user = user if user is not None else getattr(request, "user", None)
    if version is None or user is None or not user.is_authenticated:
        return None
    if request.COOKIES.get(CookieStorage.cookie_name):
        return None  # a message waits to be shown on this page
    parts = [version, str(user.pk), request.get_full_path(), get_language() or "",
             request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),  # the page's forms carry a token made from it
             *(request.headers.get(h, "") for h in _VARYING)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def conditional(version: Callable[..., str | None]) -> Callable[[Callable], Callable]:
    """A view decorator: answer 304 when the client's If-None-Match is the ETag of `version(request, *args,
    **kwargs)` (the data's version for this person, from a selector), else make the answer and send its ETag.
    Answers are private to the person and revalidated on every visit."""

    def etag_func(request, *args, **kwargs):
        return etag(request, version(request, *args, **kwargs))

    def decorator(view: Callable) -> Callable:
        conditional_view = condition(etag_func=etag_func)(view)

        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            response = conditional_view(request, *args, **kwargs)
            if response.has_header("ETag"):
                _mark(response, response["ETag"].strip('"'))
            return response

        return wrapped

    return decorator


def _matches(request: HttpRequest, tag: str) -> bool:
    sent = request.headers.get("If-None-Match", "")
    return any(t.strip().removeprefix("W/") in (f'"{tag}"', "*") for t in sent.split(",")) if sent else False


def _mark(response: HttpResponse, tag: str) -> None:
    response["ETag"] = f'"{tag}"'
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie", "Authorization", "Accept-Language", *_VARYING))


def conditional_api(version: Callable[..., str | None]) -> Callable[[Callable], Callable]:
    """`conditional` for a django-ninja operation, which signs its caller in itself (`request.auth`) before it calls
    the operation: put it right under the route's decorator, and give the operation a `response: HttpResponse`
    parameter (django-ninja's own way to set headers), where the ETag goes."""

    def decorator(operation: Callable) -> Callable:
        @functools.wraps(operation)
        def wrapped(request, **kwargs):
            tag = etag(request, version(request, **kwargs), user=request.auth)
            if tag is not None:
                if request.method in ("GET", "HEAD") and _matches(request, tag):
                    not_modified = HttpResponseNotModified()
                    _mark(not_modified, tag)
                    return not_modified
                _mark(kwargs["response"], tag)
            return operation(request, **kwargs)

        return wrapped

    return decorator
