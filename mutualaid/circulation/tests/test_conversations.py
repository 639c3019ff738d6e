"""A conversation on every match (issue 11): the requester, the helper and the group's coordinators write to each
other there, the others are told, nobody else reads it, and it is the writers' personal data."""
from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from mutualaid.audit.models import AuditEntry
from mutualaid.audit.tests.helpers import chain_stays_valid  # noqa: F401
from mutualaid.circulation import notices, services
from mutualaid.circulation.models import MatchMessage
from mutualaid.core.errors import InvalidInput, NotAllowed
from mutualaid.networks import selectors as network_selectors
from mutualaid.networks import services as networks
from mutualaid.networks.models import Notification
from mutualaid.tests.api_helpers import Api, assert_error, ok

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chain_stays_valid")]
HELLO = "I can bring the bags at six, does the back door work?"
ANSWER = "Yes, the back door, ring twice. Thank you!"


@pytest.fixture
def request_need(group, member):
    """Mateo (a member, not a coordinator) asks; no phone or e-mail on file."""
    return services.need_create(actor=member, group=group, title="Bread and milk", category="groceries", quantity=2)


@pytest.fixture
def match(request_need, helper):
    return services.match_claim(actor=helper, need=request_need, quantity=1)


def _thread(client: Client, match) -> str:
    response = client.get(reverse("match_thread", args=[match.public_id]))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_requester_and_the_helper_write_to_each_other_and_each_is_told(
        client: Client, match, member, helper, owner, django_capture_on_commit_callbacks):
    client.force_login(helper)
    need_page = client.get(reverse("need_detail", args=[match.need.public_id])).content.decode()
    # No contact details were given: the conversation is how the helper reaches the requester.
    assert "No contact details were given." in need_page
    assert reverse("match_thread", args=[match.public_id]) in need_page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("match_message_post", args=[match.public_id]), {"text": HELLO})
    assert response.status_code == 302 and response["Location"].endswith("#latest")
    page = client.get(response["Location"]).content.decode()
    assert "Your message is sent." in page and HELLO.replace("'", "&#x27;") in page

    told = Notification.objects.get(user=member, kind=notices.MATCH_MESSAGE)
    assert told.url == f"/matches/{match.public_id}/" and told.params["author"] == "hana"
    assert [m.to for m in mail.outbox] == [["mateo@example.org"]]
    assert "hana wrote to you about “Bread and milk”" in mail.outbox[0].body
    assert HELLO not in mail.outbox[0].body  # the e-mail says who wrote, not what: it is read on the page
    # The coordinator has not written here: not told of every message in the group.
    assert not Notification.objects.filter(user=owner, kind=notices.MATCH_MESSAGE).exists()

    client.force_login(member)
    need_page = client.get(reverse("need_detail", args=[match.need.public_id])).content.decode()
    assert "Write to hana" in need_page
    assert HELLO.replace("'", "&#x27;") in _thread(client, match)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("match_message_post", args=[match.public_id]), {"text": ANSWER})
    assert Notification.objects.filter(user=helper, kind=notices.MATCH_MESSAGE).count() == 1
    client.force_login(helper)
    page = _thread(client, match)
    assert page.index("I can bring the bags") < page.index("Yes, the back door")  # oldest first
    assert "requester" in page and "helper" in page


def test_one_unread_notice_per_conversation(match, member, helper, django_capture_on_commit_callbacks):
    for text in ("On my way", "Five minutes", "Outside now"):  # three requests, each delivered as it commits
        with django_capture_on_commit_callbacks(execute=True):
            services.match_message_write(actor=helper, match=match, text=text)
    assert Notification.objects.filter(user=member, kind=notices.MATCH_MESSAGE).count() == 1
    networks.notifications_mark_read(actor=member)
    with django_capture_on_commit_callbacks(execute=True):
        services.match_message_write(actor=helper, match=match, text="Left them at the door")
    assert Notification.objects.filter(user=member, kind=notices.MATCH_MESSAGE).count() == 2


def test_a_coordinator_joins_by_writing_and_is_told_from_then_on(match, member, helper, owner,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.match_message_write(actor=owner, match=match, text="Hana, the lift is broken: take the stairs.")
    assert {n.user for n in Notification.objects.filter(kind=notices.MATCH_MESSAGE)} == {member, helper}
    with django_capture_on_commit_callbacks(execute=True):
        services.match_message_write(actor=member, match=match, text="Thanks Olga")
    assert Notification.objects.filter(user=owner, kind=notices.MATCH_MESSAGE).count() == 1


def test_nobody_else_reads_or_writes(client: Client, match, make_user, group, outsider):
    other = make_user("nico")
    networks.group_join(actor=other, group=group)
    services.match_message_write(actor=match.helper, match=match, text=HELLO)
    client.force_login(other)  # a member of the group, not on the match
    response = client.get(reverse("match_thread", args=[match.public_id]))
    assert response.status_code == 403
    assert "between the requester, the helper and the group&#x27;s coordinators" in response.content.decode()
    assert "back door" not in response.content.decode()
    response = client.post(reverse("match_message_post", args=[match.public_id]), {"text": "Me too"})
    assert response.status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("match_thread", args=[match.public_id])).status_code == 404
    with pytest.raises(NotAllowed):
        services.match_message_write(actor=other, match=match, text="Me too")
    assert MatchMessage.objects.count() == 1


