"""Downloads are downloads, contact details are never stored by a browser or proxy, and an e-mail subject is one line.

"Download my data" must never be swapped into the page by htmx (a need title `<img src=x onerror=...>` in the JSON
would become an element): the answer is an attachment, never sniffed, and the link is not boosted. Pages and API
answers that carry contact details send `Cache-Control: no-store`. A line
break in a need title does not drop the notification e-mail.
"""
from __future__ import annotations

import json
import re

import pytest
from django.core import mail
from django.urls import reverse

from mutualaid.circulation import services

from mutualaid.tests.api_helpers import bearer, signed_in

pytestmark = pytest.mark.django_db

API = "/api/v1"
HOSTILE = "<img src=x onerror=alert(1)>"




def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def assert_download(response, *, filename_start: str = "mutualaid-data-"):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    disposition = response["Content-Disposition"]
    assert re.fullmatch(rf'attachment; filename="{re.escape(filename_start)}[\w.-]+\.json"', disposition), disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert no_store(response)


@pytest.fixture
def hostile_need(group, member):
    return services.need_create(actor=member, group=group, title=HOSTILE, category="food", quantity=1,
                                contact={"phone": "+44 7700 900555"})


# --- Downloads ------------------------------------------------------------------------------------


def test_the_web_export_is_an_attachment(hostile_need, member):
    response = signed_in(member).get(reverse("account_export"))
    assert_download(response)
    assert HOSTILE in json.dumps(json.loads(response.content), ensure_ascii=False)  # data, as written: not a page


def test_htmx_asking_for_the_export_is_sent_to_a_plain_download(hostile_need, member):
    response = signed_in(member).get(reverse("account_export"), HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
    assert response.status_code == 204 and not response.content  # nothing htmx could put into the page
    assert response["HX-Redirect"] == reverse("account_export")
    assert no_store(response)


def test_the_download_link_is_never_boosted(member):
    page = signed_in(member).get(reverse("settings")).content.decode()
    links = [tag for tag in re.findall(r"<a\b[^>]*>", page) if reverse("account_export") in tag]
    assert links, "no download link on the settings page"
    for tag in links:
        assert 'hx-boost="false"' in tag and "download" in tag, tag


def test_the_api_export_is_an_attachment(client, hostile_need, member):
    response = client.get(f"{API}/me/export", **bearer(member))
    assert_download(response)
    assert HOSTILE in json.dumps(response.json(), ensure_ascii=False)


# --- No-store where contact details are -----------------------------------------------------------


def test_a_need_page_with_contact_details_is_never_stored(need, owner, helper):
    path = reverse("need_detail", args=[need.public_id])
    requester = signed_in(owner)
    requester.get(reverse("group_list"))  # holds its CSRF cookie from now on, as after a first page
    first = requester.get(path)
    assert first.status_code == 200 and "12 Example Street" in first.content.decode()
    assert no_store(first) and not first.has_header("ETag")

    services.match_claim(actor=helper, need=need, quantity=1)
    response = signed_in(helper).get(path)
    assert "12 Example Street" in response.content.decode() and no_store(response)


def test_a_need_page_without_contact_details_may_be_stored(need, member):
    response = signed_in(member).get(reverse("need_detail", args=[need.public_id]))
    assert response.status_code == 200 and "12 Example Street" not in response.content.decode()
    assert not no_store(response)


def test_the_api_need_detail_with_contact_is_never_stored(client, need, owner, member):
    response = client.get(f"{API}/needs/{need.public_id}", **bearer(owner))
    assert response.status_code == 200 and response.json()["contact"]["address"] == "12 Example Street"
    assert no_store(response)
    again = client.get(f"{API}/needs/{need.public_id}", **bearer(owner))
    assert no_store(again)

    plain = client.get(f"{API}/needs/{need.public_id}", **bearer(member))
    assert plain.status_code == 200 and "contact" not in plain.json()
    assert not no_store(plain)


def test_the_api_answer_to_posting_a_need_with_contact_is_never_stored(client, group, member):
    body = {"group": str(group.public_id), "title": "Soup", "category": "food", "quantity": 1,
            "contact": {"phone": "+44 7700 900999"}}
    response = client.post(f"{API}/needs", body, content_type="application/json", **bearer(member))
    assert response.status_code == 201 and response.json()["contact"]["phone"] == "+44 7700 900999"
    assert no_store(response)


# --- E-mail subjects ------------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["Soup\r\nBcc: someone@example.org", "Soup\nfor two", "Soup\rfor two",
                                   "Soup\u2028for\u2029two\x85now\x0bor\x0cnever", "Soup " + "x" * 300])
def test_a_title_with_line_breaks_still_sends_a_one_line_subject(group, owner, helper, title,
                                                                 django_capture_on_commit_callbacks):
    need = services.need_create(actor=owner, group=group, title=title[:140], category="food", quantity=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.match_claim(actor=helper, need=need, quantity=1)
    assert len(mail.outbox) == 1, "the notification e-mail was dropped"
    subject = mail.outbox[0].subject
    assert subject.splitlines() == [subject] and "\r" not in subject and "\n" not in subject
    assert "  " not in subject and len(subject) <= 120
    assert "Soup" in subject
    message = mail.outbox[0].message()  # the headers as sent: still one Subject line
    assert "Bcc" not in {name for name, _ in message.items()}
