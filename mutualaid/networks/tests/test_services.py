"""Services of the networks app: accounts, groups, membership, trust and roles, applications, notifications.

Every test runs against the shared fixtures of /conftest.py: `owner` founded `group` (so is its coordinator),
`member` joined it, `outsider` is in no group of theirs. After each test the audit chain must still verify.
"""
from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from mutualaid.audit.models import AuditEntry
from mutualaid.core.errors import Conflict, InvalidInput, NotAllowed
from mutualaid.networks import selectors, services
from mutualaid.networks.models import Application, Membership, Notification, Trust, User
from mutualaid.networks.selectors import (
    active_member_count, group_members, membership_for, notification_text,
)
from mutualaid.audit.tests.helpers import actions_since, chain_stays_valid, last_seq  # noqa: F401

from mutualaid.networks.tests.helpers import role
from mutualaid.networks import notices as networks_notices
from mutualaid.circulation import notices as circulation_notices

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chain_stays_valid")]


@pytest.fixture
def closed_group(owner):
    return services.group_create(actor=owner, name="Riverside Pod", is_open=False,
                                 application_questions=["Why do you want to join?", "Which street are you near?"])


# --- Accounts -------------------------------------------------------------------------------------


def test_register_creates_a_user_who_can_log_in_and_is_audited():
    before = last_seq()
    user = services.user_register(username="Amara", password="a-long-passphrase-42", email="amara@example.org",
                                  language="es")
    user.refresh_from_db()
    assert user.username == "Amara"
    assert user.check_password("a-long-passphrase-42")
    assert user.language == "es"
    assert actions_since(before) == ["user.registered"]
    entry = AuditEntry.objects.get(seq=before + 1)
    assert entry.actor == str(user.public_id)
    assert entry.object_id == str(user.public_id)


def test_register_refuses_a_name_taken_in_another_case(owner):
    with pytest.raises(Conflict) as exc:
        services.user_register(username="OLGA", password="a-long-passphrase-42")
    assert exc.value.field == "username"
    assert User.objects.filter(username__iexact="olga").count() == 1


def test_register_refuses_a_weak_password_with_a_message():
    before = last_seq()
    with pytest.raises(InvalidInput) as exc:
        services.user_register(username="amara", password="password")
    assert exc.value.field == "password"
    assert "too common" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        services.user_register(username="amara", password="12345")
    assert "too short" in exc.value.message
    assert not User.objects.filter(username="amara").exists()
    assert last_seq() == before


@pytest.mark.parametrize("name", ["", "   ", "has space", "semi;colon", "x" * 151])
def test_register_refuses_a_bad_user_name(name):
    with pytest.raises(InvalidInput) as exc:
        services.user_register(username=name, password="a-long-passphrase-42")
    assert exc.value.field == "username"


def test_user_settings_change_language_and_refuse_unknown_ones(owner):
    services.user_update_settings(actor=owner, language="es")
    owner.refresh_from_db()
    assert owner.language == "es"
    with pytest.raises(InvalidInput):
        services.user_update_settings(actor=owner, language="klingon")
    owner.refresh_from_db()
    assert owner.language == "es"


def test_token_is_returned_once_and_only_its_hash_stored(owner):
    key = services.token_create(actor=owner)
    assert selectors.token_user(key) == owner
    assert selectors.token_user(key + "x") is None
    assert not owner.api_tokens.filter(key_hash=key).exists()
    owner.is_active = False
    owner.save()
    assert selectors.token_user(key) is None


# --- Groups and membership ------------------------------------------------------------------------


def test_group_create_makes_the_creator_first_member_and_coordinator(owner):
    before = last_seq()
    group = services.group_create(actor=owner, name="Eastside Pod", location_name="Eastside", lat=51.52, lon=-0.05)
    memberships = list(Membership.objects.active().filter(group=group))
    assert [(m.user, m.role) for m in memberships] == [(owner, Membership.Role.COORDINATOR)]
    actions = actions_since(before)
    assert actions[-2:] == ["group.created", "membership.joined"]
    created = AuditEntry.objects.get(seq__gt=before, action="group.created")
    assert created.actor == str(owner.public_id)
    assert created.object_id == str(group.public_id)
    # What was typed (the name, the area) lives in the group's row, never in the chain.
    assert created.after == {"is_open": True, "located": True}


