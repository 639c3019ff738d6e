"""A member who comes back to their group's board, or a client polling the needs API, sends back the ETag it was
given; while nothing it shows has changed the answer is a 304 after normal sign-in and one cheap query, and any
change (in the group, in the person's own notifications, their sign-in, language or CSRF cookie, a message waiting)
makes the page anew (mutualaid.core.conditional)."""
from __future__ import annotations

import pytest
from django.contrib import messages
from django.urls import reverse

from mutualaid.circulation import services
from mutualaid.networks import services as networks

pytestmark = pytest.mark.django_db


def board(client, group, etag: str = "", **headers):
    """The group's page, as a browser asks for it: with the CSRF cookie its first page gave it."""
    if "csrftoken" not in client.cookies:
        client.get(reverse("group_detail", args=[group.public_id]))
    if etag:
        headers["HTTP_IF_NONE_MATCH"] = etag
    return client.get(reverse("group_detail", args=[group.public_id]), **headers)


def test_a_members_repeated_visit_is_a_304_after_sign_in_and_one_query(client, group, member,
                                                                      django_assert_num_queries):
    client.force_login(member)
    first = board(client, group)
    assert first.status_code == 200 and first["ETag"]
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    assert "Cookie" in first["Vary"]
    with django_assert_num_queries(3):  # the session, the user, the member's version of the group
        again = board(client, group, first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"] and not again.content


def test_a_change_in_the_group_makes_the_page_anew_and_a_change_elsewhere_does_not(client, group, other_group,
                                                                                  owner, member, outsider):
    client.force_login(member)
    tag = board(client, group)["ETag"]
    services.need_create(actor=outsider, group=other_group, title="Elsewhere", category="food", quantity=1)
    assert board(client, group, tag).status_code == 304
    services.need_create(actor=owner, group=group, title="Soup for two", category="food", quantity=1)
    fresh = board(client, group, tag)
    assert fresh.status_code == 200 and "Soup for two" in fresh.content.decode()
    assert fresh["ETag"] != tag


def test_a_notification_to_the_member_changes_their_etag(client, group, owner, member,
                                                        django_capture_on_commit_callbacks):
    client.force_login(member)
    tag = board(client, group)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        networks.notify(user=member, kind="role_changed", params={"group": group.name, "role": "coordinator"})
    fresh = board(client, group, tag)
    assert fresh.status_code == 200 and fresh["ETag"] != tag  # the unread count in the navigation changed


def test_another_member_never_gets_a_304_for_someones_etag(client, group, owner, member):
    client.force_login(member)
    tag = board(client, group)["ETag"]
    client.force_login(owner)
    assert board(client, group, tag).status_code == 200


def test_language_csrf_cookie_and_sign_out_change_the_answer(client, group, member):
    client.force_login(member)
    tag = board(client, group)["ETag"]
    assert board(client, group, tag, HTTP_ACCEPT_LANGUAGE="es").status_code == 200
    client.cookies["csrftoken"] = "x" * 32
    assert board(client, group, tag).status_code == 200
    client.logout()
    signed_out = board(client, group, tag)
    assert signed_out.status_code == 200 and not signed_out.has_header("ETag")


def test_a_waiting_message_is_shown_not_answered_304(client, group, member):
    client.force_login(member)
    response = board(client, group)
    tag = response["ETag"]
    storage = messages.storage.cookie.CookieStorage(response.wsgi_request)
    storage.add(messages.SUCCESS, "Your need is posted.")
    storage.update(response)
    client.cookies.update(response.cookies)
    shown = board(client, group, tag)
    assert shown.status_code == 200 and "Your need is posted." in shown.content.decode()


def test_non_members_get_no_etag(client, group, outsider):
    assert not board(client, group).has_header("ETag")
    client.force_login(outsider)
    response = board(client, group)
    assert response.status_code == 200 and not response.has_header("ETag")


# --- The needs API list -------------------------------------------------------------------------------


def needs(client, token, etag="", **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if etag:
        headers["HTTP_IF_NONE_MATCH"] = etag
    return client.get("/api/v1/needs", params, **headers)


@pytest.mark.parametrize("one_group", [True, False])
def test_a_polling_client_gets_304_until_the_list_changes(client, group, owner, member, one_group,
                                                          django_assert_num_queries):
    token = networks.token_create(actor=member)
    params = {"group": str(group.public_id)} if one_group else {}
    first = needs(client, token, **params)
    assert first.status_code == 200 and first["ETag"]
    with django_assert_num_queries(2):  # the token, the version
        assert needs(client, token, first["ETag"], **params).status_code == 304
    services.need_create(actor=owner, group=group, title="Bread", category="food", quantity=1)
    fresh = needs(client, token, first["ETag"], **params)
    assert fresh.status_code == 200 and any(n["title"] == "Bread" for n in fresh.json()["items"])
    assert needs(client, token, first["ETag"], page=1, **params).status_code == 200  # another query string


def test_a_client_that_left_gets_the_404_not_a_304(client, group, member):
    token = networks.token_create(actor=member)
    tag = needs(client, token, group=str(group.public_id))["ETag"]
    networks.group_leave(actor=member, group=group)
    gone = needs(client, token, tag, group=str(group.public_id))
    assert gone.status_code == 404 and gone.json() == {"detail": "No such group, or you are not a member of it."}

