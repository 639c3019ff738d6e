"""The web pages of accounts, groups, membership, trust, applications and notifications, as a person sees them."""
from __future__ import annotations

import pytest
from django.urls import reverse

from mutualaid.networks import services
from mutualaid.networks.models import Application, Group, Membership, Notification, Trust, User
from mutualaid.networks import notices as networks_notices

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(name, args=args)


@pytest.fixture
def closed_group(owner):
    return services.group_create(actor=owner, name="Riverside", is_open=False,
                                 application_questions=["Where do you live?", "How would you like to help?"])


def as_user(client, user):
    client.force_login(user)
    return client


# --- Sign-up, log-in, log-out, settings -----------------------------------------------------------


def test_signup_creates_the_account_and_signs_in(client):
    response = client.post(url("signup"), {
        "username": "nadia", "email": "nadia@example.org",
        "password": "a-long-passphrase-42", "password_again": "a-long-passphrase-42"}, follow=True)
    assert response.redirect_chain[-1][0] == url("group_list")
    assert response.context["user"].username == "nadia"
    assert "Welcome, nadia" in response.content.decode()


@pytest.mark.parametrize("data, field, message", [
    ({"username": "", "password": "a-long-passphrase-42", "password_again": "a-long-passphrase-42"},
     "username", "This field is required."),
    ({"username": "nadia", "password": "a-long-passphrase-42", "password_again": "another-passphrase"},
     "password_again", "The two passwords differ."),
    ({"username": "nadia", "password": "short", "password_again": "short"}, "password", "too short"),
    ({"username": "bad name!", "password": "a-long-passphrase-42", "password_again": "a-long-passphrase-42"},
     "username", "@ . + - _ only"),
])
def test_signup_shows_errors_next_to_the_field_and_creates_nothing(client, data, field, message):
    response = client.post(url("signup"), data)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert 'aria-invalid="true"' in response.content.decode()
    assert not User.objects.exists()


def test_signup_with_a_taken_name_says_so(client, member):
    response = client.post(url("signup"), {"username": "MATEO", "password": "a-long-passphrase-42",
                                           "password_again": "a-long-passphrase-42"})
    assert "That user name is taken" in response.content.decode()
    assert User.objects.count() == 1


def test_signup_tells_every_error_in_one_round(client, member):
    """A taken name is said beside a password typo, not only once the passwords agree."""
    response = client.post(url("signup"), {"username": "mateo", "password": "a-long-passphrase-42",
                                           "password_again": "a-long-passphrase-43"})
    errors = response.context["form"].errors
    assert "That user name is taken. Choose another." in errors["username"]
    assert "The two passwords differ." in errors["password_again"]
    assert User.objects.count() == 1


def test_login_and_logout(client, member):
    response = client.post(url("login"), {"username": "mateo", "password": "a-long-passphrase-42"})
    assert response.status_code == 302 and response.url == url("home")
    response = client.post(url("logout"), follow=True)
    assert not response.context["user"].is_authenticated
    assert "You are signed out" in response.content.decode()


