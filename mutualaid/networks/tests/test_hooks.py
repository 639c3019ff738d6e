"""An app adds its part to leaving a group, deleting an account and the data export by connecting to networks'
hooks (networks.signals): no other app is edited for it."""
from __future__ import annotations

import pytest

from mutualaid.front import services as accounts
from mutualaid.audit.models import AuditEntry
from mutualaid.core.errors import Conflict
from mutualaid.networks import services, signals

PASSWORD = "a-long-passphrase-42"


@pytest.fixture
def heard():
    calls = []

    def leaving(sender, *, actor, group, **kwargs):
        calls.append(("leaving", actor.username, group.name))

    def closing(sender, *, actor, **kwargs):
        calls.append(("closing", actor.username))
        return {"seeds_returned": 2}

    def export(sender, *, user, **kwargs):
        return {"seed_library": [{"borrowed": "tomato seeds"}]}

    pairs = ((signals.member_leaving, leaving), (signals.account_closing, closing), (signals.member_export, export))
    for signal, receiver in pairs:
        signal.connect(receiver, weak=False, dispatch_uid=f"test.{receiver.__name__}")
    yield calls
    for signal, receiver in pairs:
        signal.disconnect(dispatch_uid=f"test.{receiver.__name__}")


def test_an_app_hears_a_member_leave_before_the_membership_ends(heard, group, member):
    services.group_leave(actor=member, group=group)
    assert heard == [("leaving", "mateo", "Northside Pod")]
    with pytest.raises(Conflict):  # not a member any more: nobody is told twice
        services.group_leave(actor=member, group=group)
    assert len(heard) == 1


def test_an_app_adds_its_section_to_the_export(heard, member):
    assert accounts.account_export(member)["seed_library"] == [{"borrowed": "tomato seeds"}]


def test_an_app_closes_its_part_of_a_deleted_account_and_its_counts_are_recorded(heard, group, member):
    accounts.account_delete(actor=member, password=PASSWORD)
    assert heard[0] == ("closing", "mateo")  # first, while the person is still who they were
    assert ("leaving", "mateo", "Northside Pod") in heard
    assert AuditEntry.objects.get(action="account.deleted").after["seeds_returned"] == 2
