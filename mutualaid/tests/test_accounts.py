"""A member's own data: the export holds theirs and nobody else's contact details; deleting the account erases
their personal data everywhere, keeps what they did as anonymous records, and leaves the audit chain verifying."""
from __future__ import annotations

import json

import pytest
from django.urls import reverse

from mutualaid.front import services as accounts
from mutualaid.audit.models import AuditEntry
from mutualaid.audit.services import verify_chain
from mutualaid.backups.tests.helpers import snapshot
from mutualaid.circulation import services as circulation
from mutualaid.circulation.models import Match, Need, NeedContact, Offer
from mutualaid.core.errors import NotAllowed
from mutualaid.networks import selectors as network_selectors
from mutualaid.networks import services as networks
from mutualaid.networks.models import ApiToken, Application, Membership, Notification, Trust, User

PASSWORD = "a-long-passphrase-42"
ZEB_PHONE = "+44 7700 900999"
ZEB_ADDRESS = "7 Quiet Lane"
OLGA_PHONE = "+44 7700 900123"  # the `need` fixture's contact
NEIGHBOUR_PHONE = "+44 20 7946 0555"


@pytest.fixture
def world(owner, member, make_user, need, outsider, other_group, django_capture_on_commit_callbacks):
    """Zebulon, a member who asked for help, gave help, trusted and was trusted, in Olga's group."""
    with django_capture_on_commit_callbacks(execute=True):  # notifications are written once a change commits
        return _world(owner, member, make_user, need, outsider)


def _world(owner, member, make_user, need, outsider):
    zeb, hal = make_user("zebulon"), make_user("hal")
    group = need.group
    group.trust_threshold = 2
    group.save()
    for person in (zeb, hal):
        networks.group_join(actor=person, group=group)
    networks.trust_give(actor=owner, group=group, receiver=zeb)  # Olga vouches for Zebulon: a member
    networks.trust_give(actor=owner, group=group, receiver=member)
    networks.trust_give(actor=zeb, group=group, receiver=member)  # Mateo now coordinates: two paths
    networks.trust_give(actor=member, group=group, receiver=zeb)
    networks.trust_give(actor=owner, group=group, receiver=hal)  # a member too: hal's claims confirm at once
    contact = {"phone": ZEB_PHONE, "address": ZEB_ADDRESS, "name": "Zebulon Z."}
    open_need = circulation.need_create(actor=zeb, group=group, title="Help with a form", category="translation",
                                        quantity=1, contact=contact)
    done_need = circulation.need_create(actor=zeb, group=group, title="A lift to the clinic", category="transport",
                                        quantity=1, contact=contact)
    circulation.match_complete(actor=zeb, match=circulation.match_claim(actor=hal, need=done_need, quantity=1))
    claimed_need = circulation.need_create(actor=zeb, group=group, title="Soup", category="food", quantity=2,
                                           contact=contact)
    hal_match = circulation.match_claim(actor=hal, need=claimed_need, quantity=2)
    offer = circulation.offer_create(actor=zeb, group=group, title="Bike repairs", category="household-repair",
                                     quantity=3)
    zeb_live = circulation.match_claim(actor=zeb, need=need, quantity=2)  # on Olga's need: Zeb sees her contact
    olga_other = circulation.need_create(actor=owner, group=group, title="Shelf", category="household-repair",
                                         quantity=1)
    zeb_done = circulation.match_claim(actor=zeb, need=olga_other, quantity=1, offer=offer)
    circulation.match_complete(actor=owner, match=zeb_done)
    proxy = circulation.need_create(actor=owner, group=group, title="Meals for a neighbour", category="food",
                                    quantity=1, on_behalf=True, contact={"name": "Mrs. Ade", "phone": NEIGHBOUR_PHONE})
    closed = networks.group_create(actor=outsider, name="Closed Pod", is_open=False,
                                   application_questions=["Where do you live?"])
    networks.application_submit(actor=zeb, group=closed, answers=["Near the old mill, flat 2"])
    token = networks.token_create(actor=zeb)
    return {"zeb": zeb, "hal": hal, "group": group, "open_need": open_need, "done_need": done_need,
            "claimed_need": claimed_need, "hal_match": hal_match, "offer": offer, "zeb_live": zeb_live,
            "zeb_done": zeb_done, "olga_need": need, "proxy": proxy, "token": token}


# --- Export ---------------------------------------------------------------------------------------


