"""The audit log: every service appends to one hash chain, entries are never changed by the app, and they hold
no personal data."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from mutualaid.audit.models import AppendOnlyError, AuditEntry, AuditHead
from mutualaid.audit.services import GENESIS, audit_record, entry_digest, verify_chain
from mutualaid.audit.tests.helpers import last_seq
from mutualaid.circulation import services as circulation
from mutualaid.networks import services as networks


# --- The chain ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_entries_are_numbered_from_one_and_each_chains_onto_the_last(owner):
    with transaction.atomic():
        first = audit_record(actor=owner, action="test.first", object_type="test.thing", object_id="1",
                             after={"n": 1})
        second = audit_record(actor=None, action="test.second", object_type="test.thing", object_id="1",
                              before={"n": 1}, after={"n": 2})
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == GENESIS
    for previous, entry in zip(entries, entries[1:]):
        assert entry.prev_hash == previous.hash
    assert second.seq == first.seq + 1 and second.prev_hash == first.hash
    assert first.actor == str(owner.public_id) and second.actor == ""
    head = AuditHead.objects.get(id=1)
    assert (head.seq, head.hash) == (second.seq, second.hash)
    report = verify_chain()
    assert report.ok and report.checked == second.seq


@pytest.mark.django_db
def test_the_hash_covers_every_field(owner):
    with transaction.atomic():
        entry = audit_record(actor=owner, action="test.thing", object_type="test.thing", object_id="7",
                             before={"a": 1}, after={"b": [1, "two"]})
    entry.refresh_from_db()
    fields = dict(prev_hash=entry.prev_hash, seq=entry.seq, created_at=entry.created_at.isoformat(),
                  actor=entry.actor, action=entry.action, object_type=entry.object_type, object_id=entry.object_id,
                  before=entry.before, after=entry.after)
    assert entry_digest(**fields) == entry.hash
    for name, other in [("seq", entry.seq + 1), ("actor", ""), ("action", "test.other"), ("object_id", "8"),
                        ("before", None), ("after", {"b": [1, "three"]}), ("prev_hash", "f" * 64)]:
        assert entry_digest(**{**fields, name: other}) != entry.hash, name


@pytest.mark.django_db
def test_values_are_stored_in_canonical_json(owner):
    with transaction.atomic():
        entry = audit_record(actor=owner, action="test.thing", obj=owner,
                             after={"when": timezone.now().date(), "id": owner.public_id})
    entry.refresh_from_db()
    assert entry.object_type == "networks.user" and entry.object_id == str(owner.public_id)
    assert entry.after == {"when": str(timezone.now().date()), "id": str(owner.public_id)}
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused(owner):
    before = last_seq()
    with pytest.raises(RuntimeError):
        audit_record(actor=owner, action="test.thing", object_type="t", object_id="1")
    assert last_seq() == before


# --- Append-only ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_entry_cannot_be_updated_or_deleted_by_the_app(owner):
    entry = AuditEntry.objects.order_by("-seq").first()
    count = AuditEntry.objects.count()
    entry.after = {"forged": True}
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(after={"forged": True})
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().update(action="forged")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["after"])
    assert AuditEntry.objects.count() == count
    assert AuditEntry.objects.get(pk=entry.pk).after != {"forged": True}
    assert verify_chain().ok


# --- Every service writes to the chain ------------------------------------------------------------


@pytest.mark.django_db
def test_every_service_appends_entries_and_the_chain_verifies(make_user, django_capture_on_commit_callbacks):
    def step(actions: set[str], call):
        before = last_seq()
        with django_capture_on_commit_callbacks(execute=True):
            result = call()
        written = set(AuditEntry.objects.filter(seq__gt=before).values_list("action", flat=True))
        assert actions <= written, (actions, written)
        return result

    olga = step({"user.registered"}, lambda: make_user("olga"))
    mateo, hana, otto = make_user("mateo"), make_user("hana"), make_user("otto")
    step({"user.settings_changed"}, lambda: networks.user_update_settings(actor=mateo, language="es"))
    step({"token.created"}, lambda: networks.token_create(actor=mateo))
    pod = step({"group.created", "membership.joined"}, lambda: networks.group_create(actor=olga, name="Pod"))
    closed = networks.group_create(actor=olga, name="Closed", is_open=False, application_questions=["Why?"])
    other = networks.group_create(actor=otto, name="Other")
    step({"membership.joined"}, lambda: networks.group_join(actor=mateo, group=pod))
    step({"membership.joined"}, lambda: networks.group_join(actor=hana, group=pod))
    step({"trust.given", "membership.role_changed"},
         lambda: networks.trust_give(actor=olga, group=pod, receiver=hana))
    step({"trust.withdrawn", "membership.role_changed"},
         lambda: networks.trust_withdraw(actor=olga, group=pod, receiver=hana))
    application = step({"application.submitted"},
                       lambda: networks.application_submit(actor=mateo, group=closed, answers=["Near"]))
    step({"application.decided", "membership.joined"},
         lambda: networks.application_decide(actor=olga, application=application, accept=True))
    step({"membership.left"}, lambda: networks.group_leave(actor=mateo, group=closed))
    step({"notifications.read"}, lambda: networks.notifications_mark_read(actor=hana))

    need = step({"need.created"}, lambda: circulation.need_create(
        actor=mateo, group=pod, title="Soup", category="food", quantity=3,
        needed_by=timezone.now() + timedelta(days=1)))
    step({"need.contact_changed"},
         lambda: circulation.need_update_contact(actor=mateo, need=need, contact={"phone": "1"}))
    offer = step({"offer.created"}, lambda: circulation.offer_create(
        actor=hana, group=pod, title="Cooking", category="food", quantity=3))
    match = step({"match.claimed", "need.claimed"},
                 lambda: circulation.match_claim(actor=hana, need=need, quantity=1, offer=offer))
    step({"match.accepted"}, lambda: circulation.match_accept(actor=mateo, match=match))  # hana is a newcomer
    step({"match.completed", "need.fulfilment_recorded"}, lambda: circulation.match_complete(actor=mateo, match=match))
    match = circulation.match_claim(actor=hana, need=need, quantity=1)
    step({"match.cancelled", "need.claim_returned"},
         lambda: circulation.match_cancel(actor=hana, match=match, reason="Ill"))
    circulation.match_claim(actor=hana, need=need, quantity=1)
    step({"need.cancelled", "match.cancelled"}, lambda: circulation.need_cancel(actor=mateo, need=need))
    step({"offer.status_changed"}, lambda: circulation.offer_set_status(actor=hana, offer=offer, status="paused"))
    original = circulation.need_create(actor=mateo, group=pod, title="Coat", category="clothing", quantity=1)
    copy = circulation.need_create(actor=hana, group=pod, title="Coat", category="clothing", quantity=1)
    step({"need.marked_duplicate"}, lambda: circulation.need_mark_duplicate(actor=olga, need=copy, original=original))
    step({"need.referred", "need.created"},
         lambda: circulation.need_refer(actor=olga, need=original, to_group=other))
    late = circulation.need_create(actor=mateo, group=pod, title="Bread", category="food", quantity=1,
                                   needed_by=timezone.now() + timedelta(minutes=5))
    step({"need.expired"}, lambda: circulation.needs_expire_overdue(now=late.needed_by + timedelta(seconds=1)))

    report = verify_chain()
    assert report.ok, report.message
    assert report.checked == AuditEntry.objects.count() == last_seq()
    # Whoever acted is named by public id; only the system acts anonymously.
    people = {str(u.public_id) for u in (olga, mateo, hana, otto)}
    anonymous = set(AuditEntry.objects.filter(actor="").values_list("action", flat=True))
    assert anonymous <= {"network.created", "category.created", "need.expired"}
    assert set(AuditEntry.objects.exclude(actor="").values_list("actor", flat=True)) <= people


# --- No personal data -----------------------------------------------------------------------------

PHONE, NEW_PHONE = "+44 7700 900123", "+44 7700 900456"
ADDRESS, NEW_ADDRESS = "12 Example Street, Flat 3", "99 Hidden Road"
EMAIL, NEW_EMAIL = "rosa.private@example.net", "rosa.new@example.net"
NAME = "Rosa Quintero"
SECRETS = [PHONE, NEW_PHONE, "7700 900123", "7700900123", "900456", ADDRESS, "Example Street", NEW_ADDRESS,
           "Hidden Road", EMAIL, NEW_EMAIL, "rosa.private", NAME, "Quintero", "51.50789", "-0.10456",
           "knock twice"]


@pytest.mark.django_db
def test_no_personal_data_in_the_audit_log(group, owner, member, other_group, make_user):
    need = circulation.need_create(
        actor=member, group=group, title="Groceries", category="groceries", quantity=2, lat=51.50789, lon=-0.10456,
        contact={"phone": PHONE, "address": ADDRESS, "email": EMAIL, "name": NAME, "notes": "knock twice"},
    )
    circulation.need_update_contact(actor=member, need=need,
                                    contact={"phone": NEW_PHONE, "address": NEW_ADDRESS, "email": NEW_EMAIL})
    proxy = circulation.need_create(actor=owner, group=group, title="Shopping", category="groceries", quantity=1,
                                    on_behalf=True, contact={"name": NAME, "phone": PHONE, "address": ADDRESS})
    circulation.need_update_contact(actor=owner, need=proxy, contact={"name": NAME, "email": EMAIL})
    circulation.need_refer(actor=owner, need=proxy, to_group=other_group)
    networks.user_register(username="Samwise_Gamgee", password="a-long-passphrase-42", email="sam.secret@example.com")

    log = json.dumps([[e.before, e.after, e.object_id, e.object_type, e.action]
                      for e in AuditEntry.objects.order_by("seq")], ensure_ascii=False)
    assert "need.contact_changed" in log  # the change is recorded, only not its content
    for secret in [*SECRETS, "sam.secret", "Samwise"]:  # user names are personal data too
        assert secret not in log, secret
    assert verify_chain().ok