@pytest.mark.parametrize("language, words", [("en", "User name"), ("es", "Nombre de usuario")])
def test_log_in_and_sign_up_name_the_user_name_alike(client, language, words):
    for page in ("login", "signup"):
        body = client.get(url(page), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert f'for="id_username">{words}' in body.replace("\n", "").replace("  ", ""), (page, language)
    assert "Username" not in client.get(url("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_login_with_a_wrong_password_shows_an_error(client, member):
    response = client.post(url("login"), {"username": "mateo", "password": "wrong"})
    assert response.status_code == 200
    assert "do not match" in response.content.decode()


def test_settings_change_the_language(client, member):
    assert client.get(url("settings")).status_code == 302
    as_user(client, member)
    assert client.get(url("settings")).status_code == 200
    response = client.post(url("settings"), {"language": "es"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == "es"
    client.post(url("settings"), {"language": ""})
    member.refresh_from_db()
    assert member.language == ""


def test_settings_refuse_an_unknown_language(client, member):
    as_user(client, member)
    response = client.post(url("settings"), {"language": "xx"})
    assert response.status_code == 200 and response.context["form"].errors["language"]


@pytest.mark.parametrize("name", ["settings", "group_create", "notifications"])
def test_pages_that_need_an_account_send_anonymous_people_to_log_in(client, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert response.url.startswith(url("login") + "?next=")


# --- The list of groups, joining, applying, leaving -----------------------------------------------


def test_anyone_sees_the_groups(client, group, closed_group):
    body = client.get(url("group_list")).content.decode()
    assert "Northside Pod" in body and "Riverside" in body
    assert "Log in to join" in body


def test_group_list_shows_join_leave_and_apply(client, group, closed_group, member, outsider):
    body = as_user(client, member).get(url("group_list")).content.decode()
    assert url("group_leave", group.public_id) in body
    assert url("group_apply", closed_group.public_id) in body
    body = as_user(client, outsider).get(url("group_list")).content.decode()
    assert url("group_join", group.public_id) in body


def test_join_an_open_group(client, group, outsider):
    assert client.post(url("group_join", group.public_id)).status_code == 302  # to log in
    response = as_user(client, outsider).post(url("group_join", group.public_id), follow=True)
    assert Membership.objects.active().filter(group=group, user=outsider).exists()
    assert "Welcome to Northside Pod" in response.content.decode()


def test_joining_twice_shows_a_message_not_an_error_page(client, group, member):
    response = as_user(client, member).post(url("group_join", group.public_id), follow=True)
    assert response.status_code == 200
    assert "already a member" in response.content.decode()


def test_joining_a_closed_group_is_refused(client, closed_group, outsider):
    response = as_user(client, outsider).post(url("group_join", closed_group.public_id))
    assert response.status_code == 403
    assert "apply to join" in response.content.decode()


def test_leave_a_group_in_one_click(client, group, member):
    response = as_user(client, member).post(url("group_leave", group.public_id), follow=True)
    assert not Membership.objects.active().filter(group=group, user=member).exists()
    assert "You left Northside Pod" in response.content.decode()


def test_leaving_needs_a_post_and_membership(client, group, outsider):
    as_user(client, outsider)
    assert client.get(url("group_leave", group.public_id)).status_code == 405
    assert client.post(url("group_leave", group.public_id)).status_code == 404


def test_apply_to_a_closed_group_answering_its_questions(client, closed_group, outsider, owner):
    as_user(client, outsider)
    page = client.get(url("group_apply", closed_group.public_id)).content.decode()
    assert "Where do you live?" in page
    response = client.post(url("group_apply", closed_group.public_id), {"answer_0": "Riverside", "answer_1": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["answer_1"]
    assert not Application.objects.exists()
    response = client.post(url("group_apply", closed_group.public_id),
                           {"answer_0": "Riverside", "answer_1": "Lifts"}, follow=True)
    assert "Your application to Riverside is sent" in response.content.decode()
    assert Application.objects.get().answers == ["Riverside", "Lifts"]
    assert "Application pending" in client.get(url("group_list")).content.decode()


def test_create_a_group(client, outsider):
    as_user(client, outsider)
    response = client.post(url("group_create"), {"name": "Hillcrest", "public_description": "Hill folk",
                                                  "location_name": "Hillcrest", "is_open": "on"})
    group = Group.objects.get(name="Hillcrest")
    assert response.status_code == 302 and response.url == url("group_detail", group.public_id)
    assert Membership.objects.get(group=group, user=outsider).role == Membership.Role.COORDINATOR


def test_create_a_closed_group_with_questions(client, outsider):
    as_user(client, outsider)
    client.post(url("group_create"), {"name": "Hillcrest", "application_questions": "Why?\n\nWhere?\n"})
    group = Group.objects.get(name="Hillcrest")
    assert not group.is_open and group.application_questions == ["Why?", "Where?"]


@pytest.mark.parametrize("data, field", [
    ({"name": ""}, "name"),
    ({"name": "Northside Pod"}, "name"),          # taken: a Conflict from the service
    ({"name": "Hill", "lat": "51.5"}, "lat"),     # an InvalidInput from the service
    ({"name": "Hill", "lat": "100", "lon": "0"}, "lat"),
])
def test_group_form_errors_are_shown_and_nothing_is_created(client, group, outsider, data, field):
    before = Group.objects.count()
    response = as_user(client, outsider).post(url("group_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert Group.objects.count() == before


# --- Members and trust ----------------------------------------------------------------------------


def test_members_page_is_for_members(client, group, member, outsider):
    assert client.get(url("group_members", group.public_id)).status_code == 302
    assert as_user(client, outsider).get(url("group_members", group.public_id)).status_code == 404
    response = as_user(client, member).get(url("group_members", group.public_id))
    body = response.content.decode()
    assert "olga" in body and "mateo" in body
    assert "Coordinator" in body  # olga's role
    # A trust button for olga, none for oneself.
    owner_id = Membership.objects.get(group=group, role="coordinator").user.public_id
    assert url("member_trust", group.public_id, owner_id) in body
    assert url("member_trust", group.public_id, member.public_id) not in body


def test_give_and_withdraw_trust(client, group, owner, member):
    as_user(client, owner)
    trust_url = url("member_trust", group.public_id, member.public_id)
    response = client.post(trust_url, {"action": "give"}, follow=True)
    assert Trust.objects.filter(group=group, giver=owner, receiver=member).exists()
    body = response.content.decode()
    assert "You trust mateo to coordinate" in body
    assert "trusted by 1 member" in body and "Withdraw trust" in body
    client.post(trust_url, {"action": "withdraw"})
    assert not Trust.objects.filter(group=group, giver=owner, receiver=member).exists()


def test_trusting_twice_shows_the_conflict_as_a_message(client, group, owner, member):
    as_user(client, owner)
    trust_url = url("member_trust", group.public_id, member.public_id)
    client.post(trust_url, {"action": "give"})
    response = client.post(trust_url, {"action": "give"}, follow=True)
    assert "You already trust mateo" in response.content.decode()
    assert Trust.objects.count() == 1


def test_trust_for_someone_outside_the_group_is_404(client, group, owner, outsider):
    response = as_user(client, owner).post(url("member_trust", group.public_id, outsider.public_id),
                                           {"action": "give"})
    assert response.status_code == 404


# --- Applications ---------------------------------------------------------------------------------


@pytest.fixture
def application(closed_group, outsider):
    return services.application_submit(actor=outsider, group=closed_group, answers=["Riverside", "Lifts"])


def test_applications_page_is_for_coordinators(client, closed_group, application, owner, member, make_user):
    page = url("group_applications", closed_group.public_id)
    assert client.get(page).status_code == 302
    assert as_user(client, member).get(page).status_code == 404    # not a member of Riverside
    newcomer = make_user("nina")
    services.application_decide(actor=owner, application=services.application_submit(
        actor=newcomer, group=closed_group, answers=["a", "b"]), accept=True)
    response = as_user(client, newcomer).get(page)
    assert response.status_code == 403
    assert "Only coordinators" in response.content.decode()
    body = as_user(client, owner).get(page).content.decode()
    assert "otto" in body and "How would you like to help?" in body and "Lifts" in body


def test_accept_an_application(client, closed_group, application, owner, outsider):
    response = as_user(client, owner).post(url("application_decide", application.public_id),
                                           {"decision": "accept"}, follow=True)
    assert "otto is now a member" in response.content.decode()
    assert Membership.objects.active().filter(group=closed_group, user=outsider).exists()


def test_decline_needs_a_reason(client, closed_group, application, owner):
    as_user(client, owner)
    response = client.post(url("application_decide", application.public_id), {"decision": "decline", "reason": ""})
    assert response.status_code == 200
    assert "Say why" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "pending"
    client.post(url("application_decide", application.public_id), {"decision": "decline", "reason": "Too far"})
    application.refresh_from_db()
    assert application.status == "declined" and application.reason == "Too far"


def test_a_member_cannot_decide_applications(client, closed_group, application, make_user, owner):
    helper = make_user("nina")
    services.application_decide(actor=owner, application=services.application_submit(
        actor=helper, group=closed_group, answers=["a", "b"]), accept=True)
    response = as_user(client, helper).post(url("application_decide", application.public_id), {"decision": "accept"})
    assert response.status_code == 403


# --- Notifications --------------------------------------------------------------------------------


def test_notifications_list_and_mark_read(client, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(user=member, kind=networks_notices.ROLE_CHANGED,
                        params={"group": "Northside Pod", "role": "coordinator"}, url="/groups/x/")
    as_user(client, member)
    assert '<span class="count">' in client.get(url("settings")).content.decode()  # the badge in the navigation
    body = client.get(url("notifications")).content.decode()
    assert "You are now a coordinator in Northside Pod." in body
    assert "row--unread" in body  # shown as new this once
    assert '<span class="count">' not in body  # and opening the page clears the badge
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    again = client.get(url("notifications")).content.decode()
    assert "row--unread" not in again and "You are now a coordinator in Northside Pod." in again


def test_a_group_is_created_with_its_time_zone_languages_and_trust_threshold(client, owner):
    from mutualaid.networks.models import Group

    response = as_user(client, owner).post(url("group_create"), {
        "name": "Barrio Sur", "timezone": "Europe/Madrid", "languages": ["es", "en"], "trust_threshold": "2",
        "is_open": "on"})
    assert response.status_code == 302
    group = Group.objects.get(name="Barrio Sur")
    assert (group.timezone, group.languages, group.trust_threshold) == ("Europe/Madrid", ["es", "en"], 2)


def test_an_unknown_time_zone_is_a_form_error(client, owner):
    from mutualaid.networks.models import Group

    response = as_user(client, owner).post(url("group_create"), {"name": "Nowhere", "timezone": "Mars/Base"})
    assert response.status_code == 200
    assert "Mars/Base" in response.content.decode()  # "Select a valid choice. Mars/Base is not one of ..."
    assert not Group.objects.filter(name="Nowhere").exists()
