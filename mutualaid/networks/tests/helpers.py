"""Helpers of the networks tests."""
from __future__ import annotations

from mutualaid.networks.models import Membership, User


def role(user: User, group) -> str:
    """The person's standing in the group, as stored."""
    return Membership.objects.active().get(group=group, user=user).role