def test_empty_or_overlong_messages_are_refused_and_nothing_is_lost(client: Client, match, helper):
    client.force_login(helper)
    url = reverse("match_message_post", args=[match.public_id])
    response = client.post(url, {"text": "   "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    long = "x" * 2001
    response = client.post(url, {"text": long})
    page = response.content.decode()
    assert response.status_code == 200 and "at most 2000 characters" in page
    assert long in page  # what they typed is still in the box
    assert not MatchMessage.objects.exists()
    with pytest.raises(InvalidInput):
        services.match_message_write(actor=helper, match=match, text=" \n ")


def test_the_api_reads_and_writes_the_thread(match, member, helper, owner, make_user, group):
    as_helper, as_member = Api(networks.token_create(actor=helper)), Api(networks.token_create(actor=member))
    written = ok(as_helper.post(f"/matches/{match.public_id}/messages", {"text": HELLO}), 201)
    assert written["author"] == "hana" and written["side"] == "helper" and written["mine"] is True
    ok(as_member.post(f"/matches/{match.public_id}/messages", {"text": ANSWER}), 201)
    thread = ok(as_member.get(f"/matches/{match.public_id}/messages"))
    assert [(m["author"], m["side"], m["mine"], m["text"]) for m in thread["items"]] == [
        ("hana", "helper", False, HELLO), ("mateo", "requester", True, ANSWER)]
    assert thread["count"] == 2
    coordinator = ok(Api(networks.token_create(actor=owner)).get(f"/matches/{match.public_id}/messages"))
    assert coordinator["count"] == 2
    assert_error(as_helper.post(f"/matches/{match.public_id}/messages", {"text": "  "}), 422, "required")
    response = as_helper.post(f"/matches/{match.public_id}/messages", {"text": ""})
    assert response.status_code == 422
    response = as_helper.post(f"/matches/{match.public_id}/messages", {"text": "y" * 2001})
    assert response.status_code == 422
    other = make_user("nico")
    networks.group_join(actor=other, group=group)
    assert_error(Api(networks.token_create(actor=other)).get(f"/matches/{match.public_id}/messages"), 403,
                 "conversation")
    assert MatchMessage.objects.count() == 2


def test_the_audit_chain_says_a_message_was_written_never_what_it_says(match, helper):
    message = services.match_message_write(actor=helper, match=match, text=HELLO)
    entry = AuditEntry.objects.get(action="match.message_written")
    assert entry.object_id == str(match.public_id) and entry.after == {"message": str(message.public_id)}
    assert "back door" not in json.dumps([e.after for e in AuditEntry.objects.all()])
    assert "back door" not in json.dumps([e.before for e in AuditEntry.objects.all()])


def test_a_suspended_member_reads_the_conversation_but_does_not_write(client: Client, match, helper, owner, group):
    services.match_message_write(actor=match.need.requester, match=match, text=ANSWER)
    networks.suspension_create(actor=owner, group=group, user=helper, reason="Reported by a neighbour")
    client.force_login(helper)
    page = _thread(client, match)
    assert "Thank you!" in page and "you can read this conversation but not write in it" in page
    assert 'name="text"' not in page
    response = client.post(reverse("match_message_post", args=[match.public_id]), {"text": "Why?"})
    assert response.status_code == 403
    assert MatchMessage.objects.count() == 1


def test_the_conversation_is_in_the_export_and_goes_with_its_writers_account(
        match, member, helper, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.match_message_write(actor=helper, match=match, text=HELLO)
        services.match_message_write(actor=member, match=match, text=ANSWER)
    exported = network_selectors.user_export_data(member)
    [thread] = exported["conversations"]
    assert thread["match"] == str(match.public_id)
    assert [(m["author"], m["mine"], m["text"]) for m in thread["messages"]] == [
        ("hana", False, HELLO), ("mateo", True, ANSWER)]

    with django_capture_on_commit_callbacks(execute=True):
        networks.user_anonymise(actor=helper)
    assert list(MatchMessage.objects.values_list("text", flat=True)) == [ANSWER]  # hers gone, his kept
    entry = AuditEntry.objects.get(action="match.messages_deleted")
    assert entry.after == {"count": 1, "why": "account_deleted"}
    told = Notification.objects.get(user=member, kind=notices.MATCH_MESSAGE)
    assert told.params["author"] != "hana"  # renamed with the account


def test_the_thread_page_reads_the_same_few_queries_however_long_the_thread(
        client: Client, match, helper, member, django_assert_max_num_queries):
    client.force_login(helper)
    for i in range(3):
        services.match_message_write(actor=helper if i % 2 else member, match=match, text=f"Message {i}")
    with django_assert_max_num_queries(12) as few:
        _thread(client, match)
    for i in range(30):
        services.match_message_write(actor=helper if i % 2 else member, match=match, text=f"More {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = _thread(client, match)
    assert "More 29" in page