def test_group_create_refuses_bad_input(owner, group):
    with pytest.raises(Conflict):
        services.group_create(actor=owner, name="northside pod")
    with pytest.raises(InvalidInput) as exc:
        services.group_create(actor=owner, name="  ")
    assert exc.value.field == "name"
    with pytest.raises(InvalidInput) as exc:
        services.group_create(actor=owner, name="Polar Pod", lat=95.0, lon=0.0)
    assert exc.value.field == "lat"
    with pytest.raises(InvalidInput) as exc:
        services.group_create(actor=owner, name="Half Pod", lat=10.0)
    assert exc.value.field == "lat"
    with pytest.raises(InvalidInput) as exc:
        services.group_create(actor=owner, name="Zero Pod", trust_threshold=0)
    assert exc.value.field == "trust_threshold"


def test_join_open_group(group, outsider):
    before = last_seq()
    membership = services.group_join(actor=outsider, group=group)
    assert membership_for(outsider, group) == membership
    assert membership.role == Membership.Role.NEWCOMER
    assert actions_since(before) == ["membership.joined"]


def test_join_twice_is_a_conflict(group, member):
    with pytest.raises(Conflict):
        services.group_join(actor=member, group=group)
    assert Membership.objects.active().filter(group=group, user=member).count() == 1


def test_join_closed_group_is_refused(closed_group, outsider):
    with pytest.raises(NotAllowed):
        services.group_join(actor=outsider, group=closed_group)
    assert membership_for(outsider, closed_group) is None


def test_leave_ends_membership_and_removes_trust_given_and_received(owner, make_user, join):
    group = services.group_create(actor=owner, name="Threshold Pod", trust_threshold=2)
    leaver, receiver, third = join(group, "lena"), join(group, "rui"), join(group, "tess")
    services.trust_give(actor=owner, group=group, receiver=leaver)  # the founder vouches: members
    services.trust_give(actor=owner, group=group, receiver=third)
    services.trust_give(actor=leaver, group=group, receiver=receiver)
    services.trust_give(actor=third, group=group, receiver=receiver)
    assert role(receiver, group) == Membership.Role.COORDINATOR  # two paths: through lena and through tess
    services.trust_give(actor=receiver, group=group, receiver=leaver)
    assert role(leaver, group) == Membership.Role.COORDINATOR  # the founder's own trust and rui's

    before = last_seq()
    services.group_leave(actor=leaver, group=group)

    assert membership_for(leaver, group) is None
    past = Membership.objects.get(group=group, user=leaver)
    assert past.left_at is not None and past.role == Membership.Role.NEWCOMER
    assert not Trust.objects.filter(group=group, giver=leaver).exists()
    assert not Trust.objects.filter(group=group, receiver=leaver).exists()
    # The receiver kept one path of the two the threshold asks: a member again.
    assert role(receiver, group) == Membership.Role.MEMBER
    assert actions_since(before) == ["membership.left", "membership.role_changed"]
    # Leaving is free, and so is coming back; the past membership stays as history.
    services.group_join(actor=leaver, group=group)
    assert Membership.objects.filter(group=group, user=leaver).count() == 2


def test_leave_keeps_receivers_still_above_threshold(owner, join):
    group = services.group_create(actor=owner, name="Threshold Pod", trust_threshold=1)
    leaver, receiver = join(group), join(group)
    services.trust_give(actor=owner, group=group, receiver=leaver)
    services.trust_give(actor=owner, group=group, receiver=receiver)
    services.trust_give(actor=leaver, group=group, receiver=receiver)
    services.group_leave(actor=leaver, group=group)
    assert role(receiver, group) == Membership.Role.COORDINATOR


def test_leave_when_not_a_member_is_a_conflict(group, outsider):
    with pytest.raises(Conflict):
        services.group_leave(actor=outsider, group=group)


# --- Trust and roles ------------------------------------------------------------------------------


