"""Hostile input: oversized, malformed and script-bearing input never breaks anything and never leaks.

For every API write and every web form, each field is sent what a careless client or an attacker might send:
100 kB of text, a NUL byte (PostgreSQL refuses NUL in text), the wrong JSON type, numbers like 10**30, NaN and
Infinity, negative numbers, impossible dates, invalid UTF-8, a 10 MB body. Every one must be refused with a clear
message (API: 400/413/422 JSON `{"detail": ...}`, small and without an echo of the input; web: the form again with
the error, or a 400 page), and nothing may be written: the row counts of every table we own, the audit log
included, are the same before and after.

Text carrying script (`<script>`, an `<img onerror>` breaking out of an attribute) is not refused: it is somebody's
words. It is stored as typed and shown escaped on every page where it appears: titles, descriptions, group names,
contact notes, reasons, answers, offers, notifications.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest
from django.test import Client

from mutualaid.audit.models import AuditEntry
from mutualaid.circulation import services as circulation
from mutualaid.circulation.models import (AllocationProposal, AllocationResult, AllocationRun, ClaimBlock, Match,
                                          MatchMessage, Need, NeedContact, Offer, SuggestionDecline)
from mutualaid.networks import services as networks
from mutualaid.networks.models import (ApiToken, Application, Area, Group, Membership, Notification, Suspension,
                                       Trust, User)

PASSWORD = "a-long-passphrase-42"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
COUNTED = (User, Group, Area, Membership, Trust, Application, Notification, ApiToken, Need, NeedContact, Offer, Match,
           MatchMessage, Suspension, ClaimBlock, SuggestionDecline, AllocationRun, AllocationResult, AllocationProposal,
           AuditEntry)  # not ContactView: a form shown again with contact details is a view

BIG = "x" * 100_000
NAN, INF = float("nan"), float("inf")

# What each kind of field is sent. NaN and Infinity are not JSON, but Python's and JavaScript's encoders write them.
HOSTILE: dict[str, list[Any]] = {
    "text": [BIG, "bad\x00value", 12345, ["a list"], {"an": "object"}, True],
    "int": [10**30, -(10**30), -1, 0, 2.5, "3", True, NAN, INF, "\x00", None],
    "float": [NAN, INF, -INF, 1e308, -1e308, "51.5", "\x00", True, [1]],
    "datetime": ["0000-00-00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00",
                 "2024-13-45T25:61:00", "yesterday", "\x00", 10**30, 1e308],
    "uuid": ["not-a-uuid", "\x00", 10**30, "", ["x"], "00000000-0000-0000-0000-00000000000\x00"],
    "bool": ["yes", 2, "\x00", [True], None],
    "list": [[BIG], ["bad\x00value"], "not a list", [1, 2], [{"a": 1}], ["x"] * 1000, [None]],
    "object": ["a string", [1], 10**30, {"unknown": "key"}],
}

# Bodies that are broken as a whole.
RAW_BODIES: list[tuple[str, bytes]] = [
    ("invalid UTF-8", b'{"title": "\xff\xfe\xfd", "name": "\xc3\x28"}'),
    ("10 MB", b'{"title": "' + b"x" * 10_000_000 + b'"}'),
    ("not JSON", b"title=hello"),
    ("an array", b"[1, 2, 3]"),
    ("deeply nested", b"[" * 100_000 + b"]" * 100_000),
    ("a NUL byte outside strings", b'{"title": "a"}\x00'),
    ("NaN", b'{"quantity": NaN, "lat": NaN, "lon": Infinity}'),
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


# --- The scene ------------------------------------------------------------------------------------------


@pytest.fixture
def scene(db, django_capture_on_commit_callbacks):
    """A group (time zone UTC+14, so naive times near year 1 fall outside what a database stores) with its founder,
    a requester, a helper with an offer and a live match, a second open need, a closed group with a pending
    application, another group to refer to, and API tokens."""
    with django_capture_on_commit_callbacks(execute=True):
        people = {name: networks.user_register(username=name, password=PASSWORD, email=f"{name}@example.org")
                  for name in ("olga", "rosa", "hugo", "otto", "ana")}
        group = networks.group_create(actor=people["olga"], name="Northside Pod", location_name="Northside",
                                      timezone_name="Pacific/Kiritimati")
        for name in ("rosa", "hugo"):
            networks.group_join(actor=people[name], group=group)
        closed = networks.group_create(actor=people["olga"], name="Hillside Circle", is_open=False,
                                       application_questions=["Why do you want to join?"])
        application = networks.application_submit(actor=people["otto"], group=closed, answers=["I live nearby"])
        other = networks.group_create(actor=people["otto"], name="Southside Pod")
        need = circulation.need_create(actor=people["rosa"], group=group, title="Groceries for four",
                                       category="groceries", quantity=3, contact={"phone": "+44 7700 900123"})
        second = circulation.need_create(actor=people["rosa"], group=group, title="A lift to the clinic",
                                         category="transport", quantity=1)
        offer = circulation.offer_create(actor=people["hugo"], group=group, title="Bags of food",
                                         category="groceries", quantity=5)
        match = circulation.match_claim(actor=people["hugo"], need=need, quantity=1, offer=offer)
        area = networks.area_add(actor=people["olga"], group=group, name="Northside Green", lat=51.5, lon=-0.1)
    tokens = {name: networks.token_create(actor=user) for name, user in people.items()}
    return {"people": people, "tokens": tokens, "group": group, "closed": closed, "other": other, "need": need,
            "second": second, "offer": offer, "match": match, "application": application, "area": area}


# --- The API ----------------------------------------------------------------------------------------------


def api_post(token: str | None, path: str, body: Any = None, *, raw: bytes | None = None, ip: str = "10.0.0.1",
             method: str = "POST"):
    client = Client(REMOTE_ADDR=ip)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = raw if raw is not None else json.dumps(body, allow_nan=True).encode()
    return client.generic(method, "/api/v1" + path, data=data, content_type="application/json", **headers)


def _set(body: dict, dotted: str, value: Any) -> dict:
    body = json.loads(json.dumps(body))
    target = body
    *parents, last = dotted.split(".")
    for key in parents:
        target = target[key]
    target[last] = value
    return body


def api_writes(s) -> list[tuple[str, str, dict, dict[str, str]]]:
    """(who, path, a valid body, field -> kind) for every API write that takes a body."""
    g, n, o, m = (str(s[k].public_id) for k in ("group", "need", "offer", "match"))
    contact = {"name": "Rosa", "phone": "+44 7700 900777", "email": "rosa@example.org", "address": "1 High St",
               "preferred_language": "es", "notes": "Ring twice"}
    return [
        (None, "/auth/register", {"username": "newbie", "password": PASSWORD, "email": "n@example.org"},
         {"username": "text", "password": "text", "email": "text"}),
        (None, "/auth/token", {"username": "rosa", "password": PASSWORD, "label": "phone"},
         {"username": "text", "password": "text", "label": "text"}),
        ("rosa", "/groups", {"name": "Eastside Pod", "description": "d", "public_description": "p",
                             "location_name": "East", "lat": 51.5, "lon": -0.1, "is_open": False,
                             "timezone": "Europe/London", "country": "GB", "languages": ["en"],
                             "application_questions": ["Why?"]},
         {"name": "text", "description": "text", "public_description": "text", "location_name": "text",
          "lat": "float", "lon": "float", "is_open": "bool", "timezone": "text", "country": "text",
          "languages": "list", "application_questions": "list"}),
        ("olga", f"/groups/{g}/areas", {"name": "Elm Road", "lat": 51.5, "lon": -0.1},
         {"name": "text", "lat": "float", "lon": "float"}),
        ("olga", f"/areas/{s['area'].public_id}", {"name": "The Green", "lat": 51.5, "lon": -0.1},
         {"name": "text", "lat": "float", "lon": "float"}, "PUT"),
        ("ana", f"/groups/{s['closed'].public_id}/applications", {"answers": ["Nearby"]}, {"answers": "list"}),
        ("olga", f"/applications/{s['application'].public_id}/decide", {"accept": False, "reason": "Full"},
         {"accept": "bool", "reason": "text"}),
        ("rosa", "/needs", {"group": g, "title": "Soup", "description": "Hot", "category": "food", "quantity": 2,
                            "urgency": "high", "lat": 51.5, "lon": -0.1, "location_name": "North",
                            "needed_by": "2999-01-01T10:00:00", "contact": contact, "on_behalf": False,
                            "area": str(s["area"].public_id)},
         {"group": "uuid", "title": "text", "description": "text", "category": "text", "quantity": "int",
          "urgency": "text", "lat": "float", "lon": "float", "location_name": "text", "area": "uuid",
          "needed_by": "datetime",
          "contact": "object", **{f"contact.{k}": "text" for k in contact}, "on_behalf": "bool"}),
        ("hugo", f"/needs/{n}/claim", {"quantity": 1, "offer": o}, {"quantity": "int", "offer": "uuid"}),
        ("rosa", f"/needs/{n}/cancel", {"reason": "Sorted"}, {"reason": "text"}),
        ("olga", f"/needs/{s['second'].public_id}/duplicate", {"original": n}, {"original": "uuid"}),
        ("olga", f"/needs/{s['second'].public_id}/refer", {"group": str(s["other"].public_id)}, {"group": "uuid"}),
        ("hugo", f"/matches/{m}/cancel", {"reason": "Ill"}, {"reason": "text"}),
        ("rosa", f"/matches/{m}/messages", {"text": "Ring twice, please"}, {"text": "text"}),
        ("rosa", f"/offers/{o}/request", {"quantity": 1, "note": "For Sunday"}, {"quantity": "int", "note": "text"}),
        # Corrections (PATCH): every field a need or an offer may change.
        ("rosa", f"/needs/{n}", {"title": "Soup", "description": "Hot", "quantity": 2, "urgency": "high",
                                 "lat": 51.5, "lon": -0.1, "location_name": "North",
                                 "needed_by": "2999-01-01T10:00:00", "contact": contact},
         {"title": "text", "description": "text", "quantity": "int", "urgency": "text", "lat": "float",
          "lon": "float", "location_name": "text", "needed_by": "datetime", "contact": "object",
          **{f"contact.{k}": "text" for k in contact}}, "PATCH"),
        ("hugo", f"/offers/{o}", {"title": "Lifts", "description": "Sundays", "quantity": 3,
                                  "available_from": "2999-01-01T10:00:00", "available_until": "2999-02-01T10:00:00",
                                  "location_name": "North", "lat": 51.5, "lon": -0.1, "max_distance_km": 5.0},
         {"title": "text", "description": "text", "quantity": "int", "available_from": "datetime",
          "available_until": "datetime", "location_name": "text", "lat": "float", "lon": "float",
          "max_distance_km": "float"}, "PATCH"),
        ("hugo", "/offers", {"group": g, "title": "Lifts", "description": "Sundays", "category": "transport",
                             "quantity": 2, "available_from": "2999-01-01T10:00:00",
                             "available_until": "2999-02-01T10:00:00", "location_name": "North", "lat": 51.5,
                             "lon": -0.1, "max_distance_km": 5.0, "area": str(s["area"].public_id)},
         {"group": "uuid", "title": "text", "description": "text", "category": "text", "quantity": "int",
          "available_from": "datetime", "available_until": "datetime", "location_name": "text", "lat": "float",
          "lon": "float", "max_distance_km": "float", "area": "uuid"}),
        ("hugo", f"/offers/{o}/status", {"status": "paused"}, {"status": "text"}),
        ("olga", f"/groups/{g}/members/{s['people']['hugo'].public_id}/suspend", {"reason": "A safety concern"},
         {"reason": "text"}),
        ("rosa", "/me/password", {"current_password": PASSWORD, "new_password": "another-long-passphrase-7"},
         {"current_password": "text", "new_password": "text"}),
        # Allocation: running it (the default run is stored), a helper's yes and no to a suggested pair.
        ("olga", "/allocations", {"group": g, "method": "optimal", "fairness": None},
         {"group": "uuid", "method": "text", "fairness": "text"}),
        ("hugo", "/suggestions/accept", {"need": n, "offer": o, "quantity": 1},
         {"need": "uuid", "offer": "uuid", "quantity": "int"}),
        ("hugo", "/suggestions/decline", {"need": n, "offer": o}, {"need": "uuid", "offer": "uuid"}),
    ]


def _assert_refused(response, what: str) -> None:
    assert response.status_code in (400, 413, 422), (what, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), what
    body = response.json()
    assert isinstance(body.get("detail"), str) and body["detail"].strip(), (what, body)
    assert len(response.content) < 5_000, f"{what}: the answer echoes the input ({len(response.content)} bytes)"
    assert "\x00" not in body["detail"], what


def _route_ids() -> list[str]:
    return ["register", "token", "group", "area-add", "area-change", "apply", "decide", "need", "claim", "cancel-need",
            "duplicate", "refer",
            "cancel-match", "offer", "offer-status", "suspend", "password", "allocate", "suggestion-accept",
            "suggestion-decline", "match-message", "offer-request", "need-patch", "offer-patch"]


@pytest.mark.parametrize("index", range(24), ids=_route_ids())
def test_api_write_refuses_hostile_fields_and_writes_nothing(scene, index):
    who, path, valid, fields, *rest = api_writes(scene)[index]
    method = rest[0] if rest else "POST"
    token = scene["tokens"][who] if who else None
    before = counts()
    for n, (name, kind) in enumerate(fields.items()):
        for value in HOSTILE[kind]:
            what = f"{method} {path} with {name}={str(value)[:40]!r}"
            response = api_post(token, path, _set(valid, name, value), ip=f"10.1.{n}.{len(str(value)) % 250}",
                                method=method)
            _assert_refused(response, what)
            assert counts() == before, f"{what}: something was written"
    for label, raw in RAW_BODIES:
        response = api_post(token, path, raw=raw, method=method)
        _assert_refused(response, f"{method} {path} with a body that is {label}")
        assert counts() == before, f"{method} {path} with a body that is {label}: something was written"
    # The valid body is accepted: the refusals above were about the hostile values, not the route.
    response = api_post(token, path, valid, ip="10.9.9.9", method=method)
    assert response.status_code in (200, 201), (path, response.content[:300])


def test_api_reads_refuse_hostile_query_parameters(scene):
    client, token = Client(), scene["tokens"]["rosa"]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    taken = {"/needs": {"page", "page_size", "category", "status", "group", "urgency", "q"},
             "/offers": {"page", "page_size", "category", "status", "group", "mine"},
             "/matches": {"page", "page_size"}}
    for path in taken:
        for params in ({"page": 10**30}, {"page": -1}, {"page": "NaN"}, {"page_size": 10**30}, {"page_size": 0},
                       {"category": "\x00"}, {"status": "\x00"}, {"group": "\x00"}, {"group": "x" * 100_000},
                       {"urgency": "<script>"}, {"mine": "\x00"}, {"q": "\x00"}, {"q": "x" * 100_000}):
            response = client.get("/api/v1" + path, params, **headers)
            what = f"GET {path} {str(params)[:60]}"
            if response.status_code == 200:  # a parameter the route does not take is ignored
                assert not set(params) & taken[path], what
                continue
            _assert_refused(response, what)
    # A page far beyond the last is empty, not an error.
    response = client.get("/api/v1/needs", {"page": 10**6}, **headers)
    assert response.status_code == 200 and response.json()["items"] == [], response.content[:200]


def test_api_path_parameters_that_are_not_ids_are_not_found(scene):
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {scene['tokens']['rosa']}"}
    for path in ("/needs/not-a-uuid", "/needs/%00", "/groups/" + "9" * 200, "/offers/%FF%FE", "/matches/<script>"):
        response = client.get("/api/v1" + path, **headers)
        assert response.status_code in (404, 422), (path, response.status_code)
        assert isinstance(response.json()["detail"], str), path
        assert "<script>" not in response.json()["detail"], path


# --- The web forms ----------------------------------------------------------------------------------------


TEXT_WEB = [BIG, "bad\x00value"]
INT_WEB = [str(10**30), "-1", "0", "2.5", "NaN", "1e5", "\x00", "0x10"]
FLOAT_WEB = ["NaN", "Infinity", "-inf", "1e308", "-181", "\x00", "1,5e400"]
DATETIME_WEB = ["0000-00-00", "0000-00-00T00:00", "2024-13-45T25:61", "yesterday", "\x00", "9" * 40]
CHOICE_WEB = ["\x00", BIG, "<script>alert(1)</script>", "00000000-0000-0000-0000-000000000000"]


def web_forms(s) -> list[tuple[str | None, str, dict, dict[str, list[str]]]]:
    """(who is signed in, URL, valid POST data, field -> hostile values) for every web form."""
    g, n, o, m = (str(s[k].public_id) for k in ("group", "need", "offer", "match"))
    return [
        (None, "/signup/", {"username": "newbie", "email": "", "password": PASSWORD, "password_again": PASSWORD},
         {"username": TEXT_WEB + [SCRIPT, IMG], "email": TEXT_WEB + [SCRIPT], "password": TEXT_WEB,
          "password_again": TEXT_WEB}),
        (None, "/login/", {"username": "rosa", "password": PASSWORD},
         {"username": TEXT_WEB, "password": TEXT_WEB}),
        ("rosa", "/groups/new/", {"name": "Eastside Pod", "timezone": "UTC", "trust_threshold": "2",
                                  "lat": "51.5", "lon": "-0.1"},
         {"name": TEXT_WEB, "description": TEXT_WEB, "public_description": TEXT_WEB, "location_name": TEXT_WEB,
          "lat": FLOAT_WEB, "lon": FLOAT_WEB, "timezone": CHOICE_WEB, "country": CHOICE_WEB,
          "languages": CHOICE_WEB, "trust_threshold": INT_WEB, "application_questions": TEXT_WEB}),
        ("ana", f"/groups/{s['closed'].public_id}/apply/", {"answer_0": "I live nearby"}, {"answer_0": TEXT_WEB}),
        ("olga", f"/applications/{s['application'].public_id}/decide/", {"decision": "decline", "reason": "Full"},
         {"decision": CHOICE_WEB, "reason": TEXT_WEB}),
        ("rosa", f"/groups/{g}/needs/new/", {"title": "Soup", "category": "food", "quantity": "2",
                                             "urgency": "normal", "post_anyway": "on", "lat": "51.5",
                                             "lon": "-0.1", "needed_by": "2999-01-01T10:00"},
         {"title": TEXT_WEB, "description": TEXT_WEB, "category": CHOICE_WEB, "quantity": INT_WEB,
          "urgency": CHOICE_WEB, "needed_by": DATETIME_WEB, "location_name": TEXT_WEB, "lat": FLOAT_WEB,
          "lon": FLOAT_WEB, "area": CHOICE_WEB,
          **{f"contact_{k}": TEXT_WEB for k in ("name", "phone", "email", "address",
                                                                  "preferred_language", "notes")}}),
        ("hugo", f"/groups/{g}/offers/new/", {"title": "Lifts", "category": "transport", "quantity": "2",
                                              "available_from": "2999-01-01T10:00",
                                              "available_until": "2999-02-01T10:00", "max_distance_km": "5"},
         {"title": TEXT_WEB, "description": TEXT_WEB, "category": CHOICE_WEB, "quantity": INT_WEB,
          "available_from": DATETIME_WEB, "available_until": DATETIME_WEB, "location_name": TEXT_WEB,
          "lat": FLOAT_WEB, "lon": FLOAT_WEB, "area": CHOICE_WEB, "max_distance_km": FLOAT_WEB}),
        ("olga", f"/groups/{g}/areas/", {"name": "Elm Road", "lat": "51.5", "lon": "-0.1"},
         {"name": TEXT_WEB + ["", "   "], "lat": FLOAT_WEB, "lon": FLOAT_WEB}),
        ("olga", f"/areas/{s['area'].public_id}/edit/", {"name": "The Green", "lat": "51.5", "lon": "-0.1"},
         {"name": TEXT_WEB + ["", "   "], "lat": FLOAT_WEB, "lon": FLOAT_WEB}),
        ("hugo", f"/needs/{n}/claim/", {"quantity": "1"}, {"quantity": INT_WEB, "offer": CHOICE_WEB}),
        ("hugo", f"/matches/{m}/cancel/", {"reason": "Ill"}, {"reason": TEXT_WEB + ["", "   "]}),
        ("rosa", f"/matches/{m}/messages/", {"text": "Ring twice, please"}, {"text": TEXT_WEB + ["", "   "]}),
        ("rosa", f"/offers/{o}/request/", {"quantity": "1", "note": "For Sunday"},
         {"quantity": INT_WEB, "note": TEXT_WEB}),
        ("rosa", f"/needs/{n}/edit/", {"title": "Soup", "quantity": "2", "urgency": "normal",
                                       "needed_by": "2999-01-01T10:00", "lat": "51.5", "lon": "-0.1"},
         {"title": TEXT_WEB + ["", "   "], "description": TEXT_WEB, "quantity": INT_WEB, "urgency": CHOICE_WEB,
          "needed_by": DATETIME_WEB, "location_name": TEXT_WEB, "lat": FLOAT_WEB, "lon": FLOAT_WEB,
          **{f"contact_{k}": TEXT_WEB for k in ("name", "phone", "email", "address", "preferred_language",
                                                "notes")}}),
        ("hugo", f"/offers/{o}/edit/", {"title": "Lifts", "quantity": "2", "available_from": "2999-01-01T10:00",
                                        "available_until": "2999-02-01T10:00", "max_distance_km": "5"},
         {"title": TEXT_WEB + ["", "   "], "description": TEXT_WEB, "quantity": INT_WEB,
          "available_from": DATETIME_WEB, "available_until": DATETIME_WEB, "location_name": TEXT_WEB,
          "max_distance_km": FLOAT_WEB}),
        ("rosa", f"/needs/{n}/cancel/", {"reason": "Sorted"}, {"reason": TEXT_WEB}),
        ("olga", f"/needs/{s['second'].public_id}/duplicate/", {"original": n}, {"original": CHOICE_WEB}),
        ("olga", f"/needs/{s['second'].public_id}/refer/", {"to_group": str(s["other"].public_id)},
         {"to_group": CHOICE_WEB}),
        ("rosa", "/settings/", {"language": "es"}, {"language": CHOICE_WEB}),
        ("rosa", "/account/password/", {"old_password": PASSWORD, "new_password1": "another-long-passphrase-7",
                                        "new_password2": "another-long-passphrase-7"},
         {"old_password": TEXT_WEB, "new_password1": TEXT_WEB, "new_password2": TEXT_WEB}),
        (None, "/account/password/reset/", {"email": "rosa@example.org"}, {"email": TEXT_WEB + [SCRIPT, IMG]}),
    ]


def _web_ids() -> list[str]:
    return ["signup", "login", "group-create", "apply", "decide", "post-need", "post-offer", "add-area", "edit-area",
            "claim",
            "cancel-match", "match-message", "offer-request", "edit-need", "edit-offer", "cancel-need", "duplicate",
            "refer", "settings", "password-change", "password-reset"]


def _post(client: Client, url: str, data: bytes | dict):
    if isinstance(data, dict):
        from urllib.parse import urlencode
        data = urlencode(data, doseq=True).encode()
    return client.generic("POST", url, data=data, content_type="application/x-www-form-urlencoded")


def _assert_form_refused(response, what: str) -> None:
    if response.status_code == 400:  # Django's answer to a request it cannot read at all
        return
    assert response.status_code == 200, (what, response.status_code, response.get("Location"))
    html = response.content.decode()
    assert 'class="errorlist' in html or 'class="form-errors' in html, f"{what}: no error shown"
    assert SCRIPT not in html and "<img src=x" not in html, f"{what}: input shown unescaped"


# Fields whose refusal is said for the whole form: log-in never says which of the two was wrong; a hidden field.
FORM_WIDE = {"login": {"username", "password"}, "decide": {"decision"}}


def _field_refused(html: str, field: str, form: str) -> bool:
    if re.search(rf'id="id_(?:[a-z0-9]+_)?{field}_error"', html):
        return True
    return field in FORM_WIDE.get(form, ()) and ('class="form-errors' in html or 'errorlist nonfield' in html)


@pytest.mark.parametrize("index", range(21), ids=_web_ids())
def test_web_form_refuses_hostile_fields_and_writes_nothing(scene, index):
    """Round k sends every field its k-th hostile value at once; each of them must be refused, by name."""
    who, url, valid, fields = web_forms(scene)[index]
    before = counts()
    addresses = iter(range(1, 250))

    def client() -> Client:
        c = Client(REMOTE_ADDR=f"10.2.{index}.{next(addresses)}")
        if who:
            c.force_login(scene["people"][who])
        return c

    for k in range(max(len(values) for values in fields.values())):
        hostile = {name: values[k] for name, values in fields.items() if k < len(values)}
        what = f"POST {url} with " + ", ".join(f"{name}={value[:20]!r}" for name, value in hostile.items())
        response = _post(client(), url, {**valid, **hostile})
        _assert_form_refused(response, what)
        if response.status_code == 200:
            html = response.content.decode()
            unrefused = [name for name in hostile if not _field_refused(html, name, _web_ids()[index])]
            assert not unrefused, f"{what}: no error shown for {unrefused}"
        assert counts() == before, f"{what}: something was written"
    # Invalid UTF-8 in every field at once, then a 10 MB body.
    broken = "&".join(f"{k}=%FF%FE%C3%28" for k in fields).encode()
    _assert_form_refused(_post(client(), url, broken), f"POST {url} with invalid UTF-8")
    assert counts() == before, f"POST {url} with invalid UTF-8: something was written"
    response = _post(client(), url, {**valid, next(iter(fields)): "x" * 10_000_000})
    assert response.status_code in (200, 400, 413), (url, response.status_code)
    assert counts() == before, f"POST {url} with a 10 MB body: something was written"
    # The valid form goes through: the refusals were about the hostile values.
    response = _post(client(), url, valid)
    assert response.status_code == 302, (url, response.status_code, response.content[:500])
    # A session, a preference and an e-mail sent are not rows we count.
    if url not in ("/login/", "/settings/", "/account/password/reset/"):
        assert counts() != before, f"{url}: the valid form changed nothing"


def test_forms_without_fields_answer_any_body_as_an_empty_one(scene):
    """The "Work out suggestions" buttons post no field: whatever body they are sent (text fields they do not take,
    invalid UTF-8, 10 MB), they work the suggestions out (a redirect) or refuse a body they cannot read (400/413),
    never fail; and all they write is the scope's one stored result, with its audit entry."""
    stored = {"AllocationResult", "AllocationProposal", "AuditEntry"}
    client = Client(REMOTE_ADDR="10.3.0.1")
    client.force_login(scene["people"]["olga"])
    for url in (f"/groups/{scene['group'].public_id}/allocation/work-out/", "/allocation/work-out/"):
        before = {name: n for name, n in counts().items() if name not in stored}
        for body in ({"need": BIG, "offer": "bad\x00value", "method": SCRIPT, "group": IMG},
                     b"need=%FF%FE%C3%28&offer=%FF", {"x": "x" * 10_000_000}):
            response = _post(client, url, body)
            assert response.status_code in (302, 400, 413), (url, response.status_code)
        assert {name: n for name, n in counts().items() if name not in stored} == before, url
    assert AllocationResult.objects.count() == 2  # the group's and the network's, each replaced on every run


