"""The API's need list (GET /api/v1/needs): a fixed number of queries however many needs there are, and, byte for
byte, the answer the list gave when it rendered need_out() over need_list() model instances, for every viewer."""
from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

from mutualaid.circulation import selectors, services
from mutualaid.circulation.api import need_out, need_row_out
from mutualaid.circulation.models import Need
from mutualaid.circulation.schemas import NeedOut
from mutualaid.circulation.tests.rows import add_needs
from mutualaid.networks import services as networks
from mutualaid.networks.models import Membership
from mutualaid.networks.selectors import user_groups

pytestmark = pytest.mark.django_db

def get(client, token: str, **params):
    return client.get("/api/v1/needs", params, HTTP_AUTHORIZATION=f"Bearer {token}")


def expected_body(viewer, *, group=None, status="", category="", urgency="", page=1, page_size=20) -> bytes:
    """What the list answered before: need_out() of need_list()'s instances, through NeedOut and ninja's JSON."""
    qs = selectors.need_list(
        filters=selectors.NeedFilters(group=group, status=status, category=category, urgency=urgency),
        visible_groups=None if group else user_groups(viewer),
    ).select_related("duplicate_of", "referred_to")
    offset = (page - 1) * page_size
    items = [NeedOut.model_validate(need_out(n)).model_dump() for n in qs[offset:offset + page_size]]
    return json.dumps({"items": items, "count": qs.count()}, cls=NinjaJSONEncoder).encode()


@pytest.fixture
def coordinator(group, owner):
    return owner  # the group's founder is its coordinator


@pytest.fixture
def every_kind_of_need(group, other_group, coordinator, member, helper, outsider):
    """Open, claimed, fulfilled, cancelled, duplicate, referred and proxy-intake needs, with and without a date,
    a place or a description; and needs of a group the member is not in."""
    soon = timezone.now() + timedelta(days=2)
    mine = services.need_create(actor=member, group=group, title="Groceries", category="groceries", quantity=3,
                                urgency="high", description="Two adults", needed_by=soon, lat=51.50123,
                                lon=-0.10456, location_name="Northside", contact={"phone": "+44 7700 900123"})
    services.match_claim(actor=helper, need=mine, quantity=2)
    services.need_create(actor=coordinator, group=group, title="Lift to clinic", category="transport", quantity=1,
                         urgency="critical", contact={"name": "Ada", "phone": "+44 7700 900999"}, on_behalf=True)
    done = services.need_create(actor=member, group=group, title="Soup", category="food", quantity=1)
    match = services.match_claim(actor=helper, need=done, quantity=1)
    services.match_complete(actor=member, match=match)
    cancelled = services.need_create(actor=member, group=group, title="Old request", category="groceries",
                                     quantity=2, urgency="low")
    services.need_cancel(actor=member, need=cancelled, reason="Sorted out")
    original = services.need_create(actor=helper, group=group, title="Nappies", category="groceries", quantity=1)
    copy = services.need_create(actor=member, group=group, title="Nappies (again)", category="groceries",
                                quantity=1)
    services.need_mark_duplicate(actor=coordinator, need=copy, original=original)
    far = services.need_create(actor=member, group=group, title="Across town", category="transport", quantity=1,
                               needed_by=soon + timedelta(hours=3))
    services.need_refer(actor=coordinator, need=far, to_group=other_group)
    services.need_create(actor=outsider, group=other_group, title="Elsewhere", category="food", quantity=2)
    add_needs(group, [member, helper], 25)


@pytest.fixture
def tokens(coordinator, member, helper, make_user, group):
    plain = make_user("pablo")
    networks.group_join(actor=plain, group=group)
    return {user: networks.token_create(actor=user) for user in (coordinator, member, helper, plain)}


