"""Access control as a matrix: every API route and every web route, against every kind of person.

The tables below say, for each route and each actor, what must happen: the HTTP status of the answer (API), or the
status / "L" for "redirected to the log-in page" (web). One world is built for each route (a closed group with a
coordinator, members, a need with private contact details, a live match, an offer and a pending application; a
second group whose coordinator is the outsider), and each actor's request runs inside a savepoint that is rolled
back, so a write by one actor never changes what the next one meets.

Besides the status, every cell checks what the answer reveals:
- contact details (phone, address, exact latitude/longitude, notes) appear exactly where the table says so (the
  API's `contact` field and the need's page), and nowhere else, to nobody else;
- the group's inner life (need titles, members-only description) never reaches an anonymous visitor or the member
  of another group, and an applicant's answers reach only the coordinators;
- a refused read of another group's need, match, offer or application answers exactly as if it did not exist.

A route added to the API or to the URL configuration without a row here fails `test_every_*_route_has_a_row`, which
names it: whoever adds a route decides who may use it.

Standings: "newcomer" has just joined and nobody vouched for them; "member" is reached by trust from the founder but
holds fewer than the group's threshold of 3 trust paths; "coordinator" founded the group; "suspended" was vouched
for, then suspended by a coordinator (a member still, holding no standing: they meet what a newcomer meets, except
that they cannot claim).
"""
from __future__ import annotations

import json
import re
import uuid
from urllib.parse import urlencode
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest
from django.db import transaction
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver

from mutualaid.api import api
from mutualaid.circulation import services as circulation
from mutualaid.circulation.suggestions import services as suggestions
from mutualaid.networks import services as networks
from mutualaid.networks.models import ApiToken, Group

ACTORS = ("anonymous", "outsider", "newcomer", "member", "coordinator", "requester", "helper", "suspended")
PASSWORD = "a-long-passphrase-42"
API_PREFIX = "/api/v1"

# What must stay private, and who may see it.
PHONE, ADDRESS, NOTES = "+44 7700 900123", "12 Example Street", "Ring the bell twice, the dog is friendly"
EXACT = ("51.50123", "-0.10456")
CONTACT_SECRETS = (PHONE, ADDRESS, NOTES, *EXACT, "51,50123", "-0,10456")
CONTACT_SEERS = {"coordinator", "requester", "helper"}
INSIDE_SECRETS = ("Insulin cooler for the Vale flat", "Wheelchair ramp on loan",
                  "Members only: the spare key is with the caretaker")
MEMBERS = {"newcomer", "member", "coordinator", "requester", "helper", "suspended"}  # suspension keeps membership
ANSWER = "I moved to Elm Road last spring"
ANSWER_SEERS = {"coordinator"}


# --- The world ----------------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, Any]
    tokens: dict[str, str]
    group: Group
    other_group: Group
    need: Any
    free_need: Any
    match: Any
    offer: Any
    application: Any
    applicant: Any
    area: Any

    def ids(self) -> dict[str, str]:
        return {"group_id": str(self.group.public_id), "need_id": str(self.need.public_id),
                "match_id": str(self.match.public_id), "offer_id": str(self.offer.public_id),
                "application_id": str(self.application.public_id),
                "user_id": str(self.users["member"].public_id), "area_id": str(self.area.public_id)}


