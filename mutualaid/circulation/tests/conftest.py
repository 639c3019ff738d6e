"""Fixtures of the circulation tests."""
from __future__ import annotations

import pytest

from mutualaid.networks import services as networks


@pytest.fixture
def people(group, make_user):
    """Six more members of the group."""
    users = [make_user(f"neighbour{i}") for i in range(6)]
    for user in users:
        networks.group_join(actor=user, group=group)
    return users