def test_default_threshold_follows_active_members(owner, join):
    group = services.group_create(actor=owner, name="Count Pod")
    assert selectors.group_threshold(group) == 2  # never below two: no one makes a coordinator alone
    people = [join(group) for _ in range(3)]
    assert selectors.group_threshold(group) == 2  # four members: the square root
    people += [join(group) for _ in range(6)]
    assert active_member_count(group) == 10
    assert selectors.group_threshold(group) == 4  # rounded up: it keeps growing with the group
    for person in people[:5]:
        services.group_leave(actor=person, group=group)
    assert selectors.group_threshold(group) == 3  # five members


def test_trust_promotes_at_the_default_threshold(owner, join):
    group = services.group_create(actor=owner, name="Five Pod")
    a, b, c, d = (join(group) for _ in range(4))
    assert selectors.group_threshold(group) == 3
    services.trust_give(actor=owner, group=group, receiver=a)
    services.trust_give(actor=owner, group=group, receiver=b)
    assert role(a, group) == Membership.Role.MEMBER
    before = last_seq()
    services.trust_give(actor=owner, group=group, receiver=d)
    services.trust_give(actor=a, group=group, receiver=d)
    assert role(d, group) == Membership.Role.MEMBER
    assert actions_since(before) == ["trust.given", "membership.role_changed", "trust.given"]
    services.trust_give(actor=b, group=group, receiver=d)
    assert role(d, group) == Membership.Role.COORDINATOR
    change = AuditEntry.objects.filter(action="membership.role_changed").order_by("-seq").first()
    assert change.before == {"role": "member"}
    assert change.after == {"role": "coordinator", "trust": 3, "threshold": 3}


def test_trust_promotes_at_a_custom_threshold(owner, join):
    group = services.group_create(actor=owner, name="Strict Pod", trust_threshold=4)
    a, b, e, c = join(group), join(group), join(group), join(group)
    for person in (a, b, e):
        services.trust_give(actor=owner, group=group, receiver=person)
    assert selectors.group_threshold(group) == 4  # the default would be 3 for five members
    for giver in (owner, a, b):
        services.trust_give(actor=giver, group=group, receiver=c)
    assert role(c, group) == Membership.Role.MEMBER
    services.trust_give(actor=e, group=group, receiver=c)
    assert role(c, group) == Membership.Role.COORDINATOR


def test_group_members_show_trust_and_what_the_viewer_gave(group, owner, member):
    services.trust_give(actor=owner, group=group, receiver=member)
    rows = {row["user"]: row for row in group_members(group, viewer=owner)}
    assert rows[member]["trust"] == 1 and rows[member]["trusted_by_viewer"]
    assert rows[owner]["trust"] == 0 and not rows[owner]["trusted_by_viewer"]


def test_trust_in_oneself_is_refused(group, member):
    with pytest.raises(NotAllowed):
        services.trust_give(actor=member, group=group, receiver=member)
    assert not Trust.objects.exists()


def test_trust_from_a_non_member_is_refused(group, outsider, member):
    before = last_seq()
    with pytest.raises(NotAllowed):
        services.trust_give(actor=outsider, group=group, receiver=member)
    assert not Trust.objects.exists()
    assert role(member, group) == Membership.Role.NEWCOMER
    assert last_seq() == before


def test_trust_from_a_former_member_is_refused(group, owner, member):
    services.group_leave(actor=member, group=group)
    with pytest.raises(NotAllowed):
        services.trust_give(actor=member, group=group, receiver=owner)


def test_trust_to_a_non_member_is_refused(group, member, outsider):
    with pytest.raises(InvalidInput):
        services.trust_give(actor=member, group=group, receiver=outsider)
    assert not Trust.objects.exists()


def test_trust_twice_is_a_conflict(group, owner, member):
    services.trust_give(actor=owner, group=group, receiver=member)
    before = last_seq()
    with pytest.raises(Conflict):
        services.trust_give(actor=owner, group=group, receiver=member)
    assert Trust.objects.filter(group=group, giver=owner, receiver=member).count() == 1
    assert last_seq() == before