def build_world() -> World:
    with TestCase.captureOnCommitCallbacks(execute=True):  # notifications are delivered on commit
        make = {name: networks.user_register(username=username, password=PASSWORD, email=f"{username}@example.org")
                for name, username in (("outsider", "otto"), ("newcomer", "nina"), ("member", "mia"),
                                       ("coordinator", "cora"), ("requester", "rita"), ("helper", "hugo"),
                                       ("suspended", "sam"), ("applicant", "ada"))}
        group = networks.group_create(
            actor=make["coordinator"], name="Northside Pod", location_name="Northside", lat=51.5, lon=-0.1,
            description=INSIDE_SECRETS[2], trust_threshold=3,
            application_questions=["Where do you live, roughly?"])
        for name in ("requester", "helper", "member", "newcomer", "suspended"):
            networks.group_join(actor=make[name], group=group)
        for name in ("requester", "helper"):  # vouched for by the founder: members
            networks.trust_give(actor=make["coordinator"], group=group, receiver=make[name])
        # Trust reaches mia through rita: a member too. Nobody vouched for nina: a newcomer.
        networks.trust_give(actor=make["requester"], group=group, receiver=make["member"])
        Group.objects.filter(pk=group.pk).update(is_open=False)  # closed from now on: others apply
        group.refresh_from_db()
        other = networks.group_create(actor=make["outsider"], name="Southside Pod", location_name="Southside")
        need = circulation.need_create(
            actor=make["requester"], group=group, title=INSIDE_SECRETS[0], category="medicine-pickup", quantity=3,
            urgency="high", description="Keeps insulin cold", lat=float(EXACT[0]), lon=float(EXACT[1]),
            location_name="Northside", contact={"phone": PHONE, "address": ADDRESS, "notes": NOTES, "name": "Rita"})
        free_need = circulation.need_create(actor=make["requester"], group=group, title=INSIDE_SECRETS[1],
                                            category="other", quantity=1)
        offer = circulation.offer_create(actor=make["helper"], group=group, title="Cool bags and a bike",
                                         category="medicine-pickup", quantity=5)
        match = circulation.match_claim(actor=make["helper"], need=need, quantity=1, offer=offer)
        # Sam was vouched for and had a confirmed claim; a coordinator suspended him: claim handed back, no standing.
        networks.trust_give(actor=make["coordinator"], group=group, receiver=make["suspended"])
        circulation.match_claim(actor=make["suspended"], need=need, quantity=1)
        networks.suspension_create(actor=make["coordinator"], group=group, user=make["suspended"],
                                   reason="Asked neighbours for their addresses")
        application = networks.application_submit(actor=make["applicant"], group=group, answers=[ANSWER])
        area = networks.area_add(actor=make["coordinator"], group=group, name="Northside Green", lat=51.501,
                                 lon=-0.101)
        # Suggestions worked out, as the worker does: the allocation pages and GET /suggestions show stored pairs
        # (the group's insulin need from the helper's offer), which must reach nobody outside the group.
        suggestions.suggestions_work_out_all()
        tokens = {name: networks.token_create(actor=user) for name, user in make.items()}
    applicant = make.pop("applicant")
    return World(users=make, tokens=tokens, group=group, other_group=other, need=need, free_need=free_need,
                 match=match, offer=offer, application=application, applicant=applicant, area=area)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, inside a transaction rolled back at its end. Each test runs in its own savepoint
    (pytest-django's `db`), and each actor's request in a savepoint of its own, rolled back too."""
    with django_db_blocker.unblock(), transaction.atomic():
        circulation.categories_ensure_defaults()
        yield build_world()
        transaction.set_rollback(True)


# --- The tables ---------------------------------------------------------------------------------------


@dataclass
class Row:
    """Expected answers in ACTORS order; `body`/`query` build the request from the world; `args` overrides which
    world object fills a path parameter; `reveals` names what the allowed actors must see in the answer."""

    expect: str
    body: Callable[[World], dict] | None = None
    query: Callable[[World], dict] | None = None
    args: dict[str, Callable[[World], Any]] = field(default_factory=dict)
    reveals: tuple[str, ...] = ()
    contact_seers: frozenset[str] = frozenset(CONTACT_SEERS)  # who sees the contact details in this answer
    # A suspended member holds no standing: unless a row says otherwise, they meet what a newcomer meets.
    suspended: str | None = None

    def expected(self) -> dict[str, str]:
        codes = self.expect.split()
        if len(codes) == len(ACTORS) - 1:
            codes.append(self.suspended or codes[ACTORS.index("newcomer")])
        assert len(codes) == len(ACTORS), self.expect
        return dict(zip(ACTORS, codes))


def _free_need(w: World) -> str:
    return str(w.free_need.public_id)


def _new_need(w: World) -> dict:
    return {"group": str(w.group.public_id), "title": "Soup for two", "category": "food", "quantity": 2,
            "contact": {"phone": "+44 7700 900999"}}


def _new_offer(w: World) -> dict:
    return {"group": str(w.group.public_id), "title": "Lifts on Sundays", "category": "transport", "quantity": 2}


def _requester_token(w: World) -> str:
    return str(ApiToken.objects.get(user=w.users["requester"]).public_id)


def _suggested_pair(w: World) -> dict:
    return {"need": str(w.need.public_id), "offer": str(w.offer.public_id), "quantity": 1}


# Statuses: 2xx allowed; 401 no token; 403 a member without the role; 404 not a member (nothing is revealed);
# 409 allowed in principle, refused by the state of the world (already a member, trust already given, ...).
API_MATRIX: dict[tuple[str, str], Row] = {
    #                                                    anon outs newc memb coor requ help
    ("POST", "/auth/register"): Row("201 201 201 201 201 201 201",
                                    body=lambda w: {"username": "newperson", "password": PASSWORD}),
    ("POST", "/auth/token"): Row("200 200 200 200 200 200 200",
                                 body=lambda w: {"username": "rita", "password": PASSWORD}),
    ("GET", "/groups"): Row("200 200 200 200 200 200 200"),
    ("POST", "/groups"): Row("401 201 201 201 201 201 201", body=lambda w: {"name": "Eastside Pod"}),
    ("GET", "/groups/{group_id}"): Row("200 200 200 200 200 200 200"),
    ("POST", "/groups/{group_id}/join"): Row("401 403 409 409 409 409 409"),
    ("POST", "/groups/{group_id}/leave"): Row("401 404 200 200 200 200 200"),
    ("GET", "/groups/{group_id}/members"): Row("401 404 200 200 200 200 200"),
    # A group's named areas: its members see them; its coordinators name, change and remove them.
    ("GET", "/groups/{group_id}/areas"): Row("401 404 200 200 200 200 200"),
    ("POST", "/groups/{group_id}/areas"): Row("401 404 403 403 201 403 403",
                                              body=lambda w: {"name": "Elm Road", "lat": 51.502, "lon": -0.102}),
    ("PUT", "/areas/{area_id}"): Row("401 404 403 403 200 403 403", body=lambda w: {"name": "The Green"}),
    ("DELETE", "/areas/{area_id}"): Row("401 404 403 403 200 403 403"),
    ("POST", "/groups/{group_id}/members/{user_id}/trust"): Row("401 404 201 403 201 409 201"),
    ("DELETE", "/groups/{group_id}/members/{user_id}/trust"): Row("401 404 409 409 409 200 409"),
    ("POST", "/groups/{group_id}/applications"): Row("401 201 409 409 409 409 409",
                                                     body=lambda w: {"answers": ["Southside, by the park"]}),
    ("GET", "/groups/{group_id}/applications"): Row("401 404 403 403 200 403 403", reveals=("answers",)),
    ("POST", "/applications/{application_id}/decide"): Row("401 404 403 403 200 403 403",
                                                           body=lambda w: {"accept": True}),
    ("GET", "/notifications"): Row("401 200 200 200 200 200 200"),
    ("POST", "/notifications/read"): Row("401 200 200 200 200 200 200"),
    ("GET", "/categories"): Row("200 200 200 200 200 200 200"),
    # The map: groups for anyone; a member's own groups' open needs and offers, at coarse places.
    ("GET", "/map.geojson"): Row("200 200 200 200 200 200 200"),
    ("GET", "/needs"): Row("401 404 200 200 200 200 200", query=lambda w: {"group": str(w.group.public_id)}),
    ("POST", "/needs"): Row("401 404 201 201 201 201 201", body=_new_need),
    ("GET", "/needs/{need_id}"): Row("401 404 200 200 200 200 200", reveals=("contact",)),
    # Fixing mistakes: the requester their need (rita's own, so the coordinator may not), the helper their offer.
    ("PATCH", "/needs/{need_id}"): Row("401 404 403 403 403 200 403", body=lambda w: {"quantity": 4},
                                       reveals=("contact",), contact_seers=frozenset({"requester"})),
    ("PATCH", "/offers/{offer_id}"): Row("401 404 403 403 403 403 200", body=lambda w: {"quantity": 6}),
    ("POST", "/needs/{need_id}/claim"): Row("401 404 201 201 201 403 201", body=lambda w: {"quantity": 1},
                                            suspended="403"),
    ("POST", "/needs/{need_id}/cancel"): Row("401 404 403 403 200 200 403", body=lambda w: {"reason": "Sorted"}),
    ("POST", "/needs/{need_id}/duplicate"): Row("401 404 403 403 200 403 403", args={"need_id": _free_need},
                                                body=lambda w: {"original": str(w.need.public_id)}),
    ("POST", "/needs/{need_id}/refer"): Row("401 404 403 403 201 403 403", args={"need_id": _free_need},
                                            body=lambda w: {"group": str(w.other_group.public_id)}),
    ("GET", "/matches"): Row("401 200 200 200 200 200 200"),
    ("GET", "/matches/{match_id}"): Row("401 404 200 200 200 200 200"),
    # A match's conversation: its two sides and the group's coordinators; the group's other members are refused.
    ("GET", "/matches/{match_id}/messages"): Row("401 404 403 403 200 200 200"),
    ("POST", "/matches/{match_id}/messages"): Row("401 404 403 403 201 201 201",
                                                  body=lambda w: {"text": "I can come at six, is that all right?"}),
    ("POST", "/matches/{match_id}/complete"): Row("401 404 403 403 200 200 403"),
    # The world's match is confirmed already: those who may accept are told there is nothing to accept.
    ("POST", "/matches/{match_id}/accept"): Row("401 404 403 403 409 409 403"),
    # Nobody's claims are paused in the world: a coordinator is told so; nobody else may lift a pause.
    ("POST", "/groups/{group_id}/members/{user_id}/claims/resume"): Row("401 404 403 403 409 403 403"),
    # Only a coordinator suspends (mia, a member); no suspension exists in the world to confirm.
    ("POST", "/groups/{group_id}/members/{user_id}/suspend"): Row("401 404 403 403 201 403 403",
                                                                  body=lambda w: {"reason": "A safety concern"}),
    ("POST", "/suspensions/{suspension_id}/confirm"): Row("401 404 404 404 404 404 404",
                                                          args={"suspension_id": lambda w: uuid.uuid4()}),
    ("POST", "/matches/{match_id}/cancel"): Row("401 404 403 403 200 200 200", body=lambda w: {"reason": "Ill"}),
    ("GET", "/offers"): Row("401 404 200 200 200 200 200", query=lambda w: {"group": str(w.group.public_id)}),
    ("POST", "/offers"): Row("401 404 201 201 201 201 201", body=_new_offer),
    # "I'd like this": any member but the offer's helper (the world's offer is Hugo's).
    ("POST", "/offers/{offer_id}/request"): Row("401 404 201 201 201 201 403", body=lambda w: {"quantity": 1}),
    ("GET", "/offers/{offer_id}"): Row("401 404 200 200 200 200 200"),
    ("POST", "/offers/{offer_id}/status"): Row("401 404 403 403 403 403 200", body=lambda w: {"status": "paused"}),
    # A person's own data: the requester's export holds the contact details they gave for their need.
    ("GET", "/me/export"): Row("401 200 200 200 200 200 200", reveals=("contact",),
                               contact_seers=frozenset({"requester"})),
    ("DELETE", "/me"): Row("401 200 200 200 200 200 200", body=lambda w: {"password": PASSWORD}),
    ("POST", "/me/password"): Row("401 200 200 200 200 200 200", body=lambda w: {
        "current_password": PASSWORD, "new_password": "another-long-passphrase-7"}),
    ("GET", "/me/tokens"): Row("401 200 200 200 200 200 200"),
    # The requester's token: only she may revoke it; to anyone else it does not exist.
    ("DELETE", "/me/tokens/{token_id}"): Row("401 404 404 404 404 200 404", args={"token_id": _requester_token}),
    # Allocation: suggestions are answered by the offer's helper only; running it is for coordinators.
    ("GET", "/suggestions"): Row("401 200 200 200 200 200 200"),
    ("POST", "/suggestions/accept"): Row("401 404 403 403 403 403 201", body=_suggested_pair),
    ("POST", "/suggestions/decline"): Row("401 404 403 403 403 403 200", body=_suggested_pair),
    ("POST", "/allocations"): Row("401 404 403 403 200 403 403", body=lambda w: {"group": str(w.group.public_id)}),
}

# Web: "L" is a redirect to the log-in page (with ?next=); 302 elsewhere is the post/redirect/get of a form handled
# (or of a refusal explained by a message on the page it returns to); 405 a method the route does not take.
WEB_MATRIX: dict[str, dict[str, Row]] = {
    #                                                  anon outs newc memb coor requ help
    "/": {"GET": Row("200 200 200 200 200 200 200")},
    "/healthz": {"GET": Row("200 200 200 200 200 200 200")},
    "/signup/": {"GET": Row("200 302 302 302 302 302 302"),
                 "POST": Row("302 302 302 302 302 302 302", body=lambda w: {
                     "username": "newperson", "email": "", "password": PASSWORD, "password_again": PASSWORD})},
    "/login/": {"GET": Row("200 302 302 302 302 302 302"),
                "POST": Row("302 302 302 302 302 302 302", body=lambda w: {"username": "rita", "password": PASSWORD})},
    "/logout/": {"GET": Row("405 405 405 405 405 405 405"), "POST": Row("302 302 302 302 302 302 302")},
    "/settings/": {"GET": Row("L 200 200 200 200 200 200"),
                   "POST": Row("L 302 302 302 302 302 302", body=lambda w: {"language": "es"})},
    "/groups/": {"GET": Row("200 200 200 200 200 200 200")},
    "/map/": {"GET": Row("200 200 200 200 200 200 200")},
    "/groups/new/": {"GET": Row("L 200 200 200 200 200 200"),
                     "POST": Row("L 302 302 302 302 302 302", body=lambda w: {"name": "Eastside Pod",
                                                                               "timezone": "UTC"})},
    "/groups/<uuid:group_id>/": {"GET": Row("200 200 200 200 200 200 200")},
    "/groups/<uuid:group_id>/join/": {"GET": Row("405 405 405 405 405 405 405"),
                                      "POST": Row("L 403 302 302 302 302 302")},
    "/groups/<uuid:group_id>/apply/": {"GET": Row("L 200 302 302 302 302 302"),
                                       "POST": Row("L 302 302 302 302 302 302",
                                                   body=lambda w: {"answer_0": "Southside, by the park"})},
    "/groups/<uuid:group_id>/leave/": {"POST": Row("L 404 302 302 302 302 302")},
    "/groups/<uuid:group_id>/board/": {"GET": Row("L 404 200 200 200 200 200")},
    "/groups/<uuid:group_id>/members/": {"GET": Row("L 404 200 200 200 200 200")},
    "/groups/<uuid:group_id>/areas/": {"GET": Row("L 404 200 200 200 200 200"),
                                       "POST": Row("L 404 403 403 302 403 403", body=lambda w: {
                                           "name": "Elm Road", "lat": "51.502", "lon": "-0.102"})},
    "/areas/<uuid:area_id>/edit/": {"GET": Row("L 404 403 403 200 403 403"),
                                    "POST": Row("L 404 403 403 302 403 403", body=lambda w: {"name": "The Green"})},
    "/areas/<uuid:area_id>/remove/": {"GET": Row("405 405 405 405 405 405 405"),
                                      "POST": Row("L 404 403 403 302 403 403")},
    "/groups/<uuid:group_id>/members/<uuid:user_id>/trust/": {
        "POST": Row("L 404 302 403 302 302 302", body=lambda w: {"action": "give"})},
    "/groups/<uuid:group_id>/applications/": {"GET": Row("L 404 403 403 200 403 403", reveals=("answers",))},
    "/applications/<uuid:application_id>/decide/": {
        "POST": Row("L 404 403 403 302 403 403", body=lambda w: {"decision": "accept", "reason": ""})},
    "/groups/<uuid:group_id>/needs/new/": {
        "GET": Row("L 404 200 200 200 200 200"),
        "POST": Row("L 404 302 302 302 302 302", body=lambda w: {
            "title": "Soup for two", "category": "food", "quantity": "2", "urgency": "normal",
            "post_anyway": "on"})},
    "/groups/<uuid:group_id>/offers/new/": {
        "GET": Row("L 404 200 200 200 200 200"),
        "POST": Row("L 404 302 302 302 302 302", body=lambda w: {"title": "Lifts on Sundays",
                                                                  "category": "transport", "quantity": "2"})},
    "/needs/": {"GET": Row("L 200 200 200 200 200 200")},
    "/needs/<uuid:need_id>/": {"GET": Row("L 404 200 200 200 200 200", reveals=("contact",))},
    "/needs/<uuid:need_id>/edit/": {
        "GET": Row("L 404 403 403 403 200 403", reveals=("contact",), contact_seers=frozenset({"requester"})),
        "POST": Row("L 404 403 403 403 302 403", body=lambda w: {
            "title": INSIDE_SECRETS[0], "quantity": "4", "urgency": "high", "contact_phone": PHONE})},
    "/offers/<uuid:offer_id>/": {"GET": Row("L 404 200 200 200 200 200")},
    "/offers/<uuid:offer_id>/request/": {"GET": Row("405 405 405 405 405 405 405"),
                                         "POST": Row("L 404 302 302 302 302 403", body=lambda w: {"quantity": "1"})},
    "/offers/<uuid:offer_id>/edit/": {
        "GET": Row("L 404 403 403 403 403 200"),
        "POST": Row("L 404 403 403 403 403 302", body=lambda w: {"title": "Cool bags and a bike", "quantity": "6"})},
    "/needs/<uuid:need_id>/claim/": {"POST": Row("L 404 302 302 302 403 302", body=lambda w: {"quantity": "1"},
                                                 suspended="403")},
    "/needs/<uuid:need_id>/cancel/": {"POST": Row("L 404 403 403 302 302 403", body=lambda w: {"reason": "Sorted"})},
    "/needs/<uuid:need_id>/duplicate/": {"GET": Row("L 404 403 403 200 403 403", args={"need_id": _free_need}),
                                         "POST": Row("L 404 403 403 302 403 403", args={"need_id": _free_need},
                                                     body=lambda w: {"original": str(w.need.public_id)})},
    "/needs/<uuid:need_id>/refer/": {"GET": Row("L 404 403 403 200 403 403", args={"need_id": _free_need}),
                                     "POST": Row("L 404 403 403 302 403 403", args={"need_id": _free_need},
                                                 body=lambda w: {"to_group": str(w.other_group.public_id)})},
    "/matches/<uuid:match_id>/": {"GET": Row("L 404 403 403 200 200 200")},
    "/matches/<uuid:match_id>/messages/": {"GET": Row("405 405 405 405 405 405 405"),
                                           "POST": Row("L 404 403 403 302 302 302", body=lambda w: {
                                               "text": "I can come at six, is that all right?"})},
    "/matches/<uuid:match_id>/complete/": {"POST": Row("L 404 403 403 302 302 403")},
    "/matches/<uuid:match_id>/accept/": {"POST": Row("L 404 403 403 302 302 403")},  # 302: with the message
    "/groups/<uuid:group_id>/members/<uuid:user_id>/resume-claims/": {"POST": Row("L 404 403 403 302 403 403")},
    "/groups/<uuid:group_id>/members/<uuid:user_id>/suspend/": {"POST": Row("L 404 403 403 302 403 403",
                                                                            body=lambda w: {"reason": "Concern"})},
    "/suspensions/<uuid:suspension_id>/confirm/": {"POST": Row("L 404 404 404 404 404 404",
                                                               args={"suspension_id": lambda w: uuid.uuid4()})},
    "/matches/<uuid:match_id>/cancel/": {"POST": Row("L 404 403 403 302 302 302", body=lambda w: {"reason": "Ill"})},
    "/offers/<uuid:offer_id>/status/": {"POST": Row("L 404 403 403 403 403 302", body=lambda w: {"action": "pause"})},
    "/notifications/": {"GET": Row("L 200 200 200 200 200 200")},
    "/me/matches/": {"GET": Row("L 200 200 200 200 200 200")},
    "/me/posts/": {"GET": Row("L 200 200 200 200 200 200")},
    "/me/suggestions/": {"GET": Row("L 200 200 200 200 200 200")},
    "/me/suggestions/accept/": {"POST": Row("L 404 403 403 403 403 302", body=_suggested_pair)},
    "/me/suggestions/decline/": {"POST": Row("L 404 403 403 403 403 302", body=_suggested_pair)},
    "/groups/<uuid:group_id>/allocation/": {"GET": Row("L 404 403 403 200 403 403")},
    "/groups/<uuid:group_id>/allocation/send/": {"POST": Row("L 404 403 403 302 403 403")},
    # Working the suggestions out again (a POST, never a GET): the group's coordinators; the network's, anyone who
    # coordinates a group.
    "/groups/<uuid:group_id>/allocation/work-out/": {"POST": Row("L 404 403 403 302 403 403"),
                                                     "GET": Row("405 405 405 405 405 405 405")},
    # The network's allocation, for anyone who coordinates a group (the outsider coordinates theirs): another
    # group's needs appear only as counts there.
    "/allocation/": {"GET": Row("L 200 403 403 200 403 403")},
    "/allocation/work-out/": {"POST": Row("L 302 403 403 302 403 403"), "GET": Row("405 405 405 405 405 405 405")},
    "/account/data/": {"GET": Row("L 200 200 200 200 200 200", reveals=("contact",),
                                  contact_seers=frozenset({"requester"}))},
    "/account/delete/": {"GET": Row("L 200 200 200 200 200 200"),
                         "POST": Row("L 302 302 302 302 302 302", body=lambda w: {"password": PASSWORD})},
    "/account/password/": {"GET": Row("L 200 200 200 200 200 200"),
                           "POST": Row("L 302 302 302 302 302 302", body=lambda w: {
                               "old_password": PASSWORD, "new_password1": "another-long-passphrase-7",
                               "new_password2": "another-long-passphrase-7"})},
    # Anyone may ask for a reset link; the page answers the same whether or not an account has the address.
    "/account/password/reset/": {"GET": Row("200 200 200 200 200 200 200"),
                                 "POST": Row("302 302 302 302 302 302 302",
                                             body=lambda w: {"email": "rita@example.org"})},
    "/account/password/reset/sent/": {"GET": Row("200 200 200 200 200 200 200")},
    "/account/password/reset/done/": {"GET": Row("200 200 200 200 200 200 200")},
    # A link that does not hold: a page that says so, to everyone (test_password_reset follows a real one).
    "/account/password/reset/<uidb64>/<token>/": {
        "GET": Row("200 200 200 200 200 200 200", args={"uidb64": lambda w: "MTIz", "token": lambda w: "x-y"}),
        "POST": Row("200 200 200 200 200 200 200", args={"uidb64": lambda w: "MTIz", "token": lambda w: "x-y"},
                    body=lambda w: {"new_password1": PASSWORD, "new_password2": PASSWORD})},
    "/account/tokens/": {"GET": Row("L 200 200 200 200 200 200")},
    # The requester's token: she revokes it; for anyone else there is no such token (said on the page).
    "/account/tokens/<uuid:token_id>/revoke/": {"GET": Row("405 405 405 405 405 405 405",
                                                           args={"token_id": _requester_token}),
                                                "POST": Row("L 302 302 302 302 302 302",
                                                            args={"token_id": _requester_token})},
}

# Path parameters naming an object that belongs to a group's inner life: refused, it must look non-existent.
HIDDEN_PARAMS = {"need_id", "match_id", "offer_id", "application_id"}


# --- Enumerating the routes ---------------------------------------------------------------------------


def api_routes() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    routes = set()
    for path, operations in schema["paths"].items():
        for method in operations:
            routes.add((method.upper(), path.removeprefix(API_PREFIX)))
    return routes


def web_routes() -> set[str]:
    """Every route of the URL configuration except the API (tabled above from its schema) and static files."""
    found = set()

    def walk(resolver: URLResolver, prefix: str) -> None:
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern, route)
            elif isinstance(pattern, URLPattern):
                found.add("/" + route)

    walk(get_resolver(), "")
    return {r for r in found if not r.startswith(("/api/", "/static/", "/media/"))}


def test_every_api_route_has_a_row():
    routes = api_routes()
    missing = sorted(routes - set(API_MATRIX))
    stale = sorted(set(API_MATRIX) - routes)
    assert not missing, f"API routes without a row in API_MATRIX (say who may use them): {missing}"
    assert not stale, f"rows in API_MATRIX for routes that no longer exist: {stale}"


def test_every_web_route_has_a_row():
    routes = web_routes()
    missing = sorted(routes - set(WEB_MATRIX))
    stale = sorted(set(WEB_MATRIX) - routes)
    assert not missing, f"web routes without a row in WEB_MATRIX (say who may use them): {missing}"
    assert not stale, f"rows in WEB_MATRIX for routes that no longer exist: {stale}"


# --- Checking one cell ----------------------------------------------------------------------------------


def _fill(template: str, values: dict[str, str]) -> str:
    return re.sub(r"{(\w+)}|<(?:\w+:)?(\w+)>", lambda m: values[m.group(1) or m.group(2)], template)


def _values(w: World, row: Row) -> dict[str, str]:
    values = w.ids()
    values.update({name: str(build(w)) for name, build in row.args.items()})
    return values


def _strip_volatile(html: str) -> str:
    """A page without what changes from one request to the next (CSRF tokens, nonces)."""
    return re.sub(r'(value|content|nonce)="[A-Za-z0-9+/=_-]{20,}"', r'\1=""', html)


def _check_secrets(actor: str, text: str, row: Row, status: int, where: str) -> None:
    sees_contact = actor in row.contact_seers and "contact" in row.reveals and 200 <= status < 300
    for secret in CONTACT_SECRETS:
        if secret in text and not sees_contact:
            pytest.fail(f"{where}: {actor} sees the contact detail {secret!r}")
    if sees_contact:
        for secret in (PHONE, ADDRESS, NOTES, EXACT[0], EXACT[1]):
            assert secret in text, f"{where}: {actor} should see the contact detail {secret!r}"
    if actor not in MEMBERS:
        for secret in INSIDE_SECRETS:
            assert secret not in text, f"{where}: {actor}, not a member, sees {secret!r}"
    if ANSWER in text and actor not in ANSWER_SEERS:
        pytest.fail(f"{where}: {actor} sees an applicant's answer")
    if "answers" in row.reveals and actor in ANSWER_SEERS and 200 <= status < 300:
        assert ANSWER in text, f"{where}: {actor} should see the applicant's answers"


def _api_call(w: World, actor: str, method: str, path: str, row: Row, values: dict[str, str]):
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {w.tokens[actor]}"} if actor != "anonymous" else {}
    url = API_PREFIX + _fill(path, values)
    if method == "GET":
        return client.get(url, row.query(w) if row.query else {}, **headers)
    body = row.body(w) if row.body else {}
    return client.generic(method, url, data=json.dumps(body) if row.body else b"",
                          content_type="application/json", **headers)


@pytest.mark.parametrize("route", sorted(API_MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_api_access(db, world, route):
    method, path = route
    row = API_MATRIX[route]
    values = _values(world, row)
    problems = []
    for actor, expected in row.expected().items():
        with transaction.atomic():
            response = _api_call(world, actor, method, path, row, values)
            if response.status_code == 404 and HIDDEN_PARAMS & set(re.findall(r"{(\w+)}", path)):
                # The same request about an object that does not exist: the answer must be the same.
                ghost = _api_call(world, actor, method, path, row,
                                  {**values, **{p: str(uuid.uuid4()) for p in HIDDEN_PARAMS}})
                assert (ghost.status_code, ghost.json()) == (404, response.json()), (
                    f"{method} {path}: the refusal to {actor} differs from the answer about nothing: "
                    f"{response.json()} vs {ghost.json()}")
            transaction.set_rollback(True)
        where = f"{method} {path} as {actor}"
        if response.status_code != int(expected):
            problems.append(f"{where}: expected {expected}, got {response.status_code} {response.content[:200]!r}")
            continue
        # JSON, or GeoJSON (RFC 7946's application/geo+json, the map's) which is JSON too
        assert response["Content-Type"].split(";")[0] in {"application/json", "application/geo+json"}, where
        body = response.json()
        if response.status_code >= 400:
            assert isinstance(body.get("detail"), str) and body["detail"], f"{where}: {body}"
        _check_secrets(actor, response.content.decode(), row, response.status_code, where)
        if path == "/needs/{need_id}" and response.status_code == 200:  # the `contact` field itself
            if actor in row.contact_seers:
                assert body["contact"]["phone"] == PHONE and body["contact"]["address"] == ADDRESS, where
                assert (body["contact"]["lat"], body["contact"]["lon"]) == tuple(map(float, EXACT)), where
            else:
                assert "contact" not in body, where
    assert not problems, "\n".join(problems)


def _web_call(w: World, actor: str, method: str, url: str, row: Row):
    client = Client()
    if actor != "anonymous":
        client.force_login(w.users[actor])
    if method == "GET":
        return client.get(url, row.query(w) if row.query else {})
    return client.generic(method, url, data=urlencode(row.body(w) if row.body else {}),
                          content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize("route,method", sorted((r, m) for r, methods in WEB_MATRIX.items() for m in methods),
                         ids=lambda v: v)
def test_web_access(db, world, route, method):
    row = WEB_MATRIX[route][method]
    values = _values(world, row)
    url = _fill(route, values)
    problems = []
    for actor, expected in row.expected().items():
        with transaction.atomic():
            response = _web_call(world, actor, method, url, row)
            if response.status_code == 404 and HIDDEN_PARAMS & set(re.findall(r"<uuid:(\w+)>", route)):
                ghost = _web_call(world, actor, method, _fill(route, {**values, **{
                    p: str(uuid.uuid4()) for p in HIDDEN_PARAMS}}), row)
                assert ghost.status_code == 404, route
                assert _strip_volatile(ghost.content.decode()) == _strip_volatile(response.content.decode()), (
                    f"{method} {route}: the 404 page for {actor} differs from the one about nothing")
            transaction.set_rollback(True)
        where = f"{method} {route} as {actor}"
        location = response.get("Location", "")
        if expected == "L":
            if response.status_code != 302 or not location.startswith("/login/?next="):
                problems.append(f"{where}: expected a redirect to log in, got {response.status_code} {location}")
            continue
        if response.status_code != int(expected):
            problems.append(f"{where}: expected {expected}, got {response.status_code} {location}")
            continue
        if response.status_code == 302 and actor != "anonymous":
            assert not location.startswith("/login/"), f"{where}: sent to log in although signed in"
        _check_secrets(actor, response.content.decode(), row, response.status_code, where)
    assert not problems, "\n".join(problems)
