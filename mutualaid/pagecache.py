"""Signed-in pages served again without being made again, and never older than the data they show.

A member who reloads the board, comes back to a need's page or to their home page, or a client polling the needs API,
asks for the same page many times between two changes to what it shows. The first answer is kept (per person,
session, page, query and request headers that change the answer) with the scope stamps it was made from
(`audit.ScopeStamp`: every audited change stamps the scopes it touches, in its own transaction). The next request
is answered from it after one query that re-reads those stamps and re-checks the person's sign-in (the session
or API token still exists, the account is active, its password unchanged: what Django's own session check compares).
Any difference and the page is made anew. So a kept page is never older than the data, and at most
PAGE_CACHE_SECONDS older than the clock (pages say "3 hours ago").

Which scopes a page depends on is said by the view, with stamps read no later than the data they cover
(`depends_on`); the person's own scope ("user:<pk>": their memberships, settings, notifications, their needs and
matches) is read here, before the view reads anything. Only views marked `@cacheable` are kept, and only plain
answers: GET, status 200, no cookie set, no message waiting (messages live in a cookie, see settings).

The cache is each worker's local memory (the "pages" cache): nothing to run beside the app, and a worker that has
not seen a page yet makes it.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from mutualaid.audit.models import ScopeStamp
from mutualaid.networks.models import ApiToken, User, user_scope

# The request headers that change what a page says, beside the path, query and cookies.
VARYING_HEADERS = ("Host", "Accept-Language", "HX-Request", "HX-Boosted", "HX-Target", "HX-Trigger",
                   "HX-Trigger-Name", "HX-History-Restore-Request")
WHO = "~who"


def cacheable(view: Callable) -> Callable:
    """Mark a view whose GET answers may be kept (it must also call `depends_on`, or nothing is kept)."""

    view.page_cacheable = True
    return view


_ROUTES: set[str] = set()


def cacheable_route(view_name: str) -> Callable[[Callable], Callable]:
    """`cacheable` for a route whose resolved view is not the function itself (django-ninja's), by its URL name."""

    def register(view: Callable) -> Callable:
        _ROUTES.add(view_name)
        return view

    return register


def depends_on(request: HttpRequest, stamps: dict[str, str]) -> None:
    """Say that this answer shows data covered by these scopes, whose stamps were read no later than that data
    (in the same query, or before it). Without this call the answer is not kept."""
    deps = getattr(request, "page_cache", None)
    if deps is not None:
        deps.stamps.update({scope: token or "" for scope, token in stamps.items()})
        deps.declared = True


@dataclass
class _Deps:
    user_id: int
    stamps: dict[str, str]
    declared: bool = False


@dataclass
class _Entry:
    user_id: int
    expected: dict[str, str]
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    content: bytes = b""


def _identity(request: HttpRequest) -> tuple[str, str] | None:
    """("token", its hash) for an API client, ("session", its key) for a browser: each signs in to its own part of
    the site only (the API takes no session, the pages no token). None for anyone else."""
    if request.path_info.startswith("/api/"):
        parts = request.headers.get("Authorization", "").split(" ")
        if parts[0].lower() == "bearer" and len(parts) > 1:
            return ("token", hashlib.sha256(" ".join(parts[1:]).encode()).hexdigest())
        return None
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    return ("session", key) if key else None


def _key(request: HttpRequest, identity: tuple[str, str]) -> str:
    parts = [request.get_full_path(), request.scheme, *identity,
             request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),  # the page's forms carry a token made from it
             request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""),  # a browser's chosen language
             *(request.headers.get(h, "") for h in VARYING_HEADERS)]
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _signed_in(identity: tuple[str, str], user_id: int | None) -> tuple[str, list]:
    """FROM and WHERE of a query whose one row `u` is the person `identity` signs in now (and must be `user_id`,
    when given), with its parameters; no row if that sign-in no longer holds.

    A session key belongs to one person for its whole life: Django gives a new key at every log-in (and flushes a
    session that someone else logs in to) and deletes the row at log-out. So the row still being there, unexpired,
    with the same person's password (compared by the caller) and active account, is the sign-in Django itself would
    accept."""
    users = User._meta.db_table
    if identity[0] == "session":
        return (f"FROM {Session._meta.db_table} s, {users} u WHERE s.session_key = %s "  # noqa: S608
                "AND s.expire_date > %s AND u.id = %s AND u.is_active", [identity[1], timezone.now(), user_id])
    # A token whose last use was not recorded lately goes through to token_user, which records it (and refuses
    # an expired token): the cache never keeps a token alive, nor lets one lapse while it is used.
    sql = (f"FROM {ApiToken._meta.db_table} t, {users} u WHERE t.key_hash = %s AND u.id = t.user_id "  # noqa: S608
           "AND u.is_active AND t.last_used_at > %s")
    params = [identity[1], timezone.now() - ApiToken.USE_RECORDED_EVERY]
    return (sql, params) if user_id is None else (sql + " AND u.id = %s", [*params, user_id])