def test_withdrawing_trust_demotes_below_the_threshold(owner, join):
    group = services.group_create(actor=owner, name="Demote Pod", trust_threshold=2)
    a, b = join(group), join(group)
    services.trust_give(actor=owner, group=group, receiver=a)
    services.trust_give(actor=owner, group=group, receiver=b)
    services.trust_give(actor=a, group=group, receiver=b)
    assert role(b, group) == Membership.Role.COORDINATOR
    before = last_seq()
    services.trust_withdraw(actor=a, group=group, receiver=b)
    assert role(b, group) == Membership.Role.MEMBER
    assert actions_since(before) == ["trust.withdrawn", "membership.role_changed"]
    services.trust_withdraw(actor=owner, group=group, receiver=b)
    assert role(b, group) == Membership.Role.NEWCOMER  # no trust reaches b any more


def test_withdrawing_trust_keeps_the_role_while_still_at_the_threshold(owner, join):
    group = services.group_create(actor=owner, name="Keep Pod", trust_threshold=1)
    a, b = join(group), join(group)
    services.trust_give(actor=owner, group=group, receiver=a)
    services.trust_give(actor=owner, group=group, receiver=b)
    services.trust_give(actor=a, group=group, receiver=b)
    services.trust_withdraw(actor=a, group=group, receiver=b)
    assert role(b, group) == Membership.Role.COORDINATOR


def test_withdrawing_trust_never_given_is_a_conflict(group, owner, member):
    with pytest.raises(Conflict):
        services.trust_withdraw(actor=owner, group=group, receiver=member)