# --- Script-bearing text is shown as text, everywhere ------------------------------------------------------


def _escaped(html: str, where: str) -> None:
    assert SCRIPT not in html, f"{where}: a <script> tag made it into the page"
    assert "<img src=x" not in html, f"{where}: an <img onerror> made it into the page"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, f"{where}: the text is not shown"


def test_script_bearing_text_is_stored_as_typed_and_shown_escaped(db, django_capture_on_commit_callbacks):
    hostile = SCRIPT + IMG
    with django_capture_on_commit_callbacks(execute=True):
        founder = networks.user_register(username="olga", password=PASSWORD, email="olga@example.org")
        helper = networks.user_register(username="hugo", password=PASSWORD, email="hugo@example.org")
        applicant = networks.user_register(username="ana", password=PASSWORD, email="ana@example.org")
        group = networks.group_create(actor=founder, name=f"Pod {hostile}"[:120], description=hostile,
                                      public_description=hostile, location_name=hostile[:120],
                                      application_questions=[f"Question {hostile}"])
        networks.group_join(actor=helper, group=group)
        need = circulation.need_create(actor=founder, group=group, title=hostile, description=hostile,
                                       category="food", quantity=3, location_name=hostile[:120],
                                       contact={"name": hostile[:120], "notes": hostile, "address": hostile})
        other = circulation.need_create(actor=founder, group=group, title=f"Second {hostile}", category="food",
                                        quantity=1)
        offer = circulation.offer_create(actor=helper, group=group, title=hostile, description=hostile,
                                         category="food", quantity=4, location_name=hostile[:120])
        match = circulation.match_claim(actor=helper, need=need, quantity=1, offer=offer)
        circulation.match_cancel(actor=helper, match=match, reason=hostile[:500])
        live = circulation.match_claim(actor=helper, need=need, quantity=1)
        circulation.match_message_write(actor=helper, match=live, text=hostile[:2000])
        Group.objects.filter(pk=group.pk).update(is_open=False)
        group.refresh_from_db()
        networks.application_submit(actor=applicant, group=group, answers=[hostile])
    assert Need.objects.get(pk=need.pk).title == hostile  # stored as typed, not mangled

    founder_client, helper_client = Client(), Client()
    founder_client.force_login(founder)
    helper_client.force_login(helper)
    pages = [
        (founder_client, "/"), (founder_client, "/groups/"), (founder_client, f"/groups/{group.public_id}/"),
        (founder_client, f"/groups/{group.public_id}/board/"), (founder_client, f"/needs/{need.public_id}/"),
        (founder_client, f"/needs/{other.public_id}/"), (founder_client, "/needs/"), (founder_client, "/me/posts/"),
        (founder_client, f"/groups/{group.public_id}/applications/"), (founder_client, "/notifications/"),
        (founder_client, f"/groups/{group.public_id}/members/"), (helper_client, "/me/matches/"),
        (helper_client, "/me/posts/"), (helper_client, f"/needs/{need.public_id}/"),
        (helper_client, f"/matches/{live.public_id}/"), (founder_client, f"/matches/{live.public_id}/"),
        (Client(), f"/groups/{group.public_id}/"), (Client(), "/groups/"),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _escaped(response.content.decode(), url)
    # The applicant is declined with a script-bearing reason and reads it in their notifications.
    from mutualaid.networks.models import Application as App
    with django_capture_on_commit_callbacks(execute=True):
        networks.application_decide(actor=founder, application=App.objects.get(user=applicant), accept=False,
                                    reason=hostile)
    applicant_client = Client()
    applicant_client.force_login(applicant)
    for url in ("/notifications/", f"/groups/{group.public_id}/"):
        response = applicant_client.get(url)
        assert response.status_code == 200, url
        _escaped(response.content.decode(), url)
    # The API gives the text back exactly, as JSON (never as HTML).
    token = networks.token_create(actor=founder)
    response = Client().get(f"/api/v1/needs/{need.public_id}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["title"] == hostile and response.json()["contact"]["notes"] == hostile


def test_script_bearing_user_names_are_refused_with_a_message(db):
    for name in (SCRIPT, IMG, "olga<b>"):
        response = Client(REMOTE_ADDR="10.3.0.1").post("/signup/", {
            "username": name, "email": "", "password": PASSWORD, "password_again": PASSWORD})
        _assert_form_refused(response, f"sign-up as {name!r}")
        response = Client(REMOTE_ADDR="10.3.0.2").post(
            "/api/v1/auth/register", {"username": name, "password": PASSWORD}, content_type="application/json")
        _assert_refused(response, f"API sign-up as {name!r}")
    assert not User.objects.exists()


def test_the_fixture_values_really_are_hostile():
    """Guard against a catalogue that quietly lost its teeth (NaN must stay NaN through our JSON encoding)."""
    encoded = json.dumps({"v": NAN, "w": INF}, allow_nan=True)
    assert encoded == '{"v": NaN, "w": Infinity}'
    assert math.isnan(json.loads(encoded)["v"])
    assert len(BIG) == 100_000 and "\x00" in HOSTILE["text"][1]
