"""Shared fixtures: people, a group with an owner, a member and an outsider, and a need."""
from __future__ import annotations

import pytest

from mutualaid.circulation import services as circulation
from mutualaid.networks import services as networks


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached renderings are keyed on database rows that each test rolls back: no test sees another's."""
    from django.core.cache import caches

    for alias in caches:
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _categories(request):
    """Transactional tests flush every table; put the default taxonomy back for tests that use the database."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in names or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker:
        request.getfixturevalue("db")
    else:
        return
    circulation.categories_ensure_defaults()


@pytest.fixture
def make_user(db):
    counter = {"n": 0}

    def make(username: str | None = None, **kwargs):
        counter["n"] += 1
        name = username or f"person{counter['n']}"
        return networks.user_register(username=name, password="a-long-passphrase-42", email=f"{name}@example.org",
                                      **kwargs)

    return make


@pytest.fixture
def owner(make_user):
    return make_user("olga")


@pytest.fixture
def member(make_user):
    return make_user("mateo")


@pytest.fixture
def outsider(make_user):
    return make_user("otto")


@pytest.fixture
def helper(make_user, group):
    """A member of the group vouched for by its founder (so her claims confirm at once): neither a requester nor a
    coordinator."""
    user = make_user("hana")
    networks.group_join(actor=user, group=group)
    networks.trust_give(actor=group.memberships.get(root="founder").user, group=group, receiver=user)
    return user


@pytest.fixture
def group(owner, member):
    g = networks.group_create(actor=owner, name="Northside Pod", location_name="Northside", lat=51.5, lon=-0.1)
    networks.group_join(actor=member, group=g)
    return g


@pytest.fixture
def other_group(outsider):
    return networks.group_create(actor=outsider, name="Southside Pod", location_name="Southside", lat=51.4, lon=-0.1)


@pytest.fixture
def need(group, owner):
    return circulation.need_create(
        actor=owner, group=group, title="Groceries for a family of four", category="groceries", quantity=3,
        urgency="high", lat=51.50123, lon=-0.10456, location_name="Northside",
        contact={"phone": "+44 7700 900123", "address": "12 Example Street", "name": "Olga"},
    )