def test_role_change_is_notified_only_after_commit(group, owner, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.trust_give(actor=owner, group=group, receiver=member)
    assert role(member, group) == Membership.Role.MEMBER
    assert not Notification.objects.filter(user=member).exists()
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    notification = Notification.objects.get(user=member)
    assert notification.kind == networks_notices.ROLE_CHANGED
    assert notification.params == {"group": "Northside Pod", "role": "member"}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mateo@example.org"]
    assert "You are now a member in Northside Pod." in mail.outbox[0].body
    assert f"/groups/{group.public_id}/" in mail.outbox[0].body


def test_demotion_is_notified_too(group, owner, member, django_capture_on_commit_callbacks):
    services.trust_give(actor=owner, group=group, receiver=member)
    with django_capture_on_commit_callbacks(execute=True):
        services.trust_withdraw(actor=owner, group=group, receiver=member)
    notification = Notification.objects.get(user=member)
    assert notification.params["role"] == "newcomer"
    assert "You are now a newcomer in Northside Pod." in mail.outbox[0].body


def test_no_notification_when_the_role_does_not_change(owner, join, django_capture_on_commit_callbacks):
    group = services.group_create(actor=owner, name="Quiet Pod", trust_threshold=3)
    a, b = join(group), join(group)
    services.trust_give(actor=owner, group=group, receiver=a)
    services.trust_give(actor=owner, group=group, receiver=b)
    Notification.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.trust_give(actor=a, group=group, receiver=b)  # two paths to b, of three: still a member
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_notifications_mark_read(group, owner, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.trust_give(actor=owner, group=group, receiver=member)
    assert services.notifications_mark_read(actor=member) == 1
    assert not Notification.objects.filter(user=member, read_at__isnull=True).exists()
    before = last_seq()
    assert services.notifications_mark_read(actor=member) == 0
    assert last_seq() == before


# --- Applications to closed groups ----------------------------------------------------------------


def test_application_with_answers_is_recorded_and_coordinators_told(closed_group, owner, outsider,
                                                                    django_capture_on_commit_callbacks):
    before = last_seq()
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_submit(actor=outsider, group=closed_group,
                                                   answers=["  To help my neighbours ", "Mill Lane"])
    assert application.status == Application.Status.PENDING
    assert application.answers == ["To help my neighbours", "Mill Lane"]
    assert actions_since(before) == ["application.submitted"]
    notification = Notification.objects.get(user=owner)
    assert notification.kind == networks_notices.APPLICATION_RECEIVED
    assert mail.outbox[0].to == ["olga@example.org"]
    assert "otto applied to join Riverside Pod." in mail.outbox[0].body
    assert membership_for(outsider, closed_group) is None


@pytest.mark.parametrize("answers", [[], ["Only one answer"], ["One", "   "], ["One", "Two", "Three"]])
def test_application_missing_answers_is_refused(closed_group, outsider, answers):
    with pytest.raises(InvalidInput) as exc:
        services.application_submit(actor=outsider, group=closed_group, answers=answers)
    assert exc.value.field == "answers"
    assert not Application.objects.exists()


def test_application_to_an_open_group_or_by_a_member_or_twice_is_refused(group, closed_group, owner, outsider):
    with pytest.raises(InvalidInput):
        services.application_submit(actor=outsider, group=group, answers=[])
    with pytest.raises(Conflict):
        services.application_submit(actor=owner, group=closed_group, answers=["a", "b"])
    services.application_submit(actor=outsider, group=closed_group, answers=["a", "b"])
    with pytest.raises(Conflict):
        services.application_submit(actor=outsider, group=closed_group, answers=["c", "d"])
    assert Application.objects.filter(user=outsider).count() == 1


def test_accepting_an_application_creates_the_membership(closed_group, owner, outsider,
                                                         django_capture_on_commit_callbacks):
    application = services.application_submit(actor=outsider, group=closed_group, answers=["a", "b"])
    before = last_seq()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decide(actor=owner, application=application, accept=True)
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert application.decided_by == owner and application.decided_at is not None
    membership = membership_for(outsider, closed_group)
    # Accepted by a coordinator: a member at once, and one of the people the group's trust starts from.
    assert membership is not None and membership.role == Membership.Role.MEMBER
    assert membership.root == Membership.Root.ACCEPTED
    assert actions_since(before) == ["application.decided", "membership.joined", "membership.role_changed"]
    kinds = set(Notification.objects.filter(user=outsider).values_list("kind", flat=True))
    assert kinds == {networks_notices.APPLICATION_DECIDED, networks_notices.ROLE_CHANGED}
    assert any("Your application to Riverside Pod was accepted." in m.body for m in mail.outbox)


def test_declining_needs_a_reason(closed_group, owner, outsider, django_capture_on_commit_callbacks):
    application = services.application_submit(actor=outsider, group=closed_group, answers=["a", "b"])
    with pytest.raises(InvalidInput) as exc:
        services.application_decide(actor=owner, application=application, accept=False, reason="  ")
    assert exc.value.field == "reason"
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        services.application_decide(actor=owner, application=application, accept=False,
                                    reason="We only serve Riverside.")
    application.refresh_from_db()
    assert application.status == Application.Status.DECLINED
    assert application.reason == "We only serve Riverside."
    assert membership_for(outsider, closed_group) is None
    assert Notification.objects.get(user=outsider).params["reason"] == "We only serve Riverside."
    # Declined, they may apply again.
    services.application_submit(actor=outsider, group=closed_group, answers=["again", "b"])


def test_only_coordinators_decide_applications(closed_group, owner, member, outsider, make_user):
    # `member` becomes a newcomer of the closed group through an accepted application.
    services.application_decide(
        actor=owner, application=services.application_submit(actor=member, group=closed_group, answers=["a", "b"]),
        accept=True)
    applicant = make_user("ines")
    application = services.application_submit(actor=applicant, group=closed_group, answers=["a", "b"])
    before = last_seq()
    with pytest.raises(NotAllowed):
        services.application_decide(actor=member, application=application, accept=True)
    with pytest.raises(NotAllowed):
        services.application_decide(actor=outsider, application=application, accept=True)
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING
    assert membership_for(applicant, closed_group) is None
    assert last_seq() == before


def test_deciding_twice_is_a_conflict(closed_group, owner, outsider):
    application = services.application_submit(actor=outsider, group=closed_group, answers=["a", "b"])
    services.application_decide(actor=owner, application=application, accept=True)
    with pytest.raises(Conflict):
        services.application_decide(actor=owner, application=application, accept=False, reason="Changed my mind")
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert Membership.objects.filter(group=closed_group, user=outsider).count() == 1


# --- Notification text ----------------------------------------------------------------------------

PARAMS = {
    circulation_notices.MATCH_CLAIMED: {"helper": "hana", "quantity": 2, "need": "Soup"},
    circulation_notices.MATCH_COMPLETED: {"need": "Soup"},
    circulation_notices.MATCH_CANCELLED: {"need": "Soup", "reason": "Ill today"},
    circulation_notices.MATCH_MESSAGE: {"author": "hana", "need": "Soup"},
    circulation_notices.NEED_CHANGED: {"need": "Soup", "changes": ["quantity", "place"]},
    circulation_notices.OFFER_REQUESTED: {"requester": "rosa", "quantity": 2, "offer": "Veg boxes"},
    networks_notices.APPLICATION_DECIDED: {"group": "Riverside Pod", "status": "declined", "reason": "x"},
    networks_notices.APPLICATION_RECEIVED: {"group": "Riverside Pod", "applicant": "otto"},
    networks_notices.ROLE_CHANGED: {"group": "Riverside Pod", "role": "coordinator"},
    circulation_notices.SUGGESTIONS: {"group": "Riverside Pod", "count": 2},
    circulation_notices.MATCH_PROPOSED: {"helper": "hana", "quantity": 2, "need": "Soup"},
    circulation_notices.MATCH_ACCEPTED: {"need": "Soup"},
    circulation_notices.CLAIMS_PAUSED: {"helper": "hana", "group": "Riverside Pod", "count": 4},
    networks_notices.SUSPENDED: {"name": "otto", "group": "Riverside Pod", "reason": "Asked for addresses"},
    networks_notices.PASSWORD_CHANGED: {},
}


def test_notification_text_in_english():
    with translation.override("en"):
        texts = {kind: notification_text(kind, params) for kind, params in PARAMS.items()}
    assert texts[circulation_notices.MATCH_CLAIMED] == "hana will bring 2 for your need “Soup”."
    assert texts[circulation_notices.MATCH_CANCELLED] == "The match on “Soup” was cancelled: Ill today"
    assert texts[networks_notices.APPLICATION_DECIDED] == "Your application to Riverside Pod was declined."
    assert texts[networks_notices.ROLE_CHANGED] == "You are now a coordinator in Riverside Pod."
    assert texts[circulation_notices.SUGGESTIONS].startswith("A coordinator of Riverside Pod found needs")
    assert texts[circulation_notices.MATCH_PROPOSED].startswith("hana, new to the group, offers to meet 2 of “Soup”")
    assert texts[circulation_notices.MATCH_ACCEPTED] == ("Your claim on “Soup” was accepted: the contact details "
                                                         "are on the need's page.")
    assert texts[circulation_notices.CLAIMS_PAUSED].startswith("hana cancelled 4 claims in Riverside Pod")
    assert texts[networks_notices.SUSPENDED] == ("otto was suspended in Riverside Pod by a coordinator: "
                                                  "Asked for addresses")
    assert texts[networks_notices.PASSWORD_CHANGED].startswith("Your password was changed")
    assert set(texts) == set(networks_notices.KINDS)


@pytest.mark.parametrize("language", ["es", None])
def test_notification_text_in_spanish_or_no_language_does_not_crash(language):
    with translation.override(language):
        for kind, params in PARAMS.items():
            text = notification_text(kind, params)
            assert "%(" not in text
            # The names in it are the ones given, whatever the language.
            names = {v for k, v in params.items()
                     if k in {"need", "group", "helper", "applicant", "requester", "offer", "author"}}
            assert all(name in text for name in names), (kind, text)
            assert names or not params, kind


def test_notification_text_with_missing_params_falls_back_to_the_kind_label():
    assert notification_text(circulation_notices.MATCH_CLAIMED, {}) == "A helper claimed your need"
    assert notification_text("something_new", {"a": 1}) == "something_new"


def test_spanish_speaker_gets_an_email_without_crashing(group, owner, make_user, django_capture_on_commit_callbacks):
    hablante = make_user("lucia", language="es")
    services.group_join(actor=hablante, group=group)
    with django_capture_on_commit_callbacks(execute=True):
        services.trust_give(actor=owner, group=group, receiver=hablante)
    assert len(mail.outbox) == 1
    assert "Northside Pod" in mail.outbox[0].body