def test_export_holds_the_members_own_data(world):
    zeb = world["zeb"]
    data = accounts.account_export(zeb)

    assert data["format"] == "mutualaid-member-data"
    assert data["profile"]["username"] == "zebulon" and data["profile"]["email"] == "zebulon@example.org"
    assert [m["group"]["name"] for m in data["memberships"]] == ["Northside Pod"]
    assert [t["to"] for t in data["trust_given"]] == ["mateo"]
    assert sorted(t["from"] for t in data["trust_received"]) == ["mateo", "olga"]
    assert [a["answers"] for a in data["applications"]] == [["Near the old mill, flat 2"]]
    assert {n["title"] for n in data["needs"]} == {"Help with a form", "A lift to the clinic", "Soup"}
    assert all(n["contact"]["phone"] == ZEB_PHONE and n["contact"]["address"] == ZEB_ADDRESS for n in data["needs"])
    assert [o["title"] for o in data["offers"]] == ["Bike repairs"]
    assert {(m["need"]["title"], m["status"]) for m in data["matches_as_helper"]} == {
        ("Groceries for a family of four", "confirmed"), ("Shelf", "completed")}
    assert {(m["need"]["title"], m["status"]) for m in data["matches_as_requester"]} == {
        ("A lift to the clinic", "completed"), ("Soup", "confirmed")}
    assert {n["kind"] for n in data["notifications"]} >= {"match_claimed", "match_completed"}
    assert len(data["api_tokens"]) == 1 and "key_hash" not in json.dumps(data["api_tokens"])
    own_entries = AuditEntry.objects.filter(actor=str(zeb.public_id))
    assert [e["seq"] for e in data["audit_entries"]] == list(own_entries.values_list("seq", flat=True))
    assert {"user.registered", "need.created", "match.claimed", "trust.given"} <= {
        e["action"] for e in data["audit_entries"]}
    json.dumps(data)  # JSON as it stands


def test_export_holds_suspensions_claim_pauses_and_who_saw_which_contact_details(world, owner):
    from mutualaid.circulation.models import ClaimBlock

    zeb, hal = world["zeb"], world["hal"]
    circulation.contact_view_record(actor=zeb, need=world["olga_need"])  # his live match shows him Olga's phone
    circulation.contact_view_record(actor=hal, need=world["claimed_need"])  # and Hal sees Zebulon's
    ClaimBlock.objects.create(group=world["group"], user=zeb)
    networks.suspension_create(actor=owner, group=world["group"], user=zeb, reason="Shared a neighbour's address")
    data = accounts.account_export(zeb)
    assert [(v["need"]["title"]) for v in data["contact_details_seen"]] == ["Groceries for a family of four"]
    assert [(v["by"], v["need"]) for v in data["who_saw_my_contact_details"]] == [
        ("hal", str(world["claimed_need"].public_id))]
    assert [(p["group"], p["lifted_at"]) for p in data["claim_pauses"]] == [("Northside Pod", None)]
    assert [(s["group"], s["reason"], s["confirmed_at"]) for s in data["suspensions"]] == [
        ("Northside Pod", "Shared a neighbour's address", None)]
    assert OLGA_PHONE not in json.dumps(data)  # what he saw is named, never copied


def test_export_holds_no_one_elses_contact_details(world, owner):
    zeb_text = json.dumps(accounts.account_export(world["zeb"]), ensure_ascii=False)
    # Zebulon has a live match on Olga's need (so the page shows him her phone and address): not his data.
    assert OLGA_PHONE not in zeb_text and "12 Example Street" not in zeb_text
    assert "olga@example.org" not in zeb_text and "hal@example.org" not in zeb_text
    assert NEIGHBOUR_PHONE not in zeb_text
    # Olga entered a need for a neighbour without an account: the neighbour's contact is not Olga's data either.
    olga = accounts.account_export(owner)
    assert [n["title"] for n in olga["needs_entered_for_others"]] == ["Meals for a neighbour"]
    assert NEIGHBOUR_PHONE not in json.dumps(olga, ensure_ascii=False)
    assert "contact" not in olga["needs_entered_for_others"][0]
    assert OLGA_PHONE in json.dumps(olga)  # her own need's contact is hers


# --- Deletion -------------------------------------------------------------------------------------


def _database_text() -> str:
    return json.dumps(snapshot(), default=str, ensure_ascii=False).lower()


def test_a_wrong_password_deletes_nothing(world):
    zeb = world["zeb"]
    before = snapshot()
    with pytest.raises(NotAllowed) as refused:
        accounts.account_delete(actor=zeb, password="not-my-password")
    assert refused.value.field == "password"
    with pytest.raises(NotAllowed):
        accounts.account_delete(actor=zeb, password="")
    assert snapshot() == before