def read_stamps(identity: tuple[str, str], user_id: int, scopes: Iterable[str]) -> dict[str, str]:
    """In one query: the stamps of `scopes` ("" for one never stamped), and under WHO a digest of the password of
    the person signed in by `identity`, if that sign-in is still good (absent if not)."""
    scopes = sorted(set(scopes) - {WHO})
    who, params = _signed_in(identity, user_id)
    sql = f"SELECT '{WHO}', u.password {who}"
    if scopes:
        marks = ", ".join(["%s"] * len(scopes))
        sql += f" UNION ALL SELECT scope, token FROM {ScopeStamp._meta.db_table} WHERE scope IN ({marks})"  # noqa: S608
        params += scopes
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = {scope: (_digest(token) if scope == WHO else token) for scope, token in rows}
    return {**dict.fromkeys(scopes, ""), **found}


def _first_read(identity: tuple[str, str], session_user_id) -> tuple[int, dict[str, str]] | None:
    """Before a page is made, in one query: who `identity` signs in (None if no one, now), with what `read_stamps`
    will later compare: the digest of their password and the stamp of their own scope."""
    user_id = None
    if identity[0] == "session":
        try:
            user_id = int(session_user_id)
        except (TypeError, ValueError):
            return None
    who, params = _signed_in(identity, user_id)
    own = (f"(SELECT token FROM {ScopeStamp._meta.db_table} "  # noqa: S608
           "WHERE scope = 'user:' || CAST(u.id AS varchar(20)))")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT u.id, u.password, {own} {who}", params)
        row = cursor.fetchone()
    if row is None:
        return None
    return row[0], {WHO: _digest(row[1]), user_scope(row[0]): row[2] or ""}


def _is_cacheable_view(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return getattr(match.func, "page_cacheable", False) or match.view_name in _ROUTES


class PageCacheMiddleware:
    """Answers a GET from a kept page when every stamp it was made from still holds; otherwise lets the request
    through and keeps the answer if the view said what it depends on. Sits after the session middleware and
    before the ones that read the signed-in user, so a kept page costs one query."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.cache = caches["pages"]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        identity = _identity(request) if seconds and request.method == "GET" else None
        if identity is None or request.COOKIES.get(CookieStorage.cookie_name) or not _is_cacheable_view(request):
            return self.get_response(request)
        key = _key(request, identity)
        entry: _Entry | None = self.cache.get(key)
        deps = None
        if entry is not None:
            now = read_stamps(identity, entry.user_id, entry.expected)
            if now == entry.expected:
                response = HttpResponse(entry.content, status=entry.status)
                for name, value in entry.headers:
                    response[name] = value
                return response
            if WHO in now:  # still signed in: what was just read serves as the first read of the new page
                own = user_scope(entry.user_id)
                deps = request.page_cache = _Deps(entry.user_id, {WHO: now[WHO], own: now[own]})
        if deps is None:
            deps = self._before(request, identity)
        response = self.get_response(request)
        if deps is not None and deps.declared and self._keepable(request, response, deps):
            headers = [(name, value) for name, value in response.items()]
            self.cache.set(key, _Entry(deps.user_id, deps.stamps, response.status_code, headers,
                                       response.content), seconds)
        return response

    def _before(self, request: HttpRequest, identity: tuple[str, str]) -> _Deps | None:
        """Before the view reads anything: who this is, the state of their sign-in and their own scope."""
        first = _first_read(identity, request.session.get(SESSION_KEY) if identity[0] == "session" else None)
        if first is None:
            return None  # signed out, or no longer valid: the view answers as it would
        request.page_cache = deps = _Deps(*first)
        return deps

    @staticmethod
    def _keepable(request: HttpRequest, response: HttpResponse, deps: _Deps) -> bool:
        if response.status_code != 200 or response.streaming:
            return False
        csrf = settings.CSRF_COOKIE_NAME
        for name, morsel in response.cookies.items():
            # Django sends the CSRF cookie again with every form, only to renew its expiry: that one may be left out.
            if name != csrf or morsel.value != request.COOKIES.get(csrf):
                return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.pk != deps.user_id:
            return False  # Django did not accept the sign-in after all (a password changed meanwhile, say)
        session = getattr(request, "session", None)
        if session is not None and session.modified:
            return False
        patch_vary_headers(response, ("Cookie",))
        return True
