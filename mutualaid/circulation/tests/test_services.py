"""Services of the circulation app: needs, proxy intake, duplicates, offers, claims, completion, cancellation,
referral, expiry, and who may see a need's contact details.

People (besides /conftest.py's `owner` = coordinator of `group`, `member`, `outsider` = coordinator of
`other_group`): `requester` posts `req_need` (quantity 3), `helper` and `bystander` are newcomers of `group`.
After each test the audit chain must still verify.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from mutualaid.audit.models import AuditEntry
from mutualaid.circulation import selectors, services
from mutualaid.circulation.models import Category, Match, Need, NeedContact, Offer
from mutualaid.circulation.permissions import can_see_contact, need_access
from mutualaid.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from mutualaid.networks import services as networks
from mutualaid.networks.models import Notification
from mutualaid.audit.tests.helpers import actions_since, chain_stays_valid, last_seq  # noqa: F401
from mutualaid.circulation import notices as circulation_notices

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chain_stays_valid")]


def fresh(obj):
    obj.refresh_from_db()
    return obj


@pytest.fixture
def requester(make_user, group):
    user = make_user("rosa")
    networks.group_join(actor=user, group=group)
    return user


@pytest.fixture
def bystander(make_user, group, owner):
    user = make_user("bo")
    networks.group_join(actor=user, group=group)
    networks.trust_give(actor=owner, group=group, receiver=user)  # a member: claims confirm at once
    return user


def post_need(actor, group, **kwargs) -> Need:
    fields = {"title": "Soup for the week", "category": "food", "quantity": 3, "urgency": "normal",
              "contact": {"phone": "+34 600 111 222"}}
    fields.update(kwargs)
    return services.need_create(actor=actor, group=group, **fields)


@pytest.fixture
def req_need(requester, group):
    return post_need(requester, group)


@pytest.fixture
def offer(helper, group):
    return services.offer_create(actor=helper, group=group, title="I cook on Sundays", category="food", quantity=2)


# --- need_create ----------------------------------------------------------------------------------


def test_need_create_keeps_a_coarse_public_location_and_the_exact_one_apart(group, requester):
    before = last_seq()
    need = services.need_create(
        actor=requester, group=group, title="  Ride to the clinic ", category="transport", quantity=1,
        urgency="critical", lat=51.50789, lon=-0.10456, location_name="Northside",
        contact={"phone": "+44 7700 900999", "address": "3 Mill Lane", "name": "Rosa"},
    )
    need = fresh(need)
    assert need.title == "Ride to the clinic"
    assert (need.lat, need.lon) == (51.51, -0.1)
    assert need.requester == requester and need.created_by == requester
    assert need.status == Need.Status.OPEN
    assert need.urgency_rank == 0
    contact = NeedContact.objects.get(need=need)
    assert (contact.exact_lat, contact.exact_lon) == (51.50789, -0.10456)
    assert (contact.phone, contact.address, contact.name) == ("+44 7700 900999", "3 Mill Lane", "Rosa")
    assert actions_since(before) == ["need.created"]
    entry = AuditEntry.objects.get(seq=before + 1)
    assert entry.after["contact_recorded"] is True and entry.after["proxy_intake"] is False


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"category": "spaceships"}, "category"),
    ({"urgency": "extreme"}, "urgency"),
    ({"quantity": 0}, "quantity"),
    ({"quantity": -2}, "quantity"),
    ({"quantity": "3"}, "quantity"),
    ({"quantity": 2.5}, "quantity"),
    ({"quantity": True}, "quantity"),
    ({"quantity": 100_001}, "quantity"),
    ({"lat": 91.0, "lon": 0.0}, "lat"),
    ({"lat": -90.5, "lon": 0.0}, "lat"),
    ({"lat": 10.0, "lon": 181.0}, "lon"),
    ({"lat": 10.0}, "lat"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 141}, "title"),
    ({"contact": {"email": "not-an-address"}}, "contact.email"),
    ({"contact": {"passport": "X123"}}, "contact"),
])
def test_need_create_refuses_bad_input_naming_the_field(group, requester, kwargs, field):
    before = last_seq()
    with pytest.raises(InvalidInput) as exc:
        post_need(requester, group, **kwargs)
    assert exc.value.field == field
    assert not Need.objects.exists()
    assert last_seq() == before


def test_need_create_refuses_a_past_deadline(group, requester):
    with pytest.raises(InvalidInput) as exc:
        post_need(requester, group, needed_by=timezone.now() - timedelta(minutes=1))
    assert exc.value.field == "needed_by"


def test_need_create_by_an_outsider_is_not_found(group, outsider):
    with pytest.raises(NotFound):
        post_need(outsider, group)
    assert not Need.objects.exists()


def test_proxy_intake_by_a_coordinator(group, owner):
    need = post_need(owner, group, on_behalf=True, contact={"name": "Mrs Alvarez", "phone": "+34 600 000 001"})
    assert need.requester is None and need.created_by == owner
    assert NeedContact.objects.get(need=need).name == "Mrs Alvarez"
    assert AuditEntry.objects.get(action="need.created", object_id=str(need.public_id)).after["proxy_intake"]
    assert selectors.user_needs(owner).filter(pk=need.pk).exists()


def test_proxy_intake_is_for_coordinators_only(group, member):
    with pytest.raises(NotAllowed):
        post_need(member, group, on_behalf=True, contact={"name": "Mrs Alvarez"})
    assert not Need.objects.exists()


def test_proxy_intake_needs_a_way_to_reach_the_person(group, owner):
    with pytest.raises(InvalidInput) as exc:
        post_need(owner, group, on_behalf=True, contact={"notes": "knock twice"})
    assert exc.value.field == "contact.name"
    assert not Need.objects.exists()


def test_need_update_contact_by_requester_or_coordinator_only(req_need, requester, owner, bystander, outsider):
    services.need_update_contact(actor=requester, need=req_need, contact={"phone": "+34 600 999 888"})
    assert NeedContact.objects.get(need=req_need).phone == "+34 600 999 888"
    services.need_update_contact(actor=owner, need=req_need, contact={"address": "5 Mill Lane"})
    contact = NeedContact.objects.get(need=req_need)
    assert contact.address == "5 Mill Lane" and contact.phone == ""  # the whole record is replaced
    with pytest.raises(NotAllowed):
        services.need_update_contact(actor=bystander, need=req_need, contact={"phone": "1"})
    with pytest.raises(NotFound):
        services.need_update_contact(actor=outsider, need=req_need, contact={"phone": "1"})
    assert NeedContact.objects.get(need=req_need).address == "5 Mill Lane"


# --- possible_duplicates --------------------------------------------------------------------------


def test_possible_duplicates_same_phone_in_another_format(group, requester, bystander):
    first = post_need(requester, group, title="Nappies size 4", category="hygiene",
                      contact={"phone": "+34 600 111 222"})
    post_need(bystander, group, title="Something unrelated entirely", category="hygiene",
              contact={"phone": "+34 699 999 999"})
    found = selectors.possible_duplicates(group=group, category=Category.objects.get(slug="hygiene"),
                                          title="Baby wipes", phone="+34600111222")
    assert found == [first]


def test_possible_duplicates_very_similar_text(group, requester):
    first = post_need(requester, group, title="Groceries for a family of four", category="groceries", contact={})
    groceries = Category.objects.get(slug="groceries")
    assert selectors.possible_duplicates(group=group, category=groceries,
                                         title="groceries for a family of 4") == [first]
    assert selectors.possible_duplicates(group=group, category=groceries, title="Winter coat for a child") == []
    assert selectors.possible_duplicates(group=group, category=groceries, title="Groceries for a family of four",
                                         exclude=first) == []


def test_possible_duplicates_not_across_groups_nor_closed_needs(group, other_group, requester, outsider):
    post_need(outsider, other_group, title="Groceries for a family of four", category="groceries",
              contact={"phone": "+34 600 111 222"})
    groceries = Category.objects.get(slug="groceries")
    assert selectors.possible_duplicates(group=group, category=groceries, title="Groceries for a family of four",
                                         phone="+34 600 111 222") == []
    mine = post_need(requester, group, title="Groceries for a family of four", category="groceries")
    services.need_cancel(actor=requester, need=mine)
    assert selectors.possible_duplicates(group=group, category=groceries,
                                         title="Groceries for a family of four") == []


# --- match_claim ----------------------------------------------------------------------------------


def test_partial_claim_leaves_the_need_partly_matched(req_need, helper, requester,
                                                       django_capture_on_commit_callbacks):
    before = last_seq()
    with django_capture_on_commit_callbacks(execute=True):
        match = services.match_claim(actor=helper, need=req_need, quantity=1)
    need = fresh(req_need)
    assert (need.status, need.quantity_claimed, need.quantity_left) == (Need.Status.PARTLY_MATCHED, 1, 2)
    assert (match.helper, match.quantity, match.status, match.offer) == (helper, 1, Match.Status.CONFIRMED, None)
    assert actions_since(before) == ["match.claimed", "need.claimed"]
    notification = Notification.objects.get(user=requester)
    assert notification.kind == circulation_notices.MATCH_CLAIMED
    assert mail.outbox[0].to == ["rosa@example.org"]
    assert "hana will bring 1 for your need “Soup for the week”." in mail.outbox[0].body


def test_full_claim_matches_the_need(req_need, helper):
    services.match_claim(actor=helper, need=req_need, quantity=3)
    need = fresh(req_need)
    assert (need.status, need.quantity_claimed) == (Need.Status.MATCHED, 3)
    assert not need.is_claimable


def test_claiming_more_than_is_left_is_a_conflict_and_changes_nothing(req_need, helper, bystander):
    services.match_claim(actor=helper, need=req_need, quantity=2)
    before = last_seq()
    with pytest.raises(Conflict) as exc:
        services.match_claim(actor=bystander, need=req_need, quantity=2)
    assert "Only 1 left" in exc.value.message
    need = fresh(req_need)
    assert (need.status, need.quantity_claimed) == (Need.Status.PARTLY_MATCHED, 2)
    assert Match.objects.filter(need=need).count() == 1
    assert last_seq() == before
    services.match_claim(actor=bystander, need=req_need, quantity=1)
    assert fresh(req_need).status == Need.Status.MATCHED
    with pytest.raises(Conflict):
        services.match_claim(actor=bystander, need=req_need, quantity=1)


@pytest.mark.parametrize("quantity", [0, -1, "1", None])
def test_claiming_a_bad_quantity_is_refused(req_need, helper, quantity):
    with pytest.raises(InvalidInput) as exc:
        services.match_claim(actor=helper, need=req_need, quantity=quantity)
    assert exc.value.field == "quantity"
    assert not Match.objects.exists()


def test_claiming_ones_own_need_is_refused(req_need, requester):
    with pytest.raises(NotAllowed):
        services.match_claim(actor=requester, need=req_need, quantity=1)
    assert fresh(req_need).quantity_claimed == 0


def test_claim_by_an_outsider_is_not_found(req_need, outsider):
    with pytest.raises(NotFound):
        services.match_claim(actor=outsider, need=req_need, quantity=1)
    assert fresh(req_need).quantity_claimed == 0


def test_claiming_a_closed_need_is_a_conflict(req_need, requester, helper):
    services.need_cancel(actor=requester, need=req_need, reason="Sorted")
    with pytest.raises(Conflict):
        services.match_claim(actor=helper, need=req_need, quantity=1)
    assert not Match.objects.exists()


def test_claim_from_own_offer_uses_and_exhausts_its_capacity(group, req_need, requester, helper, offer):
    services.match_claim(actor=helper, need=req_need, quantity=1, offer=offer)
    offer = fresh(offer)
    assert (offer.quantity_committed, offer.quantity_left, offer.status) == (1, 1, Offer.Status.ACTIVE)
    second = post_need(requester, group, title="Bread", quantity=5)
    match = services.match_claim(actor=helper, need=second, quantity=1, offer=offer)
    assert match.offer == offer
    offer = fresh(offer)
    assert (offer.quantity_committed, offer.status) == (2, Offer.Status.EXHAUSTED)
    with pytest.raises(Conflict):
        services.match_claim(actor=helper, need=second, quantity=1, offer=offer)
    assert fresh(second).quantity_claimed == 1


def test_claim_beyond_the_offers_capacity_is_a_conflict(req_need, helper, offer):
    with pytest.raises(Conflict) as exc:
        services.match_claim(actor=helper, need=req_need, quantity=3, offer=offer)
    assert "only 2 left" in exc.value.message
    assert fresh(offer).quantity_committed == 0
    assert fresh(req_need).quantity_claimed == 0


def test_claim_from_someone_elses_offer_is_refused(req_need, bystander, offer):
    before = last_seq()
    with pytest.raises(NotAllowed):
        services.match_claim(actor=bystander, need=req_need, quantity=1, offer=offer)
    assert fresh(offer).quantity_committed == 0
    assert fresh(req_need).quantity_claimed == 0
    assert not Match.objects.exists()
    assert last_seq() == before


def test_claim_from_an_offer_of_another_category_or_paused_is_refused(group, requester, helper, offer):
    groceries = post_need(requester, group, title="Groceries", category="groceries")
    with pytest.raises(InvalidInput) as exc:
        services.match_claim(actor=helper, need=groceries, quantity=1, offer=offer)
    assert exc.value.field == "offer"
    food = post_need(requester, group)
    services.offer_set_status(actor=helper, offer=offer, status="paused")
    with pytest.raises(Conflict):
        services.match_claim(actor=helper, need=food, quantity=1, offer=offer)
    assert not Match.objects.exists()


# --- match_complete -------------------------------------------------------------------------------


@pytest.fixture
def match(req_need, helper):
    return services.match_claim(actor=helper, need=req_need, quantity=3)


def test_requester_completes_and_the_need_is_fulfilled(match, requester, helper, django_capture_on_commit_callbacks):
    before = last_seq()
    with django_capture_on_commit_callbacks(execute=True):
        services.match_complete(actor=requester, match=match)
    match = fresh(match)
    assert (match.status, match.completed_by) == (Match.Status.COMPLETED, requester)
    need = fresh(match.need)
    assert (need.status, need.quantity_fulfilled) == (Need.Status.FULFILLED, 3)
    assert need.closed_at is not None
    assert actions_since(before) == ["match.completed", "need.fulfilment_recorded"]
    assert Notification.objects.get(user=helper).kind == circulation_notices.MATCH_COMPLETED


def test_coordinator_completes(match, owner):
    services.match_complete(actor=owner, match=match)
    assert fresh(match).status == Match.Status.COMPLETED


def test_proxy_intake_is_completed_by_whoever_entered_it(group, owner, helper):
    need = post_need(owner, group, on_behalf=True, contact={"name": "Mrs Alvarez"}, quantity=1)
    match = services.match_claim(actor=helper, need=need, quantity=1)
    services.match_complete(actor=owner, match=match)
    assert fresh(need).status == Need.Status.FULFILLED


@pytest.mark.parametrize("who", ["helper", "bystander"])
def test_completing_someone_elses_match_is_refused(request, match, who):
    actor = request.getfixturevalue(who)
    before = last_seq()
    with pytest.raises(NotAllowed):
        services.match_complete(actor=actor, match=match)
    assert fresh(match).status == Match.Status.CONFIRMED
    assert fresh(match.need).quantity_fulfilled == 0
    assert last_seq() == before


def test_completion_by_an_outsider_is_not_found(match, outsider):
    with pytest.raises(NotFound):
        services.match_complete(actor=outsider, match=match)


def test_completing_twice_is_a_conflict(match, requester):
    services.match_complete(actor=requester, match=match)
    with pytest.raises(Conflict):
        services.match_complete(actor=requester, match=match)
    assert fresh(match.need).quantity_fulfilled == 3


def test_need_is_fulfilled_only_when_every_match_is_completed(req_need, requester, helper, bystander):
    first = services.match_claim(actor=helper, need=req_need, quantity=1)
    second = services.match_claim(actor=bystander, need=req_need, quantity=2)
    services.match_complete(actor=requester, match=first)
    need = fresh(req_need)
    assert (need.status, need.quantity_fulfilled, need.closed_at) == (Need.Status.MATCHED, 1, None)
    services.match_complete(actor=requester, match=second)
    assert fresh(req_need).status == Need.Status.FULFILLED


def test_completing_a_partial_claim_leaves_the_rest_open(req_need, requester, helper, bystander):
    first = services.match_claim(actor=helper, need=req_need, quantity=1)
    services.match_complete(actor=requester, match=first)
    need = fresh(req_need)
    assert (need.status, need.quantity_left) == (Need.Status.PARTLY_MATCHED, 2)
    services.match_claim(actor=bystander, need=req_need, quantity=2)


# --- match_cancel ---------------------------------------------------------------------------------


def test_helper_cancels_with_a_reason_and_quantity_returns_to_need_and_offer(
        req_need, requester, helper, offer, django_capture_on_commit_callbacks):
    match = services.match_claim(actor=helper, need=req_need, quantity=2, offer=offer)
    assert fresh(offer).status == Offer.Status.EXHAUSTED
    before = last_seq()
    with django_capture_on_commit_callbacks(execute=True):
        services.match_cancel(actor=helper, match=match, reason="  I am ill ")
    match = fresh(match)
    assert (match.status, match.cancel_reason, match.cancelled_by) == (Match.Status.CANCELLED, "I am ill", helper)
    need = fresh(req_need)
    assert (need.status, need.quantity_claimed) == (Need.Status.OPEN, 0)
    offer = fresh(offer)
    assert (offer.quantity_committed, offer.status) == (0, Offer.Status.ACTIVE)
    assert actions_since(before) == ["match.cancelled", "need.claim_returned"]
    notification = Notification.objects.get(user=requester, kind=circulation_notices.MATCH_CANCELLED)
    assert notification.params["reason"] == "I am ill"
    assert not Notification.objects.filter(user=helper, kind=circulation_notices.MATCH_CANCELLED).exists()


def test_requester_cancels_with_a_reason(req_need, requester, helper, bystander):
    services.match_claim(actor=bystander, need=req_need, quantity=1)
    match = services.match_claim(actor=helper, need=req_need, quantity=2)
    services.match_cancel(actor=requester, match=match, reason="A neighbour already came")
    need = fresh(req_need)
    assert (need.status, need.quantity_claimed) == (Need.Status.PARTLY_MATCHED, 1)


def test_cancelling_needs_a_reason(match, helper):
    before = last_seq()
    with pytest.raises(InvalidInput) as exc:
        services.match_cancel(actor=helper, match=match, reason="   ")
    assert exc.value.field == "reason"
    assert fresh(match).status == Match.Status.CONFIRMED
    assert fresh(match.need).quantity_claimed == 3
    assert last_seq() == before


def test_cancelling_by_others_is_refused(match, bystander, outsider):
    with pytest.raises(NotAllowed):
        services.match_cancel(actor=bystander, match=match, reason="Just because")
    with pytest.raises(NotFound):
        services.match_cancel(actor=outsider, match=match, reason="Just because")
    assert fresh(match).status == Match.Status.CONFIRMED


def test_cancelling_twice_or_after_completion_is_a_conflict(req_need, requester, helper, bystander):
    first = services.match_claim(actor=helper, need=req_need, quantity=1)
    services.match_cancel(actor=helper, match=first, reason="Ill")
    with pytest.raises(Conflict):
        services.match_cancel(actor=helper, match=first, reason="Ill")
    second = services.match_claim(actor=bystander, need=req_need, quantity=1)
    services.match_complete(actor=requester, match=second)
    with pytest.raises(Conflict):
        services.match_cancel(actor=bystander, match=second, reason="Oops")
    need = fresh(req_need)
    assert (need.quantity_claimed, need.quantity_fulfilled) == (1, 1)


# --- need_cancel ----------------------------------------------------------------------------------


def test_need_cancel_cancels_its_live_matches(req_need, requester, helper, bystander, offer,
                                              django_capture_on_commit_callbacks):
    live = services.match_claim(actor=helper, need=req_need, quantity=2, offer=offer)
    services.match_claim(actor=bystander, need=req_need, quantity=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.need_cancel(actor=requester, need=req_need, reason="Family arrived")
    need = fresh(req_need)
    assert (need.status, need.quantity_claimed) == (Need.Status.CANCELLED, 0)
    assert need.closed_at is not None
    assert set(Match.objects.filter(need=need).values_list("status", flat=True)) == {Match.Status.CANCELLED}
    assert fresh(live).cancel_reason == "Family arrived"
    assert fresh(offer).quantity_committed == 0
    told = Notification.objects.filter(kind=circulation_notices.MATCH_CANCELLED)
    assert {n.user for n in told} == {helper, bystander}
    with pytest.raises(Conflict):
        services.need_cancel(actor=requester, need=req_need)


def test_need_cancel_without_reason_records_a_default(req_need, requester, helper):
    match = services.match_claim(actor=helper, need=req_need, quantity=1)
    services.need_cancel(actor=requester, need=req_need)
    assert fresh(match).cancel_reason  # the database refuses a cancelled match without a reason


def test_need_cancel_by_coordinator_ok_others_refused(group, req_need, owner, bystander, helper, outsider):
    services.match_claim(actor=helper, need=req_need, quantity=1)
    with pytest.raises(NotAllowed):
        services.need_cancel(actor=helper, need=req_need)
    with pytest.raises(NotAllowed):
        services.need_cancel(actor=bystander, need=req_need)
    with pytest.raises(NotFound):
        services.need_cancel(actor=outsider, need=req_need)
    assert fresh(req_need).status == Need.Status.PARTLY_MATCHED
    services.need_cancel(actor=owner, need=req_need, reason="Out of our area")
    assert fresh(req_need).status == Need.Status.CANCELLED


# --- need_mark_duplicate --------------------------------------------------------------------------


def test_mark_duplicate_by_a_coordinator(group, req_need, requester, owner):
    copy = post_need(requester, group, title="Soup for the week please")
    before = last_seq()
    services.need_mark_duplicate(actor=owner, need=copy, original=req_need)
    copy = fresh(copy)
    assert (copy.status, copy.duplicate_of) == (Need.Status.DUPLICATE, req_need)
    assert actions_since(before) == ["need.marked_duplicate"]
    with pytest.raises(Conflict):
        services.match_claim(actor=owner, need=copy, quantity=1)
    with pytest.raises(InvalidInput):
        services.need_mark_duplicate(actor=owner, need=req_need, original=copy)


def test_mark_duplicate_is_for_coordinators_only(group, req_need, requester, outsider):
    copy = post_need(requester, group)
    with pytest.raises(NotAllowed):
        services.need_mark_duplicate(actor=requester, need=copy, original=req_need)
    with pytest.raises(NotFound):
        services.need_mark_duplicate(actor=outsider, need=copy, original=req_need)
    assert fresh(copy).status == Need.Status.OPEN


def test_mark_duplicate_refusals(group, other_group, req_need, owner, outsider, helper):
    with pytest.raises(InvalidInput):
        services.need_mark_duplicate(actor=owner, need=req_need, original=req_need)
    elsewhere = post_need(outsider, other_group)
    with pytest.raises(InvalidInput):
        services.need_mark_duplicate(actor=owner, need=req_need, original=elsewhere)
    copy = post_need(owner, group)
    services.match_claim(actor=helper, need=copy, quantity=1)
    with pytest.raises(Conflict):
        services.need_mark_duplicate(actor=owner, need=copy, original=req_need)
    assert fresh(copy).status == Need.Status.PARTLY_MATCHED


# --- need_refer -----------------------------------------------------------------------------------


def test_refer_posts_a_copy_with_its_contact_in_the_other_group(req_need, owner, outsider, other_group):
    before = last_seq()
    copy = services.need_refer(actor=owner, need=req_need, to_group=other_group)
    original = fresh(req_need)
    assert (original.status, original.referred_to) == (Need.Status.REFERRED, other_group)
    assert original.closed_at is not None
    assert copy.group == other_group
    assert (copy.title, copy.quantity, copy.status, copy.category) == (
        original.title, original.quantity, Need.Status.OPEN, original.category)
    assert NeedContact.objects.get(need=copy).phone == "+34 600 111 222"
    assert actions_since(before) == ["need.referred", "need.created"]
    # The other group's coordinator sees it, contact included; in the first group it is closed.
    access = need_access(outsider, copy.public_id)
    assert access.sees_contact
    assert not original.is_claimable


def test_refer_refusals(group, other_group, req_need, requester, owner, helper):
    with pytest.raises(NotAllowed):
        services.need_refer(actor=requester, need=req_need, to_group=other_group)
    with pytest.raises(InvalidInput):
        services.need_refer(actor=owner, need=req_need, to_group=group)
    services.match_claim(actor=helper, need=req_need, quantity=1)
    with pytest.raises(Conflict):
        services.need_refer(actor=owner, need=req_need, to_group=other_group)
    assert not Need.objects.filter(group=other_group).exists()
    assert fresh(req_need).status == Need.Status.PARTLY_MATCHED


# --- needs_expire_overdue -------------------------------------------------------------------------


def test_expire_only_open_overdue_needs_with_nothing_matched(group, requester, helper):
    soon = timezone.now() + timedelta(hours=1)
    overdue = post_need(requester, group, title="A", needed_by=soon)
    claimed = post_need(requester, group, title="B", needed_by=soon)
    services.match_claim(actor=helper, need=claimed, quantity=1)
    returned = post_need(requester, group, title="C", needed_by=soon)
    services.match_cancel(actor=helper, match=services.match_claim(actor=helper, need=returned, quantity=1),
                          reason="Ill")
    cancelled = post_need(requester, group, title="D", needed_by=soon)
    services.need_cancel(actor=requester, need=cancelled)
    later = post_need(requester, group, title="E", needed_by=soon + timedelta(days=2))
    undated = post_need(requester, group, title="F")
    now = soon + timedelta(hours=1)
    assert list(selectors.overdue_needs(now).order_by("title")) == [overdue, returned]

    before = last_seq()
    assert services.needs_expire_overdue(now=now) == 2
    assert {n.title for n in Need.objects.filter(status=Need.Status.EXPIRED)} == {"A", "C"}
    assert fresh(claimed).status == Need.Status.PARTLY_MATCHED
    assert fresh(cancelled).status == Need.Status.CANCELLED
    assert fresh(later).status == Need.Status.OPEN and fresh(undated).status == Need.Status.OPEN
    assert fresh(overdue).closed_at == now
    entries = AuditEntry.objects.filter(seq__gt=before)
    assert [e.action for e in entries] == ["need.expired", "need.expired"]
    assert all(e.actor == "" for e in entries)
    assert services.needs_expire_overdue(now=now) == 0
    with pytest.raises(Conflict):
        services.match_claim(actor=helper, need=overdue, quantity=1)


# --- offers ---------------------------------------------------------------------------------------


def test_offer_create_and_refusals(group, helper, outsider):
    before = last_seq()
    offer = services.offer_create(actor=helper, group=group, title="Lifts", category="transport", quantity=4,
                                  lat=51.50789, lon=-0.10456, max_distance_km=5)
    assert (offer.lat, offer.lon, offer.status) == (51.51, -0.1, Offer.Status.ACTIVE)
    assert actions_since(before) == ["offer.created"]
    with pytest.raises(NotFound):
        services.offer_create(actor=outsider, group=group, title="Lifts", category="transport", quantity=1)
    with pytest.raises(InvalidInput) as exc:
        services.offer_create(actor=helper, group=group, title="Lifts", category="transport", quantity=1,
                              max_distance_km=-1)
    assert exc.value.field == "max_distance_km"
    now = timezone.now()
    with pytest.raises(InvalidInput) as exc:
        services.offer_create(actor=helper, group=group, title="Lifts", category="transport", quantity=1,
                              available_from=now, available_until=now - timedelta(hours=1))
    assert exc.value.field == "available_until"
    with pytest.raises(InvalidInput, match="already passed") as exc:  # a date in 2020 is not "available"
        services.offer_create(actor=helper, group=group, title="Lifts", category="transport", quantity=1,
                              available_until=now.replace(year=2020))
    assert exc.value.field == "available_until"
    assert Offer.objects.count() == 1


def test_offer_set_status_pause_resume_withdraw(offer, helper):
    before = last_seq()
    assert services.offer_set_status(actor=helper, offer=offer, status="paused").status == Offer.Status.PAUSED
    assert services.offer_set_status(actor=helper, offer=offer, status="active").status == Offer.Status.ACTIVE
    assert services.offer_set_status(actor=helper, offer=offer, status="withdrawn").status == Offer.Status.WITHDRAWN
    assert fresh(offer).status == Offer.Status.WITHDRAWN
    assert actions_since(before) == ["offer.status_changed"] * 3
    with pytest.raises(Conflict):
        services.offer_set_status(actor=helper, offer=offer, status="active")
    assert fresh(offer).status == Offer.Status.WITHDRAWN


def test_offer_set_status_refusals(offer, helper, bystander, outsider):
    with pytest.raises(InvalidInput) as exc:
        services.offer_set_status(actor=helper, offer=offer, status="exhausted")
    assert exc.value.field == "status"
    with pytest.raises(NotAllowed):
        services.offer_set_status(actor=bystander, offer=offer, status="paused")
    with pytest.raises(NotFound):
        services.offer_set_status(actor=outsider, offer=offer, status="paused")
    assert fresh(offer).status == Offer.Status.ACTIVE


def test_resuming_an_offer_with_nothing_left_keeps_it_exhausted(req_need, helper, offer):
    services.match_claim(actor=helper, need=req_need, quantity=2, offer=offer)
    services.offer_set_status(actor=helper, offer=offer, status="paused")
    assert services.offer_set_status(actor=helper, offer=offer, status="active").status == Offer.Status.EXHAUSTED


# --- who sees the contact -------------------------------------------------------------------------


def sees(user, need) -> bool:
    via_permissions = need_access(user, need.public_id).sees_contact
    need = fresh(need)  # the rule alone, with the matches read afresh
    via_rule = can_see_contact(user, need, is_coordinator=need_access(user, need.public_id).group.is_coordinator,
                               matches=list(need.matches.all()))
    assert via_permissions == via_rule
    return via_permissions


def test_contact_visibility(req_need, requester, owner, helper, bystander, outsider):
    assert sees(requester, req_need)
    assert sees(owner, req_need)  # coordinator
    assert not sees(helper, req_need)  # not matched yet
    assert not sees(bystander, req_need)
    with pytest.raises(NotFound):
        need_access(outsider, req_need.public_id)
    assert not can_see_contact(None, req_need, is_coordinator=False, matches=[])

    match = services.match_claim(actor=helper, need=req_need, quantity=1)
    assert sees(helper, req_need)
    assert not sees(bystander, req_need)

    services.match_cancel(actor=helper, match=match, reason="Cannot make it")
    assert not sees(helper, req_need)


def test_contact_visibility_for_proxy_intake(group, owner, helper):
    need = post_need(owner, group, on_behalf=True, contact={"name": "Mrs Alvarez"})
    services.match_claim(actor=helper, need=need, quantity=1)
    assert sees(helper, need)
    assert need_access(owner, need.public_id).is_requester
    assert not need_access(helper, need.public_id).is_requester


def test_need_access_rejects_garbage_ids(req_need, requester):
    with pytest.raises(NotFound):
        need_access(requester, "not-a-uuid")
