"""What the service test modules check about the audit chain: which actions a call appended, and that the chain
still verifies after every test (`pytestmark = pytest.mark.usefixtures("chain_stays_valid")`)."""
from __future__ import annotations

import pytest

from mutualaid.audit.models import AuditEntry
from mutualaid.audit.services import verify_chain


@pytest.fixture
def chain_stays_valid(db):
    yield
    report = verify_chain()
    assert report.ok, report.message


def last_seq() -> int:
    entry = AuditEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


def actions_since(seq: int) -> list[str]:
    return list(AuditEntry.objects.filter(seq__gt=seq).order_by("seq").values_list("action", flat=True))
