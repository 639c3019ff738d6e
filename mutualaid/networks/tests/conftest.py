"""Fixtures of the networks tests."""
from __future__ import annotations

import pytest

from mutualaid.networks import services
from mutualaid.networks.models import User


@pytest.fixture
def join(make_user):
    """A new person who joins the given (open) group."""

    def _join(group, username: str | None = None) -> User:
        user = make_user(username)
        services.group_join(actor=user, group=group)
        return user

    return _join
