"""Signed-in pages are kept until what they show changes (mutualaid.pagecache).

A visit that finds its page kept runs one query (the stamps it was made from and the sign-in, re-read), and shows
exactly what a fresh page would. Every change a person would see on the page makes it anew at once; a sign-in that
ended, by logging out, a new password or a deleted account, never gets a kept page; no one gets another's page.
"""
from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mutualaid.accounts import services as accounts
from mutualaid.circulation import services
from mutualaid.networks import services as networks

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"  # conftest make_user
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def visit(client, path, params=None, **headers):
    """(the response, how many queries it took)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {}, **headers)
    return response, len(queries)


def browser(user) -> Client:
    """A signed-in browser that already holds its CSRF cookie, as one does after its first page."""
    client = Client()
    client.force_login(user)
    client.get(reverse("group_list"))
    assert settings.CSRF_COOKIE_NAME in client.cookies
    return client


def kept(client, path, params=None, **headers):
    """Visit twice: the second answer is the kept one. Returns it, after checking it came from the cache."""
    first, _ = visit(client, path, params, **headers)
    assert first.status_code == 200
    again, queries = visit(client, path, params, **headers)
    assert queries == 1, f"{path} ran {queries} queries: not kept"
    assert again.content == first.content
    return again


def fresh(client, path, params=None, **headers):
    """The page as it would be made now, with no kept copy."""
    caches["pages"].clear()
    response, queries = visit(client, path, params, **headers)
    assert queries > 1
    return response


def same_page(a, b) -> bool:
    """Two renderings of one page are the same but for the random mask of their CSRF tokens."""
    return TOKEN.sub("", a.content.decode()) == TOKEN.sub("", b.content.decode())


@pytest.fixture
def pages(group, need, member):
    return {"board": reverse("group_detail", args=[group.public_id]),
            "need": reverse("need_detail", args=[need.public_id]),
            "home": reverse("home")}


def test_each_page_visited_again_costs_one_query_and_is_the_same_page(client, group, member, pages):
    you = browser(member)
    for name, path in pages.items():
        response = kept(you, path)
        assert same_page(response, fresh(you, path)), name
        assert response["X-Frame-Options"] == "DENY" and "Cookie" in response["Vary"]
        assert response["Content-Language"] == "en"


def test_the_needs_api_list_of_a_group_is_kept_per_token(client, group, member, need):
    token = networks.token_create(actor=member)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    path = "/api/v1/needs"
    response = kept(client, path, {"group": str(group.public_id)}, **auth)
    assert [n["title"] for n in response.json()["items"]] == [need.title]
    services.need_create(actor=member, group=group, title="A lift to the clinic", category="transport",
                            quantity=1)
    response, queries = visit(client, path, {"group": str(group.public_id)}, **auth)
    assert queries > 1 and response.json()["count"] == 2
    # Another filter is another page; a token that is gone gets 401, not what it was shown before.
    response, queries = visit(client, path, {"group": str(group.public_id), "urgency": "critical"}, **auth)
    assert queries > 1 and response.json()["count"] == 0
    kept(client, path, {"group": str(group.public_id)}, **auth)
    accounts.account_delete(actor=member, password=PASSWORD)
    response, _ = visit(client, path, {"group": str(group.public_id)}, **auth)
    assert response.status_code == 401


def test_every_change_a_member_would_see_shows_at_once(group, owner, member, helper, pages, need, make_user,
                                                       django_capture_on_commit_callbacks):
    you = browser(owner)  # the coordinator who posted the need
    for path in pages.values():
        kept(you, path)
    # Someone claims part of the need: the need page, the board and the home page change.
    with django_capture_on_commit_callbacks(execute=True):
        services.match_claim(actor=helper, need=need, quantity=2)
    for name, path in pages.items():
        response, queries = visit(you, path)
        assert queries > 1, name
        assert same_page(response, fresh(you, path)), name
    assert "hana" in visit(you, pages["need"])[0].content.decode()
    # The claim told the requester: the unread count in the navigation is part of every page.
    home = visit(you, pages["home"])[0].content.decode()
    assert re.search(r'class="stat__value">1</span><span class="stat__label">unread notifications', home)
    kept(you, pages["home"])
    networks.notifications_mark_read(actor=owner)
    home = visit(you, pages["home"])[0].content.decode()
    assert re.search(r'class="stat__value">0</span><span class="stat__label">unread notifications', home)
    # A new group in the network is a new place a coordinator can refer the need to.
    kept(you, pages["need"])
    networks.group_create(actor=make_user("rita"), name="Riverside Pod", location_name="Riverside")
    assert "Riverside Pod" in visit(you, pages["need"])[0].content.decode()
    # Choosing another language.
    kept(you, pages["home"])
    networks.user_update_settings(actor=owner, language="es")
    assert '<html lang="es">' in visit(you, pages["home"])[0].content.decode()


def test_leaving_a_group_ends_its_pages_at_once(group, member, pages):
    you = browser(member)
    kept(you, pages["board"])
    kept(you, pages["need"])
    networks.group_leave(actor=member, group=group)
    assert visit(you, pages["need"])[0].status_code == 404
    board = visit(you, pages["board"])[0].content.decode()
    assert 'id="board"' not in board


@pytest.mark.parametrize("end", ["log out", "new password", "account deleted"])
def test_a_sign_in_that_ended_never_gets_a_kept_page(group, owner, member, pages, end):
    you, someone_else = browser(member), browser(owner)
    for path in pages.values():
        kept(you, path)
    thief = Client()  # a copy of the cookies, as someone who took them would have
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
        thief.cookies[name] = you.cookies[name].value
    assert visit(thief, pages["need"])[1] == 1
    if end == "log out":
        you.post(reverse("logout"))
    elif end == "new password":
        member.set_password("another-long-passphrase-7")
        member.save()
    else:
        accounts.account_delete(actor=member, password=PASSWORD)
    kept(someone_else, pages["need"])  # other people's sign-ins go on
    for name, path in pages.items():
        response, _ = visit(thief, path)
        assert "mateo" not in response.content.decode(), name
        if name != "home":
            assert response.status_code in {302, 404} or 'id="board"' not in response.content.decode(), name


def test_no_one_is_shown_a_page_kept_for_someone_else(group, owner, member, need, pages):
    coordinator, you = browser(owner), browser(member)
    assert "+44 7700 900123" in kept(coordinator, pages["need"]).content.decode()
    response, queries = visit(you, pages["need"])
    assert queries > 1 and "+44 7700 900123" not in response.content.decode()
    # The same person, another query string or an htmx request: another page.
    kept(you, pages["board"])
    assert visit(you, pages["board"], {"urgency": "high"})[1] > 1
    assert visit(you, pages["board"], HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")[1] > 1


def test_a_message_waiting_is_shown_not_a_kept_page(group, helper, need, pages):
    you = browser(helper)
    kept(you, pages["need"])
    response = you.post(reverse("need_claim", args=[need.public_id]), {"quantity": 1}, follow=True)
    assert "The contact details are below." in response.content.decode()
    # The message is gone once shown; but the page now carries the contact details, and every view of them is
    # recorded for the requester to see: it is made anew each time, never kept.
    from mutualaid.circulation.models import ContactView

    seen = ContactView.objects.filter(need=need, viewer=helper).count()
    for _ in range(2):
        _, queries = visit(you, pages["need"])
        assert queries > 1
    assert ContactView.objects.filter(need=need, viewer=helper).count() == seen + 2


def test_a_page_that_sets_a_cookie_is_not_kept(member, pages):
    you = Client()
    you.force_login(member)  # no CSRF cookie yet: the first page gives one
    visit(you, pages["home"])
    _, queries = visit(you, pages["home"])
    assert queries > 1


def test_a_kept_page_is_made_again_after_page_cache_seconds(member, pages, monkeypatch):
    you = browser(member)
    kept(you, pages["home"])
    import django.core.cache.backends.locmem as locmem

    now = locmem.time.time()
    monkeypatch.setattr(locmem.time, "time", lambda: now + settings.PAGE_CACHE_SECONDS + 1)
    assert visit(you, pages["home"])[1] > 1


def test_the_cache_can_be_turned_off(member, pages, settings):
    settings.PAGE_CACHE_SECONDS = 0
    you = browser(member)
    for _ in range(3):
        assert visit(you, pages["home"])[1] > 1


def test_a_group_page_seen_from_outside_is_not_kept(group, outsider, pages):
    you = browser(outsider)
    for _ in range(3):
        response, queries = visit(you, pages["board"])
        assert response.status_code == 200 and queries > 1


def test_a_notification_shows_at_once_on_every_page(group, member, pages, django_capture_on_commit_callbacks):
    you = browser(member)
    for path in pages.values():
        kept(you, path)
    with django_capture_on_commit_callbacks(execute=True):
        networks.notify(user=member, kind="suggestions", params={"count": 2}, url="/me/suggestions/")
    for name, path in pages.items():
        badge = '<span class="count"><span class="visually-hidden">(</span>1'
        assert badge in visit(you, path)[0].content.decode(), name


def test_own_needs_in_a_group_one_left_stay_current_on_home(group, member, helper, make_user):
    """Home lists the member's own needs wherever they are: a change to one of them, in a group they no longer
    belong to, still makes their home page anew."""
    mine = services.need_create(actor=member, group=group, title="Firewood for the stove", category="groceries",
                                quantity=4)
    networks.group_leave(actor=member, group=group)
    you = browser(member)
    assert "4 of 4 bags still needed" in kept(you, reverse("home")).content.decode()
    services.match_claim(actor=helper, need=mine, quantity=3)
    home, queries = visit(you, reverse("home"))
    assert queries > 1 and same_page(home, fresh(you, reverse("home")))
    assert "1 of 4 bags still needed" in home.content.decode()


def test_a_deleted_account_leaves_no_kept_page_with_its_name(client, group, owner, member, other_group, outsider):
    """Even in a group the person never joined: a need of theirs referred there, and closed, names them (the account's
    deletion stamps every group whose pages name them on a need or a match)."""
    mine = services.need_create(actor=member, group=group, title="A winter coat", category="clothing", quantity=1)
    there = services.need_refer(actor=owner, need=mine, to_group=other_group)
    services.need_cancel(actor=outsider, need=there, reason="Found one nearer.")
    token = networks.token_create(actor=outsider)
    params = {"group": str(other_group.public_id), "status": "cancelled"}
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert [n["requester"] for n in kept(client, "/api/v1/needs", params, **auth).json()["items"]] == ["mateo"]
    accounts.account_delete(actor=member, password=PASSWORD)
    response, queries = visit(client, "/api/v1/needs", params, **auth)
    assert queries > 1 and response.json()["items"][0]["requester"].startswith("former-member-")


def test_a_token_signs_in_to_the_api_only(member, pages):
    """A page kept for a browser that also sent the member's API token is never given to a request that brings the
    token but no session: pages take sessions only."""
    token = networks.token_create(actor=member)
    you = browser(member)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    kept(you, pages["home"], **auth)
    stranger = Client()
    stranger.cookies[settings.CSRF_COOKIE_NAME] = you.cookies[settings.CSRF_COOKIE_NAME].value
    response, _ = visit(stranger, pages["home"], **auth)
    assert response.status_code == 200 and "mateo" not in response.content.decode()
