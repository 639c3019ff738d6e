"""The web pages of the core loop (home, a group's board, needs, offers, matches), as a person sees them."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mutualaid.circulation import services
from mutualaid.circulation.models import Match, Need, Offer
from mutualaid.networks import services as networks

pytestmark = pytest.mark.django_db

PHONE = "+44 7700 900123"


def url(name, *args):
    return reverse(name, args=args)


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def member_need(group, member):
    """A need posted by a plain member (not a coordinator)."""
    return services.need_create(actor=member, group=group, title="Lift to the clinic", category="transport",
                                quantity=2, urgency="critical", location_name="Northside",
                                contact={"phone": PHONE, "name": "Mateo"})


def claim(need, user, quantity=1):
    return services.match_claim(actor=user, need=need, quantity=quantity)


def need_form(**overrides):
    data = {"title": "Nappies, size 4", "category": "hygiene", "quantity": "2", "urgency": "high",
            "location_name": "Northside", "contact_phone": "+44 7700 900999", "contact_name": "Mateo"}
    data.update(overrides)
    return data


# --- Who may see what -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["need_list", "my_matches", "my_posts"])
def test_personal_pages_send_anonymous_people_to_log_in(client, name):
    response = client.get(url(name))
    assert response.status_code == 302 and response.url.startswith(url("login"))


def test_need_pages_send_anonymous_people_to_log_in(client, group, need):
    for page in (url("need_detail", need.public_id), url("need_create", group.public_id),
                 url("offer_create", group.public_id), url("group_board", group.public_id)):
        response = client.get(page)
        assert response.status_code == 302 and response.url.startswith(url("login")), page


def test_home_for_anonymous_explains_and_links(client):
    body = client.get(url("home")).content.decode()
    assert "Neighbours helping neighbours" in body
    assert url("signup") in body and url("login") in body


def test_home_for_a_member_shows_groups_needs_matches_and_unread(client, group, need, member, owner,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        claim(need, member)
    body = as_user(client, owner).get(url("home")).content.decode()
    assert "Northside Pod" in body
    assert "Groceries for a family of four" in body          # my open need
    assert "mateo brings 1 bag" in body                      # my match
    assert as_user(client, owner).get(url("home")).context["unread_notifications"] == 1


def test_group_page_is_public_but_the_board_is_for_members(client, group, need, outsider):
    group.public_description = "We look after Northside."
    group.save()
    body = client.get(url("group_detail", group.public_id)).content.decode()
    assert "We look after Northside." in body and need.title not in body
    as_user(client, outsider)
    body = client.get(url("group_detail", group.public_id)).content.decode()
    assert "We look after Northside." in body and need.title not in body
    assert url("group_join", group.public_id) in body
    assert client.get(url("group_board", group.public_id)).status_code == 404


def test_a_member_sees_the_board(client, group, need, member):
    services.offer_create(actor=member, group=group, title="Soup on Sundays", category="food", quantity=4)
    as_user(client, member)
    for page in (url("group_detail", group.public_id), url("group_board", group.public_id)):
        body = client.get(page).content.decode()
        assert need.title in body and "Soup on Sundays" in body
        assert url("need_create", group.public_id) in body and url("offer_create", group.public_id) in body


def test_unknown_group_or_need_is_404(client, member):
    as_user(client, member)
    assert client.get("/groups/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/needs/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_an_outsider_gets_404_on_a_need(client, need, outsider):
    response = as_user(client, outsider).get(url("need_detail", need.public_id))
    assert response.status_code == 404
    assert need.title not in response.content.decode()


def test_the_board_filters_and_puts_the_most_urgent_first(client, group, owner, member):
    for title, urgency, category in [("Low soup", "low", "food"), ("Critical ride", "critical", "transport"),
                                     ("High soap", "high", "hygiene")]:
        services.need_create(actor=owner, group=group, title=title, category=category, quantity=1, urgency=urgency)
    as_user(client, member)
    needs = list(client.get(url("group_board", group.public_id)).context["needs"])
    assert [n.title for n in needs] == ["Critical ride", "High soap", "Low soup"]
    response = client.get(url("group_board", group.public_id), {"category": "hygiene"})
    assert [n.title for n in response.context["needs"]] == ["High soap"]
    response = client.get(url("group_board", group.public_id), {"urgency": "low"})
    assert [n.title for n in response.context["needs"]] == ["Low soup"]
    response = client.get(url("group_board", group.public_id), {"status": "cancelled"})
    assert list(response.context["needs"]) == []
    assert "No needs match these filters" in response.content.decode()
    # A nonsense filter is ignored, not a crash.
    assert client.get(url("group_board", group.public_id), {"urgency": "whenever"}).status_code == 200


def test_a_filter_on_the_needs_never_empties_the_offers(client, group, owner, member):
    services.need_create(actor=owner, group=group, title="Soap", category="hygiene", quantity=1)
    for title in ("Lifts on Sundays", "Soup on Mondays", "Spare bike"):
        services.offer_create(actor=owner, group=group, title=title, category="transport" if "Lift" in title
                              else "food", quantity=1)
    as_user(client, member)
    page = client.get(url("group_board", group.public_id), {"category": "hygiene"}).content.decode()
    assert "3 active offers" in page and "Be the first to offer help" not in page
    assert all(title in page for title in ("Lifts on Sundays", "Soup on Mondays", "Spare bike"))


def test_the_board_is_paginated(client, group, owner, member, settings):
    settings.MUTUALAID_PAGE_SIZE = 2
    for i in range(5):
        services.need_create(actor=owner, group=group, title=f"Need {i}", category="food", quantity=1)
    as_user(client, member)
    response = client.get(url("group_board", group.public_id))
    assert len(response.context["needs"]) == 2
    assert "Page 1 of 3" in response.content.decode()
    response = client.get(url("group_board", group.public_id), {"page": 3})
    assert len(response.context["needs"]) == 1


def test_need_list_shows_needs_of_my_groups_only(client, group, other_group, need, outsider, member):
    services.need_create(actor=outsider, group=other_group, title="Southside need", category="food", quantity=1)
    body = as_user(client, member).get(url("need_list")).content.decode()
    assert need.title in body and "Southside need" not in body


# --- Posting a need -------------------------------------------------------------------------------


def test_post_a_need_with_private_contact(client, group, member):
    as_user(client, member)
    page = client.get(url("need_create", group.public_id)).content.decode()
    assert "proxy intake" not in page                  # coordinators only
    response = client.post(url("need_create", group.public_id), need_form(lat="51.50123", lon="-0.10456"))
    need = Need.objects.get()
    assert response.status_code == 302 and response.url == url("need_detail", need.public_id)
    assert need.requester == member and need.quantity == 2 and need.category.slug == "hygiene"
    assert need.contact.phone == "+44 7700 900999" and need.contact.exact_lat == 51.50123
    assert need.lat == 51.5  # the public record is coarse


@pytest.mark.parametrize("overrides, field", [
    ({"quantity": "0"}, "quantity"),
    ({"quantity": "lots"}, "quantity"),
    ({"title": ""}, "title"),
    ({"category": "unicorns"}, "category"),
    ({"contact_email": "not-an-address"}, "contact_email"),
    ({"needed_by": "2001-01-01T10:00"}, "needed_by"),                    # the service: in the past
])
def test_need_form_errors_are_shown_and_nothing_is_created(client, group, member, overrides, field):
    response = as_user(client, member).post(url("need_create", group.public_id), need_form(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body and 'aria-invalid="true"' in body
    assert not Need.objects.exists()


def test_a_half_marked_place_is_refused_with_a_message(client, group, member):
    """The map sets both hidden coordinates; a request with one only (a tampered form) is told, and nothing is
    posted."""
    response = as_user(client, member).post(url("need_create", group.public_id), need_form(lat="51.5"))
    assert response.status_code == 200 and not Need.objects.exists()
    body = response.content.decode()
    assert 'id="id_lat_error"' in body and "Give both latitude and longitude, or neither." in body


@pytest.mark.parametrize("lat, lon, said", [("91", "0", "Latitude must be between -90 and 90."),
                                             ("0", "-181", "Longitude must be between -180 and 180.")])
def test_a_coordinate_out_of_range_is_refused_in_plain_words(client, group, member, lat, lon, said):
    response = as_user(client, member).post(url("need_create", group.public_id), need_form(lat=lat, lon=lon))
    body = response.content.decode()
    assert response.status_code == 200 and said in body and "Ensure this value" not in body
    assert not Need.objects.exists()


def test_a_possible_duplicate_is_shown_before_posting(client, group, need, member):
    as_user(client, member)
    data = need_form(title="Groceries for a family of four", category="groceries")
    response = client.post(url("need_create", group.public_id), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "This may already be posted" in body and url("need_detail", need.public_id) in body
    assert "post it anyway" in body
    assert Need.objects.count() == 1
    response = client.post(url("need_create", group.public_id), {**data, "post_anyway": "on"})
    assert response.status_code == 302
    assert Need.objects.count() == 2


def test_the_same_phone_number_counts_as_a_possible_duplicate(client, group, need, member):
    data = need_form(title="Something else entirely", category="groceries", contact_phone="+44 7700 900 123")
    response = as_user(client, member).post(url("need_create", group.public_id), data)
    assert "This may already be posted" in response.content.decode()


def test_a_coordinator_enters_a_need_for_someone_without_an_account(client, group, owner):
    as_user(client, owner)
    assert "proxy intake" in client.get(url("need_create", group.public_id)).content.decode()
    response = client.post(url("need_create", group.public_id),
                           need_form(on_behalf="on", contact_phone="", contact_name=""))
    assert response.status_code == 200 and response.context["form"].errors["contact_name"]
    client.post(url("need_create", group.public_id), need_form(on_behalf="on"))
    need = Need.objects.get()
    assert need.requester is None and need.created_by == owner


def test_a_member_cannot_smuggle_proxy_intake(client, group, member):
    as_user(client, member).post(url("need_create", group.public_id), need_form(on_behalf="on"))
    assert Need.objects.get().requester == member


def test_an_outsider_cannot_post_in_a_group(client, group, outsider):
    response = as_user(client, outsider).post(url("need_create", group.public_id), need_form())
    assert response.status_code == 404
    assert not Need.objects.exists()


# --- Posting and managing offers ------------------------------------------------------------------


def test_post_an_offer(client, group, member):
    as_user(client, member)
    response = client.post(url("offer_create", group.public_id), {
        "title": "Lifts on weekday mornings", "category": "transport", "quantity": "5",
        "available_from": "2099-01-01T08:00", "available_until": "2099-01-31T12:00",
        "location_name": "Northside", "max_distance_km": "5"})
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert offer.helper == member and offer.max_distance_km == 5 and offer.available_until.month == 1


@pytest.mark.parametrize("overrides, field", [
    ({"quantity": "0"}, "quantity"),
    ({"title": ""}, "title"),
    ({"available_from": "2099-02-01T08:00", "available_until": "2099-01-01T08:00"}, "available_until"),
    ({"available_until": "2020-12-05T08:00"}, "available_until"),
    ({"max_distance_km": "-1"}, "max_distance_km"),
])
def test_offer_form_errors(client, group, member, overrides, field):
    data = {"title": "Lifts", "category": "transport", "quantity": "5", **overrides}
    response = as_user(client, member).post(url("offer_create", group.public_id), data)
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert not Offer.objects.exists()


def test_pause_resume_and_withdraw_my_offer(client, group, member):
    offer = services.offer_create(actor=member, group=group, title="Soup", category="food", quantity=3)
    as_user(client, member)
    body = client.get(url("my_posts")).content.decode()
    assert "Soup" in body and url("offer_status", offer.public_id) in body
    for action, status in [("pause", "paused"), ("resume", "active"), ("withdraw", "withdrawn")]:
        response = client.post(url("offer_status", offer.public_id), {"action": action}, follow=True)
        offer.refresh_from_db()
        assert offer.status == status
        assert response.redirect_chain[-1][0] == url("my_posts")
    response = client.post(url("offer_status", offer.public_id), {"action": "resume"}, follow=True)
    assert "This offer was withdrawn" in response.content.decode()


def test_someone_elses_offer_cannot_be_changed(client, group, member, owner):
    offer = services.offer_create(actor=member, group=group, title="Soup", category="food", quantity=3)
    response = as_user(client, owner).post(url("offer_status", offer.public_id), {"action": "pause"})
    assert response.status_code == 403
    offer.refresh_from_db()
    assert offer.status == "active"


# --- A need's page: contact details -----------------------------------------------------------------


def test_contact_details_only_for_requester_coordinator_and_matched_helper(client, member_need, member, owner,
                                                                           helper, make_user, group):
    page = url("need_detail", member_need.public_id)
    assert PHONE in as_user(client, member).get(page).content.decode()        # the requester
    assert PHONE in as_user(client, owner).get(page).content.decode()         # a coordinator
    body = as_user(client, helper).get(page).content.decode()                 # another member
    assert PHONE not in body and "Mateo" not in body
    assert "Northside" in body                                                # the coarse area
    claim(member_need, helper)
    assert PHONE in as_user(client, helper).get(page).content.decode()        # now the matched helper
    bystander = make_user("bea")
    networks.group_join(actor=bystander, group=group)
    assert PHONE not in as_user(client, bystander).get(page).content.decode()


def test_exact_location_is_private_too(client, need, member, owner):
    page = url("need_detail", need.public_id)
    assert "51.50123" in as_user(client, owner).get(page).content.decode()
    body = as_user(client, member).get(page).content.decode()
    assert "51.50123" not in body and "12 Example Street" not in body


# --- Claiming, completing, cancelling -------------------------------------------------------------


def test_a_member_claims_and_the_need_page_shows_the_match(client, need, member):
    as_user(client, member)
    body = client.get(url("need_detail", need.public_id)).content.decode()
    assert url("need_claim", need.public_id) in body
    response = client.post(url("need_claim", need.public_id), {"quantity": "2"}, follow=True)
    assert response.redirect_chain[-1][0] == url("need_detail", need.public_id)
    body = response.content.decode()
    assert "Thank you! You will bring 2" in body
    assert "You bring 2 bags" in body
    assert PHONE in body                                   # the helper can now reach them
    match = Match.objects.get()
    assert match.helper == member and match.quantity == 2


def test_claim_from_one_of_my_offers(client, group, need, member):
    offer = services.offer_create(actor=member, group=group, title="Two bags", category="groceries", quantity=2)
    as_user(client, member)
    assert "Two bags (2 left)" in client.get(url("need_detail", need.public_id)).content.decode()
    client.post(url("need_claim", need.public_id), {"quantity": "2", "offer": str(offer.public_id)})
    offer.refresh_from_db()
    assert Match.objects.get().offer == offer and offer.status == "exhausted"


@pytest.mark.parametrize("quantity", ["0", "", "-3", "many"])
def test_a_bad_claim_quantity_is_an_error_on_the_field(client, need, member, quantity):
    response = as_user(client, member).post(url("need_claim", need.public_id), {"quantity": quantity})
    assert response.status_code == 200
    assert response.context["claim_form"].errors["quantity"]
    assert 'id="id_quantity_error"' in response.content.decode()
    assert not Match.objects.exists()


def test_claiming_more_than_is_left_shows_a_message(client, need, member):
    response = as_user(client, member).post(url("need_claim", need.public_id),
                                            {"quantity": "5", "next": url("need_detail", need.public_id)},
                                            follow=True)
    assert "Only 3 left to claim" in response.content.decode()
    assert not Match.objects.exists()


def test_the_requester_cannot_claim_their_own_need(client, member_need, member):
    body = as_user(client, member).get(url("need_detail", member_need.public_id)).content.decode()
    assert url("need_claim", member_need.public_id) not in body
    response = client.post(url("need_claim", member_need.public_id), {"quantity": "1"})
    assert response.status_code == 403


def test_the_requester_completes_a_match(client, member_need, member, helper):
    match = claim(member_need, helper, 2)
    as_user(client, member)
    page = client.get(url("need_detail", member_need.public_id)).content.decode()
    assert url("match_complete", match.public_id) in page
    response = client.post(url("match_complete", match.public_id), follow=True)
    assert "Marked as received" in response.content.decode()
    match.refresh_from_db()
    member_need.refresh_from_db()
    assert match.status == "completed" and member_need.status == "fulfilled"


def test_someone_else_cannot_complete_a_match(client, member_need, helper, make_user, group):
    match = claim(member_need, helper)
    other = make_user("bea")
    networks.group_join(actor=other, group=group)
    as_user(client, other)
    assert url("match_complete", match.public_id) not in client.get(
        url("need_detail", member_need.public_id)).content.decode()
    response = client.post(url("match_complete", match.public_id))
    assert response.status_code == 403
    assert "Only the requester or a coordinator" in response.content.decode()
    # Nor can the helper confirm their own help was received.
    assert as_user(client, helper).post(url("match_complete", match.public_id)).status_code == 403
    match.refresh_from_db()
    assert match.status == "confirmed"


def test_a_coordinator_completes_a_match(client, member_need, helper, owner):
    match = claim(member_need, helper)
    as_user(client, owner).post(url("match_complete", match.public_id))
    match.refresh_from_db()
    assert match.status == "completed"


def test_an_outsider_gets_404_on_a_match(client, member_need, helper, outsider):
    match = claim(member_need, helper)
    assert as_user(client, outsider).post(url("match_complete", match.public_id)).status_code == 404


def test_the_helper_cancels_with_a_reason(client, member_need, helper):
    match = claim(member_need, helper)
    as_user(client, helper)
    response = client.post(url("match_cancel", match.public_id), {"reason": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    match.refresh_from_db()
    assert match.status == "confirmed"
    response = client.post(url("match_cancel", match.public_id), {"reason": "My car broke down"}, follow=True)
    assert "The match is cancelled" in response.content.decode()
    match.refresh_from_db()
    member_need.refresh_from_db()
    assert match.status == "cancelled" and member_need.quantity_left == 2


def test_a_bystander_cannot_cancel_a_match(client, member_need, helper, make_user, group):
    match = claim(member_need, helper)
    other = make_user("bea")
    networks.group_join(actor=other, group=group)
    response = as_user(client, other).post(url("match_cancel", match.public_id), {"reason": "why not"})
    assert response.status_code == 403


def test_completing_twice_shows_a_message(client, member_need, member, helper):
    match = claim(member_need, helper)
    as_user(client, member)
    client.post(url("match_complete", match.public_id))
    response = client.post(url("match_complete", match.public_id),
                           {"next": url("need_detail", member_need.public_id)}, follow=True)
    assert response.status_code == 200
    assert "already completed" in response.content.decode()


# --- Cancelling a need, duplicates, referrals ------------------------------------------------------


def test_the_requester_cancels_their_need(client, member_need, member, helper):
    as_user(client, helper)
    assert client.post(url("need_cancel", member_need.public_id), {"reason": ""}).status_code == 403
    response = as_user(client, member).post(url("need_cancel", member_need.public_id), {"reason": "Sorted"},
                                            follow=True)
    assert "The need is cancelled" in response.content.decode()
    member_need.refresh_from_db()
    assert member_need.status == "cancelled"


def test_a_coordinator_marks_a_duplicate(client, group, need, member_need, owner, member):
    as_user(client, member)
    body = client.get(url("need_detail", member_need.public_id)).content.decode()
    assert url("need_duplicate", member_need.public_id) not in body
    assert client.post(url("need_duplicate", member_need.public_id),
                       {"original": str(need.public_id)}).status_code == 403
    assert client.get(url("need_duplicate", member_need.public_id)).status_code == 403
    as_user(client, owner)
    body = client.get(url("need_detail", member_need.public_id)).content.decode()
    # The page links to the form; the form, which lists the group's other needs, is made when it is asked for.
    assert url("need_duplicate", member_need.public_id) in body and 'name="original"' not in body
    opened = client.get(url("need_duplicate", member_need.public_id))
    assert opened.status_code == 200 and 'name="original"' in opened.content.decode()
    assert need.title in opened.content.decode() and member_need.title in opened.content.decode()
    empty = client.post(url("need_duplicate", member_need.public_id), {})  # nothing chosen: said, not ignored
    assert empty.status_code == 200 and empty.context["duplicate_form"].errors["original"]
    response = client.post(url("need_duplicate", member_need.public_id), {"original": ""})
    assert response.status_code == 200 and response.context["duplicate_form"].errors["original"]
    response = client.post(url("need_duplicate", member_need.public_id), {"original": str(need.public_id)},
                           follow=True)
    assert "This need is a duplicate of" in response.content.decode()
    member_need.refresh_from_db()
    assert member_need.status == "duplicate" and member_need.duplicate_of == need


def test_a_coordinator_refers_a_need_to_another_group(client, member_need, other_group, owner, member):
    as_user(client, member)
    assert client.get(url("need_refer", member_need.public_id)).status_code == 403
    as_user(client, owner)
    body = client.get(url("need_detail", member_need.public_id)).content.decode()
    assert url("need_refer", member_need.public_id) in body and 'name="to_group"' not in body
    opened = client.get(url("need_refer", member_need.public_id)).content.decode()
    assert 'name="to_group"' in opened and other_group.name in opened
    response = client.post(url("need_refer", member_need.public_id), {"to_group": str(other_group.public_id)},
                           follow=True)
    assert "referred to Southside Pod" in response.content.decode()
    member_need.refresh_from_db()
    assert member_need.status == "referred"
    assert Need.objects.filter(group=other_group, title=member_need.title).exists()


# --- My matches, my posts -------------------------------------------------------------------------


def test_my_matches_and_my_posts(client, member_need, member, helper):
    claim(member_need, helper)
    body = as_user(client, helper).get(url("my_matches")).content.decode()
    assert member_need.title in body and "You bring 1 ride" in body
    body = as_user(client, member).get(url("my_matches")).content.decode()
    assert "hana brings 1 ride" in body
    assert member_need.title in client.get(url("my_posts")).content.decode()


def test_every_page_renders_the_unread_count(client, member_need, member, helper,
                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        claim(member_need, helper)
    body = as_user(client, member).get(url("my_posts")).content.decode()
    assert '<span class="count">' in body


def test_needed_by_in_the_future_is_accepted(client, group, member):
    when = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    as_user(client, member).post(url("need_create", group.public_id), need_form(needed_by=when))
    assert Need.objects.get().needed_by is not None


def test_a_coordinator_who_already_sees_the_contact_is_not_promised_it(client, group, owner, member):
    need = services.need_create(actor=member, group=group, title="Soup", category="food", quantity=2,
                                contact={"phone": "+44 7700 900123"})
    as_user(client, owner)
    body = client.get(url("need_detail", need.public_id)).content.decode()
    assert "+44 7700 900123" in body and "The requester is told." in body
    assert "you will see their contact details" not in body



def test_the_need_form_tells_every_error_in_one_round(client, group, owner):
    """A missing title, a time already past, a proxy need with no way to reach the person and a half-marked place
    are all told at once, each beside its field, not one after another as each is fixed."""
    response = as_user(client, owner).post(url("need_create", group.public_id), need_form(
        title="", needed_by="2001-01-01T10:00", on_behalf="on", contact_phone="", contact_name="", lat="51.5"))
    errors = response.context["form"].errors
    assert response.status_code == 200 and not Need.objects.exists()
    assert set(errors) == {"title", "needed_by", "contact_name", "lat"}, errors
    assert errors["needed_by"] == ["“Needed by” is in the past."]


def test_the_offer_form_tells_every_error_in_one_round(client, group, member):
    response = as_user(client, member).post(url("offer_create", group.public_id), {
        "title": "", "category": "transport", "quantity": "0", "available_until": "2001-01-01T10:00"})
    errors = response.context["form"].errors
    assert response.status_code == 200
    assert set(errors) == {"title", "quantity", "available_until"}, errors
    assert errors["available_until"] == ["“Available until” has already passed: choose a time still to come."]
