"""Signing in safely: a password change or reset ends every other sign-in and every API token; tokens expire after
a settable number of days without use; a member lists and revokes their tokens, on the web and the API."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mutualaid.front import services as accounts
from mutualaid.audit.models import AuditEntry
from mutualaid.networks import services as networks
from mutualaid.networks.models import ApiToken, Notification, User
from mutualaid.tests.api_helpers import signed_in
from mutualaid.networks import notices as networks_notices

PASSWORD = "a-long-passphrase-42"
NEW = "another-long-passphrase-7"


def api(token: str | None = None) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}


def works(token: str) -> bool:
    response = Client().get("/api/v1/me/tokens", **api(token))
    assert response.status_code in (200, 401), response.content
    return response.status_code == 200


def signed_in_still(client: Client) -> bool:
    response = client.get(reverse("settings"))
    return response.status_code == 200


def new_token(username: str, password: str = PASSWORD, **extra) -> str:
    response = Client().post("/api/v1/auth/token", {"username": username, "password": password, **extra},
                             content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


# --- Password change ------------------------------------------------------------------------------------


def test_a_password_changed_through_the_api_ends_every_session_and_token(member, django_capture_on_commit_callbacks):
    phone, laptop = new_token("mateo"), new_token("mateo")
    browser = signed_in(member)
    assert works(phone) and works(laptop) and signed_in_still(browser)
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/api/v1/me/password", {"current_password": PASSWORD, "new_password": NEW},
                                 content_type="application/json", **api(phone))
    assert response.status_code == 200, response.content
    assert "new token" in response.json()["detail"]
    # Every token ends, the one that made the change too (the API has no session to keep); the browser is out.
    assert not works(phone) and not works(laptop)
    assert not signed_in_still(browser)
    # The new password signs in; the old one no longer does.
    assert works(new_token("mateo", NEW))
    assert Client().post("/api/v1/auth/token", {"username": "mateo", "password": PASSWORD},
                         content_type="application/json").status_code == 401
    # The member is told, in the app and by e-mail; the record says how, never what.
    assert Notification.objects.filter(user=member, kind=networks_notices.PASSWORD_CHANGED).exists()
    assert any("password was changed" in m.body for m in mail.outbox if m.to == ["mateo@example.org"])
    entry = AuditEntry.objects.get(action="user.password_set")
    assert entry.after == {"how": "changed", "api_tokens_revoked": 2, "sessions_ended": 1}
    assert NEW not in str(entry.after) and PASSWORD not in str(entry.after)


def test_a_wrong_current_password_changes_nothing(member):
    token = new_token("mateo")
    response = Client().post("/api/v1/me/password", {"current_password": "not-it-at-all", "new_password": NEW},
                             content_type="application/json", **api(token))
    assert response.status_code == 403
    assert response.json()["detail"] == "That is not your current password. Your password was not changed."
    assert response.json()["field"] == "current_password"
    member.refresh_from_db()
    assert member.check_password(PASSWORD) and works(token)


@pytest.mark.parametrize("new_password,words", [("short", "too short"), ("password123", "too common"),
                                                (PASSWORD, "same as the current")])
def test_a_weak_or_unchanged_new_password_is_refused_with_the_reason(member, new_password, words):
    token = new_token("mateo")
    response = Client().post("/api/v1/me/password", {"current_password": PASSWORD, "new_password": new_password},
                             content_type="application/json", **api(token))
    assert response.status_code == 422, response.content
    assert words in response.json()["detail"] and response.json()["field"] == "new_password"
    member.refresh_from_db()
    assert member.check_password(PASSWORD) and works(token)


def test_a_password_changed_on_the_web_keeps_this_session_only(member, django_capture_on_commit_callbacks):
    here, elsewhere = signed_in(member), signed_in(member)
    token = new_token("mateo")
    page = here.get(reverse("password_change"))
    assert page.status_code == 200 and "Change your password" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = here.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": NEW,
                                                          "new_password2": NEW}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("settings")
    assert "Your password is changed" in response.content.decode()
    assert signed_in_still(here)
    assert not signed_in_still(elsewhere)
    assert not works(token)
    member.refresh_from_db()
    assert member.check_password(NEW)


def test_a_wrong_old_password_on_the_web_is_said_by_the_field(member):
    browser = signed_in(member)
    response = browser.post(reverse("password_change"), {"old_password": "nope-nope-nope", "new_password1": NEW,
                                                         "new_password2": NEW})
    assert response.status_code == 200
    assert re.search(r'id="id_old_password_error"', response.content.decode())
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_the_settings_and_log_in_pages_lead_to_the_password_pages(member):
    settings_page = signed_in(member).get(reverse("settings")).content.decode()
    assert reverse("password_change") in settings_page and reverse("account_tokens") in settings_page
    login_page = Client().get(reverse("login")).content.decode()
    assert reverse("password_reset") in login_page and "Forgot your password?" in login_page


# --- Password reset by e-mail ---------------------------------------------------------------------------


def test_a_password_reset_by_e_mail_link_signs_out_everywhere(member, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://aid.example.net"
    old_session, token = signed_in(member), new_token("mateo")
    visitor = Client()
    response = visitor.post(reverse("password_reset"), {"email": "MATEO@example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["mateo@example.org"]
    message = mail.outbox[0]
    assert "\n" not in message.subject
    link = re.search(r"https://aid\.example\.net(/account/password/reset/\S+/)", message.body)
    assert link, message.body  # the link uses SITE_URL, never the Host the request named
    page = visitor.get(link.group(1), follow=True)
    assert page.status_code == 200 and "Choose a new password" in page.content.decode()
    form_url = page.redirect_chain[-1][0]
    with django_capture_on_commit_callbacks(execute=True):
        done = visitor.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    member.refresh_from_db()
    assert member.check_password(NEW)
    assert not signed_in_still(old_session) and not works(token)
    assert AuditEntry.objects.get(action="user.password_set").after["how"] == "reset"
    # The link works once.
    again = visitor.get(link.group(1), follow=True)
    assert "This link no longer works" in again.content.decode()


def test_a_reset_link_is_never_built_from_the_request_host(member, settings):
    settings.SITE_URL = "https://aid.example.net"
    settings.ALLOWED_HOSTS = ["aid.example.net", "evil.example.com"]
    Client().post(reverse("password_reset"), {"email": "mateo@example.org"}, HTTP_HOST="evil.example.com")
    assert len(mail.outbox) == 1
    assert "evil.example.com" not in mail.outbox[0].body and "https://aid.example.net/" in mail.outbox[0].body


def test_a_reset_asked_for_an_unknown_address_looks_the_same_and_sends_nothing(db):
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_reset_done")
    assert "If an account has that address" in response.content.decode()
    assert mail.outbox == []


def test_a_deleted_account_gets_no_reset_link(member):
    accounts.account_delete(actor=member, password=PASSWORD)
    Client().post(reverse("password_reset"), {"email": "mateo@example.org"})
    assert mail.outbox == []


# --- Tokens: expiry, list, revoke -----------------------------------------------------------------------


def _last_used(token_key: str, ago: timedelta) -> None:
    token = ApiToken.objects.get(key_prefix=token_key[:ApiToken.PREFIX_LENGTH])
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - ago)


def test_a_token_unused_for_30_days_stops_working(member):
    fresh, stale = new_token("mateo"), new_token("mateo")
    _last_used(fresh, timedelta(days=29))
    _last_used(stale, timedelta(days=30, minutes=1))
    assert works(fresh) and not works(stale)
    # Using it counts: the clock starts again.
    assert ApiToken.objects.get(key_prefix=fresh[:6]).last_used_at > timezone.now() - timedelta(minutes=1)


def test_the_idle_days_are_a_setting_and_0_means_never(member, settings):
    token = new_token("mateo")
    _last_used(token, timedelta(days=8))
    settings.API_TOKEN_IDLE_DAYS = 7
    assert not works(token)
    settings.API_TOKEN_IDLE_DAYS = 0
    assert works(token)


def test_last_use_is_written_at_most_once_an_hour(member, django_assert_num_queries):
    token = new_token("mateo")
    client = Client()
    client.get("/api/v1/me/tokens", **api(token))
    with django_assert_num_queries(2):  # the token with its user, the list: no write
        assert client.get("/api/v1/me/tokens", **api(token)).status_code == 200
    _last_used(token, timedelta(hours=2))
    with django_assert_num_queries(3):  # ... and one write of the new last use
        assert client.get("/api/v1/me/tokens", **api(token)).status_code == 200


def test_a_kept_api_page_is_not_served_to_an_expired_token(group, member, need):
    token = new_token("mateo")
    client, query = Client(), {"group": str(group.public_id)}
    for _ in range(2):
        assert client.get("/api/v1/needs", query, **api(token)).status_code == 200
    _last_used(token, timedelta(days=31))
    response = client.get("/api/v1/needs", query, **api(token))
    assert response.status_code == 401


def test_the_worker_deletes_expired_tokens(member, owner):
    keep, gone = new_token("mateo"), new_token("olga")
    _last_used(gone, timedelta(days=45))
    assert networks.tokens_purge_expired() == 1
    assert list(ApiToken.objects.values_list("key_prefix", flat=True)) == [keep[:6]]
    assert AuditEntry.objects.get(action="tokens.expired").after == {"count": 1}


def test_a_member_lists_their_tokens_and_which_one_is_calling(member, owner):
    phone = new_token("mateo", label="Phone app")
    new_token("mateo", label="  Fridge   script ")
    new_token("olga", label="Olga's own")
    response = Client().get("/api/v1/me/tokens", **api(phone))
    assert response.status_code == 200
    listed = response.json()
    assert sorted(t["label"] for t in listed) == ["Fridge script", "Phone app"]
    assert [t["current"] for t in listed if t["label"] == "Phone app"] == [True]
    assert all(set(t) == {"id", "label", "starts_with", "created_at", "last_used_at", "expires_at", "current"}
               for t in listed)
    assert [t["starts_with"] for t in listed if t["current"]] == [phone[:6]]
    assert phone not in response.content.decode()


def test_a_token_name_that_is_too_long_is_refused(member):
    response = Client().post("/api/v1/auth/token", {"username": "mateo", "password": PASSWORD, "label": "x" * 81},
                             content_type="application/json")
    assert response.status_code == 422 and "80 characters" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_a_member_revokes_a_token_through_the_api_and_not_someone_elses(member, owner):
    phone, laptop, olgas = new_token("mateo"), new_token("mateo"), new_token("olga")
    ids = {t["starts_with"]: t["id"] for t in Client().get("/api/v1/me/tokens", **api(phone)).json()}
    response = Client().delete(f"/api/v1/me/tokens/{ids[laptop[:6]]}", **api(phone))
    assert response.status_code == 200 and response.json()["detail"] == "The token is revoked."
    assert works(phone) and not works(laptop)
    olgas_id = str(ApiToken.objects.get(user=owner).public_id)
    response = Client().delete(f"/api/v1/me/tokens/{olgas_id}", **api(phone))
    assert response.status_code == 404 and works(olgas)


def test_a_member_sees_and_revokes_tokens_on_the_web(member, owner):
    phone = new_token("mateo", label="Phone app")
    olgas = new_token("olga", label="Olga's own")
    browser = signed_in(member)
    page = browser.get(reverse("account_tokens")).content.decode()
    assert "Phone app" in page and f"starts with {phone[:6]}" in page and "Olga's own" not in page
    assert "30 days without use" in page
    token = ApiToken.objects.get(user=member)
    response = browser.post(reverse("account_token_revoke", args=[token.public_id]), follow=True)
    assert "The token is revoked" in response.content.decode() and not works(phone)
    assert "You have no API tokens" in response.content.decode()
    olgas_row = ApiToken.objects.get(user=owner)
    response = browser.post(reverse("account_token_revoke", args=[olgas_row.public_id]), follow=True)
    assert "You have no such token." in response.content.decode() and works(olgas)


def test_the_export_lists_tokens_by_name_and_never_the_key(member):
    key = new_token("mateo", label="Phone app")
    data = accounts.account_export(User.objects.get(pk=member.pk))
    assert [t["label"] for t in data["api_tokens"]] == ["Phone app"]
    assert data["api_tokens"][0]["starts_with"] == key[:6]
    assert key not in str(data)


# --- Sessions: a person's own, and only theirs ----------------------------------------------------------


def _sessions_of(user) -> set[str]:
    from django.contrib.sessions.models import Session

    return {s.session_key for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)}


def test_ending_a_persons_sessions_reads_no_one_elses(member, owner, monkeypatch):
    from django.contrib.sessions.models import Session

    phone, laptop, olgas = signed_in(member), signed_in(member), signed_in(owner)
    assert len(_sessions_of(member)) == 2
    olgas_sessions = _sessions_of(owner)

    def never(self):
        raise AssertionError("a session was decoded: someone else's sessions were read")

    monkeypatch.setattr(Session, "get_decoded", never)
    accounts.account_delete(actor=member, password=PASSWORD)
    monkeypatch.undo()
    assert _sessions_of(member) == set() and _sessions_of(owner) == olgas_sessions
    assert AuditEntry.objects.get(action="user.anonymised").after["sessions_dropped"] == 2
    assert signed_in_still(olgas) and not signed_in_still(phone) and not signed_in_still(laptop)


def test_a_password_change_deletes_the_other_sessions_and_keeps_this_one(member):
    here, elsewhere = signed_in(member), signed_in(member)
    here.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    remaining = _sessions_of(member)
    assert remaining == {here.session.session_key} and signed_in_still(here) and not signed_in_still(elsewhere)
    assert AuditEntry.objects.get(action="user.password_set").after["sessions_ended"] == 1
    # The session kept under its new key is still known as hers: deleting the account ends it too.
    accounts.account_delete(actor=User.objects.get(pk=member.pk), password=NEW)
    assert _sessions_of(member) == set() and not signed_in_still(here)


def test_logging_out_forgets_the_session(member):
    from mutualaid.networks.models import SignedInSession

    browser = Client()
    browser.post(reverse("login"), {"username": "mateo", "password": PASSWORD})
    assert SignedInSession.objects.filter(user=member).count() == 1
    browser.post(reverse("logout"))
    assert not SignedInSession.objects.filter(user=member).exists()