def test_deleting_erases_personal_data_everywhere_and_keeps_contributions(world, owner, member, client,
                                                                           django_capture_on_commit_callbacks):
    zeb, hal = world["zeb"], world["hal"]
    assert "zebulon" in _database_text() and ZEB_PHONE in _database_text()
    chain_before = list(AuditEntry.objects.values_list("seq", "hash"))
    other_contact = NeedContact.objects.get(need=world["olga_need"])

    with django_capture_on_commit_callbacks(execute=True):
        user = accounts.account_delete(actor=zeb, password=PASSWORD)

    # Nothing anywhere in the database names them or reaches them any more.
    text = _database_text()
    for personal in ("zebulon", ZEB_PHONE, ZEB_ADDRESS.lower(), "near the old mill"):
        assert personal.lower() not in text, f"{personal!r} is still in the database"
    user.refresh_from_db()
    assert user.username.startswith("former-member-") and not user.email and not user.is_active
    assert not user.has_usable_password() and not user.first_name and not user.last_name
    assert not ApiToken.objects.filter(user=user).exists()
    assert not Notification.objects.filter(user=user).exists()
    assert not NeedContact.objects.filter(need__requester=user).exists()
    # Their open needs are closed, with the helper's live match cancelled and its quantity returned.
    for key in ("open_need", "claimed_need"):
        assert Need.objects.get(pk=world[key].pk).status == Need.Status.CANCELLED
    hal_match = Match.objects.get(pk=world["hal_match"].pk)
    assert hal_match.status == Match.Status.CANCELLED and hal_match.cancel_reason
    assert Notification.objects.filter(user=hal, kind="match_cancelled").exists()
    # Their live match on Olga's need is handed back; her need and its contact record are untouched otherwise.
    assert Match.objects.get(pk=world["zeb_live"].pk).status == Match.Status.CANCELLED
    olga_need = Need.objects.get(pk=world["olga_need"].pk)
    assert (olga_need.status, olga_need.quantity_claimed) == (Need.Status.OPEN, 0)
    assert NeedContact.objects.get(need=olga_need).phone == other_contact.phone == OLGA_PHONE
    assert Offer.objects.get(pk=world["offer"].pk).status == Offer.Status.WITHDRAWN
    # What they did stays, as anonymous records linked to the placeholder.
    done = Need.objects.get(pk=world["done_need"].pk)
    assert (done.status, done.quantity_fulfilled, done.requester_id) == (Need.Status.FULFILLED, 1, user.pk)
    given = Match.objects.get(pk=world["zeb_done"].pk)
    assert (given.status, given.quantity, given.helper_id) == (Match.Status.COMPLETED, 1, user.pk)
    # Memberships end, trust goes both ways, and roles follow: Mateo had two paths of the two needed.
    assert not Membership.objects.active().filter(user=user).exists()
    assert not Trust.objects.filter(giver=user).exists() and not Trust.objects.filter(receiver=user).exists()
    assert Membership.objects.active().get(user=member, group=world["group"]).role == Membership.Role.MEMBER
    assert Application.objects.get(user=user).status == Application.Status.WITHDRAWN
    # Olga's notification "zebulon will bring 2 for your need" now names the placeholder.
    claimed = Notification.objects.get(user=owner, kind="match_claimed", params__need=olga_need.title)
    assert claimed.params["helper"] == user.username
    # The audit chain is untouched and verifies; the new entries hold no personal data.
    assert list(AuditEntry.objects.filter(seq__lte=len(chain_before)).values_list("seq", "hash")) == chain_before
    assert verify_chain().ok
    assert AuditEntry.objects.filter(action="account.deleted", actor=str(user.public_id)).exists()
    # They cannot sign in again, by either name.
    for name in ("zebulon", user.username):
        response = client.post(reverse("login"), {"username": name, "password": PASSWORD})
        assert response.status_code != 302 and "_auth_user_id" not in client.session
    assert network_selectors.token_user(world["token"]) is None


def test_others_needs_and_matches_are_unaffected(world, owner):
    hal = world["hal"]
    hal_need = circulation.need_create(actor=hal, group=world["group"], title="Paint", category="other", quantity=2,
                                       contact={"phone": "+44 7700 900777"})
    circulation.match_claim(actor=owner, need=hal_need, quantity=1)
    before = list(Need.objects.filter(requester=hal).values_list("pk", "status", "quantity_claimed"))

    accounts.account_delete(actor=world["zeb"], password=PASSWORD)

    assert list(Need.objects.filter(requester=hal).values_list("pk", "status", "quantity_claimed")) == before
    assert NeedContact.objects.get(need=hal_need).phone == "+44 7700 900777"
    assert User.objects.get(pk=hal.pk).is_active and User.objects.get(pk=hal.pk).username == "hal"