@pytest.mark.parametrize("params", [
    {}, {"page": 2}, {"page_size": 100}, {"status": "open"}, {"status": "duplicate"}, {"status": "referred"},
    {"status": "fulfilled"}, {"category": "groceries"}, {"urgency": "high"},
    {"status": "open", "category": "groceries", "urgency": "low"}, {"page": 9}, {"category": "no-such-thing"},
])
def test_every_viewer_gets_the_bytes_need_list_gave(client, group, every_kind_of_need, tokens, params):
    for viewer, token in tokens.items():
        for group_param in ({"group": str(group.public_id)}, {}):
            response = get(client, token, **group_param, **params)
            assert response.status_code == 200
            expected = expected_body(viewer, group=group if group_param else None, **params)
            assert response.content == expected, (viewer.username, group_param, params)


def test_the_list_of_all_my_groups_leaves_out_groups_i_left_or_never_joined(client, group, other_group, member,
                                                                            every_kind_of_need, tokens):
    networks.group_join(actor=member, group=other_group)
    body = json.loads(get(client, tokens[member]).content)
    assert {item["group"] for item in body["items"]} == {str(group.public_id), str(other_group.public_id)}
    assert get(client, tokens[member]).content == expected_body(member)
    Membership.objects.filter(user=member, group=other_group).update(left_at=timezone.now())
    body = json.loads(get(client, tokens[member], page_size=100).content)
    assert {item["group"] for item in body["items"]} == {str(group.public_id)}
    assert body["count"] == Need.objects.filter(group=group).count()


def test_a_row_renders_as_need_out_renders_the_need(group, every_kind_of_need, member):
    page = selectors.NeedApiPage(filters=selectors.NeedFilters(), group_id=group.pk)
    needs = list(selectors.need_list(filters=selectors.NeedFilters(group=group))[:100])
    rows = page[0:100]
    assert len(rows) == len(needs) == page.count() > 30
    for row, need in zip(rows, needs):
        assert len(row) == len(selectors.NEED_API_COLUMNS)
        out, reference = need_row_out(row), need_out(need)
        assert list(out) == list(reference) and out == reference
        assert [type(v) for v in out.values()] == [type(v) for v in reference.values()]


def test_outsiders_and_leavers_get_the_404s_they_always_got(client, group, member, outsider, tokens):
    outsider_token = networks.token_create(actor=outsider)
    response = get(client, outsider_token, group=str(group.public_id))
    assert response.status_code == 404
    assert response.json() == {"detail": "No such group, or you are not a member of it."}
    response = get(client, outsider_token, group=str(uuid.uuid4()))
    assert response.status_code == 404 and response.json() == {"detail": "No such group."}
    assert get(client, tokens[member], group=str(group.public_id)).status_code == 200
    assert get(client, tokens[member], group=str(group.public_id)).status_code == 200
    networks.group_leave(actor=member, group=group)
    assert get(client, tokens[member], group=str(group.public_id)).status_code == 404


@pytest.mark.parametrize("params, queries", [
    # the token, the version (mutualaid.core.conditional: the membership with its stamps), the membership, the page,
    # the count
    ({"group": True}, 5),
    ({"group": True, "status": "open", "category": "food", "urgency": "high"}, 5),
    ({"group": True, "page": 2, "page_size": 5}, 5),
    # the token, the version (the member's groups with their stamps), the page, the count (the member's groups are a
    # subquery of both)
    ({}, 4),
    ({"urgency": "low"}, 4),
])
def test_the_list_runs_a_fixed_number_of_queries_for_10_and_200_needs(client, group, other_group, member, helper,
                                                                       outsider, django_assert_num_queries, params,
                                                                       queries):
    token = networks.token_create(actor=member)
    params = {**params, "group": str(group.public_id)} if params.get("group") else params
    add_needs(group, [member, helper], 10)
    add_needs(other_group, [outsider], 10)
    with django_assert_num_queries(queries):
        small = get(client, token, **params)
    add_needs(group, [member, helper], 190)
    add_needs(other_group, [outsider], 190)
    with django_assert_num_queries(queries):
        large = get(client, token, **params)
    assert small.status_code == large.status_code == 200
    assert large.json()["count"] > small.json()["count"] or "category" in params
