"""Fixtures of the suggestions tests: circulation's (the group's `member` is vouched for by its founder)."""
from mutualaid.circulation.tests.conftest import _member_is_vouched_for, people  # noqa: F401
