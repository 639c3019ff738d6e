"""Fixtures of the circulation tests."""
from __future__ import annotations

import pytest

from mutualaid.networks import services as networks


@pytest.fixture(autouse=True)
def _member_is_vouched_for(request):
    """In circulation's tests the group's `member` is vouched for by its founder: a member, whose claims confirm at
    once. A newcomer's claim, which waits for acceptance, is tested in test_proposed_claims.py."""
    if "group" in request.fixturenames and "member" in request.fixturenames:
        group, owner, member = (request.getfixturevalue(name) for name in ("group", "owner", "member"))
        networks.trust_give(actor=owner, group=group, receiver=member)


@pytest.fixture
def people(group, owner, make_user):
    """Six more members of the group, vouched for by its founder."""
    users = [make_user(f"neighbour{i}") for i in range(6)]
    for user in users:
        networks.group_join(actor=user, group=group)
        networks.trust_give(actor=owner, group=group, receiver=user)
    return users
