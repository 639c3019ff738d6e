"""E-mails reach members who follow their browser's language in that language: the browser they last logged in
with is remembered for it (an explicit language setting wins)."""
from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from mutualaid.front import services as accounts
from mutualaid.audit.models import AuditEntry
from mutualaid.circulation import services as circulation
from mutualaid.networks import services as networks
from mutualaid.networks.models import Notification, User
from mutualaid.networks.selectors import notification_text

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"


def claim_of_a_need_of(requester, group, helper, capture) -> str:
    """A helper claims the requester's need; returns the e-mail the requester gets."""
    networks.group_join(actor=requester, group=group)
    need = circulation.need_create(actor=requester, group=group, title="Pan para el lunes", category="groceries",
                                   quantity=1)
    mail.outbox.clear()
    with capture(execute=True):
        circulation.match_claim(actor=helper, need=need, quantity=1)
    sent = [m for m in mail.outbox if m.to == [requester.email]]
    assert len(sent) == 1
    return sent[0].body


def expected(requester, language: str) -> str:
    notification = Notification.objects.filter(user=requester).latest("created_at")
    with translation.override(language):
        return notification_text(notification.kind, notification.params)


def test_a_member_who_signed_up_in_a_spanish_browser_gets_spanish_e_mails(
        client, group, helper, django_capture_on_commit_callbacks):
    response = client.post(reverse("signup"), {"username": "lucia", "email": "lucia@example.org",
                                                "password": PASSWORD, "password_again": PASSWORD},
                           HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    assert response.status_code == 302
    lucia = User.objects.get(username="lucia")
    assert lucia.language == "" and lucia.browser_language == "es"
    body = claim_of_a_need_of(lucia, group, helper, django_capture_on_commit_callbacks)
    assert expected(lucia, "es") in body and expected(lucia, "es") != expected(lucia, "en")


def test_logging_in_from_another_browser_changes_the_language_of_e_mails(
        client, group, helper, make_user, django_capture_on_commit_callbacks):
    ana = make_user("ana")
    client.post(reverse("login"), {"username": "ana", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="es")
    client.logout()
    client.post(reverse("login"), {"username": "ana", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en-GB")
    ana.refresh_from_db()
    assert ana.browser_language == "en"
    seen = AuditEntry.objects.filter(action="user.browser_language_seen", object_id=str(ana.public_id))
    assert [e.after["browser_language"] for e in seen.order_by("seq")] == ["es", "en"]
    body = claim_of_a_need_of(ana, group, helper, django_capture_on_commit_callbacks)
    assert expected(ana, "en") in body


def test_an_explicit_language_setting_wins_over_the_browser(
        client, group, helper, make_user, django_capture_on_commit_callbacks):
    olivia = make_user("olivia")
    networks.user_update_settings(actor=olivia, language="en")
    client.post(reverse("login"), {"username": "olivia", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="es")
    olivia.refresh_from_db()
    assert olivia.browser_language == ""
    body = claim_of_a_need_of(olivia, group, helper, django_capture_on_commit_callbacks)
    assert expected(olivia, "en") in body


def test_deleting_the_account_forgets_the_browser_language(client, make_user):
    pablo = make_user("pablo")
    client.post(reverse("login"), {"username": "pablo", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="es")
    pablo.refresh_from_db()
    assert pablo.browser_language == "es"
    accounts.account_delete(actor=pablo, password=PASSWORD)
    pablo.refresh_from_db()
    assert pablo.browser_language == ""
