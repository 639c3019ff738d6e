"""Notification kinds are declared by the app that sends them: networks stores, shows, e-mails and erases them
without knowing any of them."""
from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from mutualaid.front import services as accounts
from mutualaid.networks import notices, services
from mutualaid.networks.models import Notification

PASSWORD = "a-long-passphrase-42"


@pytest.fixture
def visit_kind():
    kind = notices.notice_kind("test_visit", label="A neighbour will visit",
                               text="%(visitor)s will visit you on %(day)s.", names=("visitor",))
    yield kind
    notices.KINDS.pop("test_visit")


def test_a_kind_declared_elsewhere_is_stored_shown_and_e_mailed(visit_kind, owner, member,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(user=owner, kind=visit_kind, params={"visitor": member.username, "day": "Friday"})
    notification = Notification.objects.get(user=owner)
    assert notification.kind == "test_visit" == visit_kind
    assert notices.notification_text(notification.kind, notification.params) == "mateo will visit you on Friday."
    assert mail.outbox[-1].subject == "mateo will visit you on Friday."
    # Params that no longer fit the text (an older release's) fall back to the label; an unknown kind to its code.
    assert notices.notification_text("test_visit", {"visitor": "x"}) == "A neighbour will visit"
    assert notices.notification_text("gone_kind", {}) == "gone_kind"


def test_a_name_param_of_any_kind_is_renamed_when_the_account_is_deleted(visit_kind, owner, member,
                                                                         django_capture_on_commit_callbacks):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.notify(user=owner, kind=visit_kind, params={"visitor": member.username, "day": "Friday"})
    assert "visitor" in notices.name_params()
    accounts.account_delete(actor=member, password=PASSWORD)
    text = notices.notification_text(visit_kind, Notification.objects.get(user=owner).params)
    assert "mateo" not in text and text.startswith("former-member-")


def test_every_kind_the_apps_send_is_declared_with_a_text_and_a_label():
    codes = set(notices.KINDS)
    assert {"match_claimed", "suggestions", "role_changed", "password_changed"} <= codes
    class Params(dict):  # whatever a sentence names (a counted one picks its plural form from "count")
        def __missing__(self, key):
            return 2

    for kind in notices.KINDS.values():
        assert str(kind.label).strip() and str(kind.text % Params()).strip(), kind.code
        with translation.override("en"):
            english = (str(kind.label), str(kind.text % Params()))
        with translation.override("es"):  # every kind's label and sentence are in Spanish too
            assert (str(kind.label), str(kind.text % Params())) != english, kind.code
