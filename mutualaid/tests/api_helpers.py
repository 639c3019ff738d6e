"""Helpers for the API tests: people who register and sign in through the API itself, and error assertions.

Used by `networks/tests/test_api.py` and `circulation/tests/test_api.py`; the fixtures are imported there by name.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

PREFIX = "/api/v1"
PASSWORD = "a-long-passphrase-42"


class Api:
    """A JSON client for /api/v1 speaking as one person (or as nobody, or with a token that is not one)."""

    def __init__(self, token: str | None = None, *, username: str = "", user_id: str = ""):
        self.client = Client()
        self.token = token
        self.username = username
        self.id = user_id

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, params: dict[str, Any] | None = None):
        return self.client.get(PREFIX + path, params or {}, **self._headers())

    def post(self, path: str, body: Any = None, *, raw: str | bytes | None = None):
        data = raw if raw is not None else ("" if body is None else json.dumps(body, default=str))
        return self.client.post(PREFIX + path, data, content_type="application/json", **self._headers())

    def put(self, path: str, body: Any = None):
        return self.client.put(PREFIX + path, json.dumps(body), content_type="application/json", **self._headers())

    def delete(self, path: str):
        return self.client.delete(PREFIX + path, **self._headers())

    def request(self, method: str, path: str):
        return getattr(self.client, method.lower())(PREFIX + path, **self._headers())

    def __repr__(self) -> str:
        return f"<Api {self.username or ('bad token' if self.token else 'anonymous')}>"


def register(username: str, *, password: str = PASSWORD, email: str | None = None) -> Api:
    """Register through the API and sign in through it: the returned client carries the person's token."""
    anonymous = Api()
    body: dict[str, Any] = {"username": username, "password": password}
    if email is not None:
        body["email"] = email
    response = anonymous.post("/auth/register", body)
    assert response.status_code == 201, response.content
    user_id = response.json()["id"]
    response = anonymous.post("/auth/token", {"username": username, "password": password})
    assert response.status_code == 200, response.content
    return Api(response.json()["token"], username=username, user_id=user_id)


def assert_error(response, status: int, *words: str) -> dict:
    """The answer has the status, is JSON `{"detail": "..."}`, and its detail names each of `words`."""
    assert response.status_code == status, (response.status_code, response.content)
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body.get("detail"), str) and body["detail"], body
    for word in words:
        assert word.lower() in body["detail"].lower(), (word, body["detail"])
    return body


def ok(response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.content)
    return response.json()


def create_group(as_: Api, name: str, **fields) -> dict:
    body = {"name": name, "description": "Members only notes", "lat": 51.5, "lon": -0.1, "is_open": True, **fields}
    return ok(as_.post("/groups", body), 201)


# --- Fixtures: the owner (founder, coordinator), a member, an outsider with a group of their own ------------


@pytest.fixture
def anon(db) -> Api:
    return Api()


@pytest.fixture
def bad_token(db) -> Api:
    return Api("this-is-not-a-token")


@pytest.fixture
def as_owner(db) -> Api:
    return register("olga", email="olga@example.org")


@pytest.fixture
def as_member(db) -> Api:
    return register("mateo", email="mateo@example.org")


@pytest.fixture
def as_outsider(db) -> Api:
    return register("otto", email="otto@example.org")


@pytest.fixture
def group(as_owner, as_member) -> dict:
    """An open group founded by the owner, which the member joined."""
    body = create_group(as_owner, "Northside Pod", location_name="Northside")
    ok(as_member.post(f"/groups/{body['id']}/join"), 201)
    return body


@pytest.fixture
def other_group(as_outsider) -> dict:
    return create_group(as_outsider, "Southside Pod", location_name="Southside", lat=51.4)


def bearer(user) -> dict[str, str]:
    """Headers for a Django test client that speak with a fresh API token of `user`."""
    from mutualaid.networks import services as networks

    return {"HTTP_AUTHORIZATION": f"Bearer {networks.token_create(actor=user)}"}


def signed_in(user) -> Client:
    """A test browser signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client
