"""What happens to commitments when people leave, and to requesters whose need was referred elsewhere."""
from __future__ import annotations

import pytest

from mutualaid.circulation import services
from mutualaid.circulation.models import Match, Need, Offer
from mutualaid.circulation.permissions import need_access
from mutualaid.core.errors import Conflict, InvalidInput, NotAllowed
from mutualaid.networks import services as networks
from mutualaid.networks.models import Membership

pytestmark = pytest.mark.django_db


def test_a_helper_who_leaves_hands_back_their_claims_and_withdraws_their_offers(group, need, member, owner):
    offer = services.offer_create(actor=member, group=group, title="Veg", category="groceries", quantity=5)
    services.match_claim(actor=member, need=need, quantity=2, offer=offer)

    networks.group_leave(actor=member, group=group)

    need.refresh_from_db()
    offer.refresh_from_db()
    assert need.quantity_claimed == 0 and need.status == Need.Status.OPEN
    assert Match.objects.get(need=need).status == Match.Status.CANCELLED
    assert offer.status == Offer.Status.WITHDRAWN
    assert not Membership.objects.active().filter(group=group, user=member).exists()


def test_leaving_twice_is_refused(group, member):
    networks.group_leave(actor=member, group=group)
    with pytest.raises(Conflict):
        networks.group_leave(actor=member, group=group)


def test_the_requester_follows_a_referred_need_in_a_group_they_are_not_in(group, other_group, member, owner,
                                                                          outsider):
    mine = services.need_create(actor=member, group=group, title="Ride to the clinic", category="transport",
                                quantity=1, contact={"phone": "+44 7700 900555"})
    copy = services.need_refer(actor=owner, need=mine, to_group=other_group)

    access = need_access(member, copy.public_id)
    assert access.is_requester and access.sees_contact
    match = services.match_claim(actor=outsider, need=copy, quantity=1)
    services.match_complete(actor=member, match=match)
    copy.refresh_from_db()
    assert copy.status == Need.Status.FULFILLED


def test_an_offer_from_another_group_cannot_fill_a_need(group, other_group, need, member):
    networks.group_join(actor=member, group=other_group)
    elsewhere = services.offer_create(actor=member, group=other_group, title="Bags", category="groceries", quantity=3)
    with pytest.raises(InvalidInput, match="another group"):
        services.match_claim(actor=member, need=need, quantity=1, offer=elsewhere)
    need.refresh_from_db()
    assert need.quantity_claimed == 0


def test_a_coordinator_cannot_confirm_their_own_help(group, owner, member):
    wanted = services.need_create(actor=member, group=group, title="Shelf", category="household-repair", quantity=1)
    match = services.match_claim(actor=owner, need=wanted, quantity=1)
    with pytest.raises(NotAllowed, match="You gave this help"):
        services.match_complete(actor=owner, match=match)
    services.match_complete(actor=member, match=match)


def test_a_live_need_cannot_be_closed_as_duplicate_of_a_cancelled_one(group, owner, need):
    services.need_cancel(actor=owner, need=need, reason="sorted")
    again = services.need_create(actor=owner, group=group, title="Groceries for a family of four",
                                 category="groceries", quantity=3)
    with pytest.raises(InvalidInput, match="cancelled"):
        services.need_mark_duplicate(actor=owner, need=again, original=need)


def test_a_group_never_loses_its_last_coordinator_by_withdrawn_trust(group, owner, member):
    networks.trust_give(actor=member, group=group, receiver=owner)
    networks.trust_withdraw(actor=member, group=group, receiver=owner)
    assert Membership.objects.get(group=group, user=owner, left_at__isnull=True).role == "coordinator"


def test_a_founder_keeps_the_role_beside_coordinators_who_earned_it(group, owner, member, make_user):
    third = make_user("tess")
    networks.group_join(actor=third, group=group)  # 3 members: threshold 2
    networks.trust_give(actor=owner, group=group, receiver=third)
    networks.trust_give(actor=third, group=group, receiver=member)  # member earns the role: two paths
    assert Membership.objects.get(group=group, user=owner, left_at__isnull=True).role == "coordinator"
    assert Membership.objects.get(group=group, user=member, left_at__isnull=True).role == "coordinator"
    assert Membership.objects.get(group=group, user=third, left_at__isnull=True).role == "member"


def test_a_time_without_offset_is_read_in_the_groups_time_zone(owner):
    from datetime import datetime, timezone

    g = networks.group_create(actor=owner, name="Madrid Pod", timezone_name="Europe/Madrid")
    made = services.need_create(actor=owner, group=g, title="Comida", category="food", quantity=1,
                                needed_by=datetime(2099, 6, 1, 18, 0))
    assert made.needed_by.utcoffset() is not None
    assert made.needed_by.astimezone(timezone.utc).hour == 16  # CEST is UTC+2


def test_unknown_time_zone_and_bad_email_are_refused(make_user, owner):
    with pytest.raises(InvalidInput, match="time zone"):
        networks.group_create(actor=owner, name="Nowhere", timezone_name="Mars/Olympus")
    with pytest.raises(InvalidInput, match="e-mail"):
        networks.user_register(username="zed", password="a-long-passphrase-42", email="not an email")


def test_the_same_title_without_details_is_flagged_as_a_possible_duplicate(group, owner, need):
    from mutualaid.circulation.selectors import possible_duplicates

    found = possible_duplicates(group=group, category=need.category, title="Groceries for a family of four")
    assert found == [need]
    assert possible_duplicates(group=group, category=need.category, title="Bike repair") == []
