"""Personal text is erasable and never in the audit chain.

The chain holds ids, statuses, quantities, times and digests; what people typed (titles, descriptions, names,
areas, reasons, answers, contact details) lives in ordinary rows, where it can be erased, and the chain still
verifies after that. Deleting an account erases the titles and descriptions of the person's needs and offers,
which are then shown as removed at the person's request, and the anonymous counts stay.
"""
from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from mutualaid.front import demo
from mutualaid.front import services as accounts
from mutualaid.audit.models import AuditEntry
from mutualaid.circulation import services as circulation
from mutualaid.circulation.models import Match, MatchMessage, Need, NeedContact, Offer
from mutualaid.networks import services as networks
from mutualaid.networks.models import Application, Group, Notification, Suspension, User
from mutualaid.tests.api_helpers import bearer, signed_in

PASSWORD = "a-long-passphrase-42"


def typed(what: str) -> str:
    """A text a person typed, that appears nowhere else."""
    return f"Zq-{what}-typed"


def chain_text() -> str:
    """Every audit entry as stored: what an attacker with the database, or a verifier, reads."""
    return json.dumps(list(AuditEntry.objects.order_by("seq").values()), default=str, ensure_ascii=False)


def verify_audit() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_after_a_full_scenario_no_audit_entry_holds_a_text_anyone_typed(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        people = {name: networks.user_register(username=name, password=PASSWORD, email=f"{name}@example.org")
                  for name in ("zelda7", "yusuf7", "xena7", "wanda7")}
        zelda, yusuf, xena, wanda = people.values()
        networks.token_create(actor=zelda, label=typed("token-label"))
        group = networks.group_create(
            actor=zelda, name=typed("group-name"), description=typed("group-description"),
            public_description=typed("group-public"), location_name=typed("group-area"), lat=51.5, lon=-0.1,
            application_questions=[typed("question")])
        for person in (yusuf, xena):
            networks.group_join(actor=person, group=group)
            networks.trust_give(actor=zelda, group=group, receiver=person)
        Group.objects.filter(pk=group.pk).update(is_open=False)
        group.refresh_from_db()
        application = networks.application_submit(actor=wanda, group=group, answers=[typed("answer")])
        networks.application_decide(actor=zelda, application=application, accept=False,
                                    reason=typed("decline-reason"))
        need = circulation.need_create(
            actor=yusuf, group=group, title=typed("need-title"), description=typed("need-description"),
            category="groceries", quantity=3, location_name=typed("need-area"), lat=51.501, lon=-0.101,
            contact={"name": typed("contact-name"), "phone": "+44 7700 900555", "email": "yusuf.contact@example.org",
                     "address": typed("contact-address"), "notes": typed("contact-notes")})
        proxy = circulation.need_create(actor=zelda, group=group, title=typed("proxy-title"), category="other",
                                        quantity=1, on_behalf=True, contact={"phone": "+44 7700 900666"})
        offer = circulation.offer_create(actor=xena, group=group, title=typed("offer-title"),
                                         description=typed("offer-description"), category="groceries", quantity=5,
                                         location_name=typed("offer-area"))
        match = circulation.match_claim(actor=xena, need=need, quantity=1, offer=offer)
        circulation.match_cancel(actor=xena, match=match, reason=typed("cancel-reason"))
        match = circulation.match_claim(actor=xena, need=need, quantity=2, offer=offer)
        circulation.match_message_write(actor=xena, match=match, text=typed("message"))
        circulation.match_message_write(actor=yusuf, match=match, text=typed("message-answer"))
        circulation.match_complete(actor=yusuf, match=match)
        circulation.need_cancel(actor=zelda, need=proxy, reason=typed("need-cancel-reason"))
        other = networks.group_create(actor=wanda, name=typed("other-group"))
        spare = circulation.need_create(actor=yusuf, group=group, title=typed("referred-title"), category="other",
                                        quantity=1)
        circulation.need_refer(actor=zelda, need=spare, to_group=other)
        networks.suspension_create(actor=zelda, group=group, user=xena, reason=typed("suspension-reason"))
        networks.user_password_change(actor=yusuf, current_password=PASSWORD, new_password="another-long-phrase-7")
        accounts.account_delete(actor=wanda, password=PASSWORD)
    chain = chain_text()
    assert AuditEntry.objects.count() > 30
    assert "Zq-" not in chain, [e for e in chain.split('"') if "Zq-" in e]
    for secret in ("+44 7700 900555", "+44 7700 900666", "yusuf.contact@example.org", "zelda7@example.org",
                   "another-long-phrase-7", PASSWORD, "51.501"):
        assert secret not in chain, secret
    # The texts are there, in ordinary rows: the scenario did type them.
    assert Group.objects.filter(name=typed("group-name")).exists()
    assert Need.objects.filter(title=typed("need-title")).exists()
    assert MatchMessage.objects.filter(text=typed("message")).exists()
    assert Suspension.objects.filter(reason=typed("suspension-reason")).exists()


def test_the_demo_network_audit_holds_none_of_its_texts(db):
    demo.load()
    chain = chain_text()
    texts = {*Need.objects.values_list("title", flat=True), *Need.objects.values_list("description", flat=True),
             *Offer.objects.values_list("title", flat=True), *Offer.objects.values_list("description", flat=True),
             *Group.objects.values_list("name", flat=True), *Group.objects.values_list("location_name", flat=True),
             *Group.objects.values_list("description", flat=True),
             *NeedContact.objects.values_list("address", flat=True),
             *NeedContact.objects.values_list("phone", flat=True),
             *Match.objects.values_list("cancel_reason", flat=True),
             *Suspension.objects.values_list("reason", flat=True)}
    texts |= {a for answers in Application.objects.values_list("answers", flat=True) for a in answers}
    texts = {t for t in texts if len(t) >= 6}  # short words ("Food") could be in any key
    assert len(texts) > 20
    leaked = sorted(t for t in texts if json.dumps(t, ensure_ascii=False)[1:-1] in chain)
    assert not leaked


@pytest.fixture
def jane(db, django_capture_on_commit_callbacks):
    """Rosa asked for help for herself twice (one fulfilled, one open) and offered some; Hugo helped."""
    with django_capture_on_commit_callbacks(execute=True):
        olga, rosa, hugo = (networks.user_register(username=n, password=PASSWORD, email=f"{n}@example.org")
                            for n in ("olga", "rosa", "hugo"))
        group = networks.group_create(actor=olga, name="Elm Street Pod", lat=51.5, lon=-0.1)
        for person in (rosa, hugo):
            networks.group_join(actor=person, group=group)
            networks.trust_give(actor=olga, group=group, receiver=person)
        done = circulation.need_create(
            actor=rosa, group=group, title="HIV meds for Jane Roe", category="medicine-pickup", quantity=1,
            description="5 Elm St, call 07700 900999", location_name="Elm Street corner",
            contact={"phone": "07700 900999"})
        match = circulation.match_claim(actor=hugo, need=done, quantity=1)
        circulation.match_message_write(actor=hugo, match=match, text="Shall I leave them with a neighbour?")
        circulation.match_message_write(actor=rosa, match=match, text="No, Jane Roe is in all day at 5 Elm St")
        circulation.match_complete(actor=rosa, match=match)
        open_need = circulation.need_create(actor=rosa, group=group, title="Jane Roe needs a lift on Friday",
                                            category="transport", quantity=1)
        dropped = circulation.match_claim(actor=hugo, need=open_need, quantity=1)
        circulation.match_cancel(actor=rosa, match=dropped, reason="Jane Roe's sister can drive her")
        offer = circulation.offer_create(actor=rosa, group=group, title="Jane Roe's spare wheelchair",
                                         description="Kept at 5 Elm St", category="other", quantity=1)
        proxy = circulation.need_create(actor=olga, group=group, title="Soup for Mr Patel", category="food",
                                        quantity=2, on_behalf=True, contact={"phone": "020 7946 0000"})
    return {"olga": olga, "rosa": rosa, "hugo": hugo, "group": group, "done": done, "open": open_need,
            "offer": offer, "proxy": proxy}


def _delete_through_the_api(user: User) -> None:
    response = Client().delete("/api/v1/me", json.dumps({"password": PASSWORD}), content_type="application/json",
                               **bearer(user))
    assert response.status_code == 200, response.content


def test_a_deleted_account_leaves_none_of_its_text_for_others(jane, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _delete_through_the_api(jane["rosa"])
    # Nowhere in the database, the audit chain included.
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert "Jane Roe" not in dump.getvalue() and "Elm St" not in dump.getvalue().replace("Elm Street Pod", "")
    assert "07700 900999" not in dump.getvalue()
    # The chain still verifies: what was erased was never in it.
    assert "verified" in verify_audit()
    # Others see the need as removed at the person's request, on the web and in the API.
    hugo, olga = jane["hugo"], jane["olga"]
    page = signed_in(hugo).get(f"/needs/{jane['done'].public_id}/").content.decode()
    assert "Removed at the person&#x27;s request" in page and "Jane Roe" not in page
    body = Client().get(f"/api/v1/needs/{jane['done'].public_id}", **bearer(olga)).json()
    assert body["title"] == "Removed at the person's request" and body["removed"] is True
    assert body["description"] == "" and body["location_name"] == ""
    offer = Client().get(f"/api/v1/offers/{jane['offer'].public_id}", **bearer(olga)).json()
    assert offer["removed"] is True and offer["description"] == ""
    board = signed_in(olga).get(f"/groups/{jane['group'].public_id}/board/").content.decode()
    assert "Jane Roe" not in board
    # Hugo's notifications (his claim completed, his claim cancelled with her reason) no longer quote her.
    notes = Client().get("/api/v1/notifications", **bearer(hugo)).content.decode()
    assert "Jane Roe" not in notes and "removed at the person's request" in notes
    # Her messages went with her; Hugo's stay, his to keep.
    assert list(MatchMessage.objects.values_list("text", flat=True)) == ["Shall I leave them with a neighbour?"]
    # The anonymous counts stay: one need fulfilled, one unit given by Hugo.
    done = Need.objects.get(pk=jane["done"].pk)
    assert (done.status, done.quantity_fulfilled) == (Need.Status.FULFILLED, 1)
    assert Match.objects.filter(helper=hugo, status=Match.Status.COMPLETED).count() == 1
    # A need Olga entered for someone else stays as she wrote it: it is Mr Patel's, kept by the group.
    assert Need.objects.get(pk=jane["proxy"].pk).title == "Soup for Mr Patel"


def test_the_erasure_is_recorded_without_the_text(jane):
    accounts.account_delete(actor=jane["rosa"], password=PASSWORD)
    erased = AuditEntry.objects.filter(action__in=["need.text_erased", "offer.text_erased"])
    assert sorted(e.object_id for e in erased) == sorted(
        str(o.public_id) for o in (jane["done"], jane["open"], jane["offer"]))
    assert all(e.after == {"why": "account_deleted"} for e in erased)
    assert AuditEntry.objects.get(action="account.deleted").after["texts_erased"] == 3
    assert Notification.objects.filter(params__need="").exists()
