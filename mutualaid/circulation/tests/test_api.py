"""The needs, matches, offers and categories routes, for owner (coordinator) / member / outsider / anonymous /
bad token: status codes, bodies, who sees contact details, pagination and filters."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest

from mutualaid.tests.api_helpers import (Api, anon, as_member, as_outsider, as_owner, assert_error,  # noqa: F401
                                         bad_token, create_group, group, ok, other_group, register)

pytestmark = pytest.mark.django_db

UNKNOWN = str(uuid.uuid4())
CONTACT = {"phone": "+44 7700 900123", "email": "mateo.home@example.org", "address": "12 Example Street"}


def need_body(group: dict, /, **fields) -> dict:
    return {"group": group["id"], "title": "Groceries for a family of four", "description": "Two adults, two kids",
            "category": "groceries", "quantity": 3, "urgency": "high", "lat": 51.50123, "lon": -0.10456,
            "contact": CONTACT, **fields}


def offer_body(group: dict, /, **fields) -> dict:
    return {"group": group["id"], "title": "Weekly shop run", "category": "groceries", "quantity": 4, **fields}


@pytest.fixture
def as_helper(group, as_owner) -> Api:
    """A second member of the group, who helps."""
    helper = register("hana")
    ok(helper.post(f"/groups/{group['id']}/join"), 201)
    ok(as_owner.post(f"/groups/{group['id']}/members/{helper.id}/trust"), 201)  # vouched for: claims confirm at once
    return helper


@pytest.fixture
def need(group, as_member) -> dict:
    """The member's need, with contact details."""
    return ok(as_member.post("/needs", need_body(group)), 201)


@pytest.fixture
def match(need, as_helper) -> dict:
    return ok(as_helper.post(f"/needs/{need['id']}/claim", {"quantity": 2}), 201)


@pytest.fixture
def offer(group, as_helper) -> dict:
    return ok(as_helper.post("/offers", offer_body(group)), 201)


# --- Categories -------------------------------------------------------------------------------------------


def test_categories_are_public(anon, as_member):
    rows = ok(anon.get("/categories"))
    assert {"slug": "groceries", "name": "Groceries", "unit": "bags"} in rows
    assert ok(as_member.get("/categories")) == rows


# --- Posting a need ---------------------------------------------------------------------------------------


class TestNeedCreate:
    def test_a_member_posts_a_need_and_sees_its_contact(self, group, as_member):
        body = ok(as_member.post("/needs", need_body(group, needed_by="2099-06-01T18:00:00+00:00")), 201)
        uuid.UUID(body["id"])
        assert body["group"] == group["id"] and body["requester"] == "mateo" and body["proxy_intake"] is False
        assert (body["quantity"], body["quantity_left"], body["status"], body["urgency"]) == (3, 3, "open", "high")
        assert (body["lat"], body["lon"]) == (51.5, -0.1)  # coarse in the public record
        assert body["needed_by"].startswith("2099-06-01T18:00:00")
        assert body["contact"]["phone"] == CONTACT["phone"] and body["contact"]["address"] == CONTACT["address"]
        assert (body["contact"]["lat"], body["contact"]["lon"]) == (51.50123, -0.10456)  # exact, with contact only
        assert body["matches"] == [] and body["possible_duplicates"] == []

    def test_the_minimum_is_group_title_category_quantity(self, group, as_member):
        body = ok(as_member.post("/needs", {"group": group["id"], "title": "A ride", "category": "transport",
                                            "quantity": 1}), 201)
        assert body["urgency"] == "normal" and body["lat"] is None and body["needed_by"] is None

    def test_a_similar_need_is_flagged_as_a_possible_duplicate(self, group, need, as_owner):
        body = ok(as_owner.post("/needs", need_body(group, contact={"phone": "+44 (0)7700 900123"})), 201)
        assert body["possible_duplicates"] == [need["id"]]

    def test_a_time_without_offset_is_read_in_the_groups_time_zone(self, as_owner):
        madrid = create_group(as_owner, "Madrid Pod", timezone="Europe/Madrid")
        body = ok(as_owner.post("/needs", need_body(madrid, needed_by="2099-06-01T18:00:00")), 201)
        assert datetime.fromisoformat(body["needed_by"]) == datetime(2099, 6, 1, 16, 0, tzinfo=dt_timezone.utc)

    def test_a_coordinator_posts_on_someones_behalf_but_a_member_may_not(self, group, as_owner, as_member):
        body = ok(as_owner.post("/needs", need_body(group, on_behalf=True, contact={"name": "Rosa", "phone": "1"})),
                  201)
        assert body["proxy_intake"] is True and body["requester"] is None and body["contact"]["name"] == "Rosa"
        assert_error(as_member.post("/needs", need_body(group, on_behalf=True)), 403, "behalf")

    @pytest.mark.parametrize("changes, status, word", [
        ({"title": None}, 422, "title"),
        ({"title": "   "}, 422, "required"),
        ({"quantity": 0}, 422, "quantity"),
        ({"quantity": -2}, 422, "quantity"),
        ({"quantity": 100_001}, 422, "quantity"),
        ({"quantity": 2.5}, 422, "quantity"),
        ({"quantity": "3"}, 422, "quantity"),
        ({"quantity": True}, 422, "quantity"),
        ({"urgency": "whenever"}, 422, "urgency"),
        ({"category": "yachts"}, 422, "category"),
        ({"lat": 200}, 422, "lat"),
        ({"lon": -181}, 422, "lon"),
        ({"lat": None}, 422, "longitude"),
        ({"needed_by": "2001-01-01T00:00:00+00:00"}, 422, "past"),
        ({"needed_by": "next tuesday"}, 422, "needed_by"),
        ({"group": "not-a-uuid"}, 422, "group"),
        ({"contact": {"adress": "12 Example Street"}}, 422, "adress"),
        ({"contact": "call me"}, 422, "contact"),
        ({"contact": {"email": "not an email"}}, 422, "e-mail"),
        ({"contact": {"phone": "1" * 41}}, 422, "phone"),
    ])
    def test_invalid_input_is_422_naming_the_problem(self, group, as_member, changes, status, word):
        assert_error(as_member.post("/needs", need_body(group, **changes)), status, word)

    @pytest.mark.parametrize("field", ["group", "title", "category", "quantity"])
    def test_a_missing_required_field_is_422_naming_it(self, group, as_member, field):
        body = need_body(group)
        del body[field]
        assert_error(as_member.post("/needs", body), 422, f"{field}: Field required")

    def test_a_malformed_body_is_400(self, as_member):
        assert_error(as_member.post("/needs", raw='{"title": "x"'), 400, "malformed json")

    def test_an_outsider_is_404_and_nothing_is_created(self, group, need, as_outsider, as_owner):
        assert_error(as_outsider.post("/needs", need_body(group)), 404, "group")
        assert ok(as_owner.get("/needs"))["count"] == 1

    def test_an_unknown_group_is_404(self, as_member):
        assert_error(as_member.post("/needs", need_body({"id": UNKNOWN})), 404, "group")

    def test_anonymous_and_bad_token_are_401(self, group, anon, bad_token):
        assert_error(anon.post("/needs", need_body(group)), 401)
        assert_error(bad_token.post("/needs", need_body(group)), 401)


# --- Reading a need, and who sees its contact ---------------------------------------------------------------


class TestNeedGet:
    def test_contact_is_shown_to_requester_and_coordinator(self, need, as_member, as_owner):
        for who in (as_member, as_owner):
            body = ok(who.get(f"/needs/{need['id']}"))
            assert body["contact"]["phone"] == CONTACT["phone"] and body["contact"]["email"] == CONTACT["email"]

    def test_contact_is_absent_for_another_member_with_every_other_field_present(self, need, as_helper):
        body = ok(as_helper.get(f"/needs/{need['id']}"))
        assert "contact" not in body
        assert "7700" not in str(body) and "Example Street" not in str(body)
        # Only `contact` is left out: nulls are still there.
        assert body["needed_by"] is None and body["duplicate_of"] is None and body["referred_to"] is None
        assert body["title"] == need["title"] and body["matches"] == []

    def test_a_helper_sees_contact_while_their_match_is_live_only(self, need, as_helper, as_member):
        assert "contact" not in ok(as_helper.get(f"/needs/{need['id']}"))
        match = ok(as_helper.post(f"/needs/{need['id']}/claim", {"quantity": 1}), 201)
        body = ok(as_helper.get(f"/needs/{need['id']}"))
        assert body["contact"]["address"] == CONTACT["address"]
        assert body["matches"] == [{"id": match["id"], "helper": "hana", "quantity": 1, "status": "confirmed"}]
        ok(as_helper.post(f"/matches/{match['id']}/cancel", {"reason": "Fell ill"}))
        assert "contact" not in ok(as_helper.get(f"/needs/{need['id']}"))

    def test_an_outsider_gets_the_same_404_as_for_a_need_that_does_not_exist(self, need, as_outsider):
        hidden = assert_error(as_outsider.get(f"/needs/{need['id']}"), 404)
        missing = assert_error(as_outsider.get(f"/needs/{UNKNOWN}"), 404)
        assert hidden == missing == {"detail": "No such need."}

    def test_a_member_who_left_no_longer_sees_it(self, group, need, as_helper):
        ok(as_helper.post(f"/groups/{group['id']}/leave"))
        assert_error(as_helper.get(f"/needs/{need['id']}"), 404)

    def test_a_malformed_id_is_422(self, as_member):
        assert_error(as_member.get("/needs/12"), 422, "need_id")

    def test_anonymous_and_bad_token_are_401(self, need, anon, bad_token):
        assert_error(anon.get(f"/needs/{need['id']}"), 401)
        assert_error(bad_token.get(f"/needs/{need['id']}"), 401)


# --- Listing needs ----------------------------------------------------------------------------------------


class TestNeedList:
    @pytest.fixture
    def needs(self, group, as_member, as_owner):
        rows = [("critical", "food", 1), ("low", "groceries", 2), ("high", "transport", 1), ("normal", "food", 4),
                ("high", "groceries", 1)]
        return [ok(as_member.post("/needs", need_body(group, title=f"Need number {i} {'x' * i}", urgency=u,
                                                      category=c, quantity=q, contact=None)), 201)
                for i, (u, c, q) in enumerate(rows)]

    def test_members_see_their_groups_needs_most_urgent_first_without_contact(self, needs, as_owner, as_member,
                                                                              as_helper):
        for who in (as_owner, as_member, as_helper):
            body = ok(who.get("/needs"))
            assert body["count"] == 5
            assert [n["urgency"] for n in body["items"]] == ["critical", "high", "high", "normal", "low"]
            assert all("contact" not in n for n in body["items"])

    def test_an_outsider_sees_none_of_them_and_cannot_ask_for_the_group(self, group, needs, other_group,
                                                                       as_outsider):
        assert ok(as_outsider.get("/needs")) == {"items": [], "count": 0}
        assert_error(as_outsider.get("/needs", {"group": group["id"]}), 404)
        own = ok(as_outsider.post("/needs", need_body(other_group)), 201)
        assert [n["id"] for n in ok(as_outsider.get("/needs", {"group": other_group["id"]}))["items"]] == [own["id"]]

    def test_pages(self, needs, as_member):
        first = ok(as_member.get("/needs", {"page_size": 2}))
        second = ok(as_member.get("/needs", {"page_size": 2, "page": 2}))
        third = ok(as_member.get("/needs", {"page_size": 2, "page": 3}))
        assert first["count"] == second["count"] == third["count"] == 5
        assert [len(p["items"]) for p in (first, second, third)] == [2, 2, 1]
        ids = [n["id"] for p in (first, second, third) for n in p["items"]]
        assert len(set(ids)) == 5
        assert ok(as_member.get("/needs", {"page": 4, "page_size": 2})) == {"items": [], "count": 5}
        assert len(ok(as_member.get("/needs", {"page_size": 100}))["items"]) == 5
        assert len(ok(as_member.get("/needs", {"page_size": 1}))["items"]) == 1

    @pytest.mark.parametrize("params, word", [({"page_size": 0}, "page_size"), ({"page_size": 101}, "page_size"),
                                              ({"page": 0}, "page"), ({"page": -1}, "page"),
                                              ({"page": "two"}, "page"), ({"page_size": "many"}, "page_size")])
    def test_page_bounds_are_422(self, as_member, params, word):
        assert_error(as_member.get("/needs", params), 422, word)

    def test_filters(self, group, needs, as_member, as_helper):
        def titles(**params):
            return sorted(n["title"][:13] for n in ok(as_member.get("/needs", params))["items"])

        assert titles(category="food") == ["Need number 0", "Need number 3"]
        assert titles(urgency="high") == ["Need number 2", "Need number 4"]
        assert titles(urgency="high", category="groceries") == ["Need number 4"]
        assert titles(group=group["id"], urgency="low") == ["Need number 1"]
        assert titles(category="yachts") == []
        ok(as_helper.post(f"/needs/{needs[1]['id']}/claim", {"quantity": 1}), 201)
        ok(as_helper.post(f"/needs/{needs[2]['id']}/claim", {"quantity": 1}), 201)
        ok(as_member.post(f"/needs/{needs[3]['id']}/cancel", {"reason": "Sorted"}))
        assert titles(status="partly_matched") == ["Need number 1"]
        assert titles(status="matched") == ["Need number 2"]
        assert titles(status="cancelled") == ["Need number 3"]
        assert titles(status="open") == ["Need number 0", "Need number 4"]
        assert titles(status="open", urgency="critical") == ["Need number 0"]

    @pytest.mark.parametrize("params, word", [({"status": "lost"}, "status"), ({"urgency": "urgent"}, "urgency"),
                                              ({"group": "north"}, "group")])
    def test_unknown_filter_values_are_422(self, as_member, params, word):
        assert_error(as_member.get("/needs", params), 422, word)

    def test_anonymous_and_bad_token_are_401(self, anon, bad_token):
        assert_error(anon.get("/needs"), 401)
        assert_error(bad_token.get("/needs"), 401)


# --- Claiming -----------------------------------------------------------------------------------------------


class TestClaim:
    def test_a_member_claims_part_of_a_need(self, need, as_helper, as_member, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            body = ok(as_helper.post(f"/needs/{need['id']}/claim", {"quantity": 2}), 201)
        assert {k: body[k] for k in ("need", "quantity", "status", "helper", "offer")} == {
            "need": need["id"], "quantity": 2, "status": "confirmed", "helper": "hana", "offer": None}
        after = ok(as_member.get(f"/needs/{need['id']}"))
        assert (after["quantity_claimed"], after["quantity_left"], after["status"]) == (2, 1, "partly_matched")
        notes = ok(as_member.get("/notifications"))
        assert notes[0]["kind"] == "match_claimed" and "hana" in notes[0]["text"]

    def test_claiming_more_than_is_left_is_409(self, need, match, as_owner):
        assert_error(as_owner.post(f"/needs/{need['id']}/claim", {"quantity": 2}), 409, "only 1 left")
        ok(as_owner.post(f"/needs/{need['id']}/claim", {"quantity": 1}), 201)
        assert_error(as_owner.post(f"/needs/{need['id']}/claim", {"quantity": 1}), 409, "cannot be claimed")

    def test_claiming_your_own_need_is_403(self, need, as_member):
        assert_error(as_member.post(f"/needs/{need['id']}/claim", {"quantity": 1}), 403, "own need")

    def test_a_closed_need_is_409(self, need, as_member, as_helper):
        ok(as_member.post(f"/needs/{need['id']}/cancel", {}))
        assert_error(as_helper.post(f"/needs/{need['id']}/claim", {"quantity": 1}), 409, "cancelled")

    @pytest.mark.parametrize("body, word", [({}, "quantity"), ({"quantity": 0}, "quantity"),
                                            ({"quantity": "2"}, "quantity"), ({"quantity": None}, "quantity"),
                                            ({"quantity": 1, "offer": "x"}, "offer")])
    def test_invalid_input_is_422(self, need, as_helper, body, word):
        assert_error(as_helper.post(f"/needs/{need['id']}/claim", body), 422, word)

    def test_claiming_from_ones_own_offer_commits_it(self, need, offer, as_helper):
        body = ok(as_helper.post(f"/needs/{need['id']}/claim", {"quantity": 3, "offer": offer["id"]}), 201)
        assert body["offer"] == offer["id"]
        assert ok(as_helper.get(f"/offers/{offer['id']}"))["quantity_left"] == 1

    def test_claiming_from_someone_elses_offer_is_403(self, need, offer, as_owner):
        assert_error(as_owner.post(f"/needs/{need['id']}/claim", {"quantity": 1, "offer": offer["id"]}), 403,
                     "own offers")

    def test_an_outsider_is_404(self, need, as_outsider):
        assert_error(as_outsider.post(f"/needs/{need['id']}/claim", {"quantity": 1}), 404, "no such need")
        assert_error(as_outsider.post(f"/needs/{UNKNOWN}/claim", {"quantity": 1}), 404, "no such need")

    def test_anonymous_and_bad_token_are_401(self, need, anon, bad_token):
        assert_error(anon.post(f"/needs/{need['id']}/claim", {"quantity": 1}), 401)
        assert_error(bad_token.post(f"/needs/{need['id']}/claim", {"quantity": 1}), 401)


# --- Cancelling, marking duplicates, referring ---------------------------------------------------------------


class TestNeedCancel:
    def test_the_requester_cancels_and_live_matches_end(self, need, match, as_member, as_helper):
        body = ok(as_member.post(f"/needs/{need['id']}/cancel", {"reason": "Family helped"}))
        assert body["status"] == "cancelled" and body["quantity_claimed"] == 0
        assert ok(as_helper.get(f"/matches/{match['id']}"))["status"] == "cancelled"
        assert_error(as_member.post(f"/needs/{need['id']}/cancel", {}), 409, "already closed")

    def test_a_coordinator_may_cancel(self, need, as_owner):
        assert ok(as_owner.post(f"/needs/{need['id']}/cancel", {}))["status"] == "cancelled"

    def test_another_member_is_403(self, need, as_helper):
        assert_error(as_helper.post(f"/needs/{need['id']}/cancel", {}), 403, "requester or a coordinator")

    def test_an_outsider_is_404(self, need, as_outsider):
        assert_error(as_outsider.post(f"/needs/{need['id']}/cancel", {}), 404, "no such need")

    def test_a_reason_too_long_is_422(self, need, as_member):
        assert_error(as_member.post(f"/needs/{need['id']}/cancel", {"reason": "x" * 501}), 422, "reason")

    def test_anonymous_and_bad_token_are_401(self, need, anon, bad_token):
        assert_error(anon.post(f"/needs/{need['id']}/cancel", {}), 401)
        assert_error(bad_token.post(f"/needs/{need['id']}/cancel", {}), 401)


class TestNeedDuplicate:
    @pytest.fixture
    def original(self, group, as_owner):
        return ok(as_owner.post("/needs", need_body(group, title="Food shop for four", contact=None)), 201)

    def test_a_coordinator_marks_a_duplicate(self, need, original, as_owner):
        body = ok(as_owner.post(f"/needs/{need['id']}/duplicate", {"original": original["id"]}))
        assert body["status"] == "duplicate" and body["duplicate_of"] == original["id"]

    def test_a_need_is_not_its_own_duplicate(self, need, as_owner):
        assert_error(as_owner.post(f"/needs/{need['id']}/duplicate", {"original": need["id"]}), 422, "itself")

    def test_a_claimed_need_is_409(self, need, match, original, as_owner):
        assert_error(as_owner.post(f"/needs/{need['id']}/duplicate", {"original": original["id"]}), 409, "claimed")

    def test_a_member_is_403(self, need, original, as_member):
        assert_error(as_member.post(f"/needs/{need['id']}/duplicate", {"original": original["id"]}), 403,
                     "coordinator")

    def test_an_original_elsewhere_is_404(self, need, other_group, as_owner, as_outsider):
        elsewhere = ok(as_outsider.post("/needs", need_body(other_group)), 201)
        assert_error(as_owner.post(f"/needs/{need['id']}/duplicate", {"original": elsewhere["id"]}), 404)
        assert_error(as_owner.post(f"/needs/{need['id']}/duplicate", {"original": UNKNOWN}), 404)
        assert_error(as_owner.post(f"/needs/{need['id']}/duplicate", {}), 422, "original")

    def test_an_outsider_is_404(self, need, original, as_outsider):
        assert_error(as_outsider.post(f"/needs/{need['id']}/duplicate", {"original": original["id"]}), 404)

    def test_anonymous_and_bad_token_are_401(self, need, anon, bad_token):
        assert_error(anon.post(f"/needs/{need['id']}/duplicate", {"original": UNKNOWN}), 401)
        assert_error(bad_token.post(f"/needs/{need['id']}/duplicate", {"original": UNKNOWN}), 401)


class TestNeedRefer:
    def test_a_coordinator_refers_a_need_to_another_group_contact_and_all(self, group, need, other_group,
                                                                          as_owner, as_outsider, as_member):
        copy = ok(as_owner.post(f"/needs/{need['id']}/refer", {"group": other_group["id"]}), 201)
        assert copy["group"] == other_group["id"] and copy["status"] == "open" and copy["requester"] == "mateo"
        original = ok(as_owner.get(f"/needs/{need['id']}"))
        assert original["status"] == "referred" and original["referred_to"] == other_group["id"]
        # The other group's coordinator now sees the copy, with the contact a helper will need.
        assert ok(as_outsider.get(f"/needs/{copy['id']}"))["contact"]["phone"] == CONTACT["phone"]
        assert_error(as_owner.get(f"/needs/{copy['id']}"), 404)  # not a member there

    def test_a_member_is_403(self, need, other_group, as_member):
        assert_error(as_member.post(f"/needs/{need['id']}/refer", {"group": other_group["id"]}), 403, "coordinator")

    def test_same_group_is_422_unknown_group_404_claimed_need_409(self, group, need, other_group, as_owner,
                                                                  as_helper):
        assert_error(as_owner.post(f"/needs/{need['id']}/refer", {"group": group["id"]}), 422, "another group")
        assert_error(as_owner.post(f"/needs/{need['id']}/refer", {"group": UNKNOWN}), 404, "group")
        ok(as_helper.post(f"/needs/{need['id']}/claim", {"quantity": 1}), 201)
        assert_error(as_owner.post(f"/needs/{need['id']}/refer", {"group": other_group["id"]}), 409, "nothing claimed")

    def test_an_outsider_is_404(self, need, other_group, as_outsider):
        assert_error(as_outsider.post(f"/needs/{need['id']}/refer", {"group": other_group["id"]}), 404,
                     "no such need")

    def test_anonymous_and_bad_token_are_401(self, need, other_group, anon, bad_token):
        assert_error(anon.post(f"/needs/{need['id']}/refer", {"group": other_group["id"]}), 401)
        assert_error(bad_token.post(f"/needs/{need['id']}/refer", {"group": other_group["id"]}), 401)


# --- Matches ------------------------------------------------------------------------------------------------


class TestMatchListAndGet:
    def test_helper_and_requester_list_their_matches_others_do_not(self, match, as_helper, as_member, as_owner):
        for who in (as_helper, as_member):
            body = ok(who.get("/matches"))
            assert body["count"] == 1 and body["items"][0]["id"] == match["id"]
        assert ok(as_owner.get("/matches")) == {"items": [], "count": 0}
        assert_error(as_helper.get("/matches", {"page_size": 101}), 422, "page_size")

    def test_members_read_a_match_and_outsiders_get_404(self, match, need, as_owner, as_outsider):
        body = ok(as_owner.get(f"/matches/{match['id']}"))
        assert body["need"] == need["id"] and body["quantity"] == 2 and body["completed_at"] is None
        assert_error(as_outsider.get(f"/matches/{match['id']}"), 404, "no such match")
        assert_error(as_owner.get(f"/matches/{UNKNOWN}"), 404, "no such match")

    def test_anonymous_and_bad_token_are_401(self, match, anon, bad_token):
        for who in (anon, bad_token):
            assert_error(who.get("/matches"), 401)
            assert_error(who.get(f"/matches/{match['id']}"), 401)


class TestMatchComplete:
    def test_the_requester_confirms_receipt(self, need, match, as_member, as_helper,
                                            django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            body = ok(as_member.post(f"/matches/{match['id']}/complete"))
        assert body["status"] == "completed" and body["completed_at"]
        assert ok(as_member.get(f"/needs/{need['id']}"))["quantity_fulfilled"] == 2
        assert ok(as_helper.get("/notifications"))[0]["kind"] == "match_completed"
        assert_error(as_member.post(f"/matches/{match['id']}/complete"), 409, "already completed")

    def test_completing_the_whole_need_fulfils_it(self, need, as_helper, as_owner):
        whole = ok(as_helper.post(f"/needs/{need['id']}/claim", {"quantity": 3}), 201)
        ok(as_owner.post(f"/matches/{whole['id']}/complete"))  # a coordinator may confirm too
        assert ok(as_owner.get(f"/needs/{need['id']}"))["status"] == "fulfilled"

    def test_another_member_and_the_helper_are_403_with_a_reason(self, match, as_helper):
        bystander = register("bea")
        ok(bystander.post(f"/groups/{match_group_id(as_helper, match)}/join"), 201)
        for who in (bystander, as_helper):
            assert_error(who.post(f"/matches/{match['id']}/complete"), 403, "only the requester or a coordinator")

    def test_an_outsider_is_404(self, match, as_outsider):
        assert_error(as_outsider.post(f"/matches/{match['id']}/complete"), 404, "no such match")

    def test_anonymous_and_bad_token_are_401(self, match, anon, bad_token):
        assert_error(anon.post(f"/matches/{match['id']}/complete"), 401)
        assert_error(bad_token.post(f"/matches/{match['id']}/complete"), 401)


def match_group_id(as_: Api, match: dict) -> str:
    return ok(as_.get(f"/needs/{match['need']}"))["group"]


class TestMatchCancel:
    def test_the_helper_cancels_and_the_quantity_returns(self, need, match, as_helper, as_member):
        body = ok(as_helper.post(f"/matches/{match['id']}/cancel", {"reason": "My car broke down"}))
        assert body["status"] == "cancelled" and body["cancel_reason"] == "My car broke down"
        after = ok(as_member.get(f"/needs/{need['id']}"))
        assert (after["quantity_left"], after["status"]) == (3, "open")
        assert_error(as_helper.post(f"/matches/{match['id']}/cancel", {"reason": "again"}), 409, "already")

    def test_the_requester_and_a_coordinator_may_cancel(self, need, match, as_member, as_owner, as_helper):
        ok(as_member.post(f"/matches/{match['id']}/cancel", {"reason": "Not needed now"}))
        other = ok(as_helper.post(f"/needs/{need['id']}/claim", {"quantity": 1}), 201)
        ok(as_owner.post(f"/matches/{other['id']}/cancel", {"reason": "Reassigning"}))

    def test_another_member_is_403(self, group, match):
        bystander = register("bea")
        ok(bystander.post(f"/groups/{group['id']}/join"), 201)
        assert_error(bystander.post(f"/matches/{match['id']}/cancel", {"reason": "x"}), 403,
                     "helper, the requester or a coordinator")

    @pytest.mark.parametrize("body, word", [({}, "reason"), ({"reason": ""}, "reason"), ({"reason": "   "}, "required"),
                                            ({"reason": 5}, "reason"), ({"reason": "x" * 501}, "reason")])
    def test_a_reason_is_required(self, match, as_helper, body, word):
        assert_error(as_helper.post(f"/matches/{match['id']}/cancel", body), 422, word)

    def test_an_outsider_is_404(self, match, as_outsider):
        assert_error(as_outsider.post(f"/matches/{match['id']}/cancel", {"reason": "x"}), 404, "no such match")

    def test_anonymous_and_bad_token_are_401(self, match, anon, bad_token):
        assert_error(anon.post(f"/matches/{match['id']}/cancel", {"reason": "x"}), 401)
        assert_error(bad_token.post(f"/matches/{match['id']}/cancel", {"reason": "x"}), 401)


# --- Offers -------------------------------------------------------------------------------------------------


class TestOfferCreate:
    def test_a_member_offers(self, group, as_helper):
        body = ok(as_helper.post("/offers", offer_body(group, lat=51.50123, lon=-0.10456, max_distance_km=3,
                                                       available_from="2099-01-01T09:00:00+00:00",
                                                       available_until="2099-01-01T17:00:00")), 201)
        assert body["helper"] == "hana" and body["status"] == "active" and body["quantity_left"] == 4
        assert (body["lat"], body["lon"], body["max_distance_km"]) == (51.5, -0.1, 3.0)

    @pytest.mark.parametrize("changes, word", [
        ({"quantity": 0}, "quantity"), ({"quantity": True}, "quantity"), ({"title": ""}, "required"),
        ({"category": "yachts"}, "category"), ({"max_distance_km": -1}, "max_distance_km"),
        ({"lat": 91, "lon": 0}, "lat"),
        ({"available_from": "2099-01-02T00:00:00+00:00", "available_until": "2099-01-01T00:00:00+00:00"},
         "available until"),
    ])
    def test_invalid_input_is_422(self, group, as_helper, changes, word):
        assert_error(as_helper.post("/offers", offer_body(group, **changes)), 422, word)

    def test_an_outsider_is_404(self, group, as_outsider):
        assert_error(as_outsider.post("/offers", offer_body(group)), 404, "group")

    def test_anonymous_and_bad_token_are_401(self, group, anon, bad_token):
        assert_error(anon.post("/offers", offer_body(group)), 401)
        assert_error(bad_token.post("/offers", offer_body(group)), 401)


class TestOfferListAndGet:
    def test_members_list_and_read_outsiders_do_not(self, group, offer, as_owner, as_helper, as_outsider):
        own = ok(as_owner.post("/offers", offer_body(group, title="Lifts to the clinic", category="transport")), 201)
        assert ok(as_owner.get("/offers"))["count"] == 2
        assert [o["id"] for o in ok(as_owner.get("/offers", {"mine": "true"}))["items"]] == [own["id"]]
        assert [o["id"] for o in ok(as_owner.get("/offers", {"category": "groceries"}))["items"]] == [offer["id"]]
        assert [o["id"] for o in ok(as_owner.get("/offers", {"group": group["id"], "page_size": 1}))["items"]] == [
            own["id"]]
        assert ok(as_owner.get(f"/offers/{offer['id']}"))["title"] == "Weekly shop run"
        assert ok(as_outsider.get("/offers")) == {"items": [], "count": 0}
        assert_error(as_outsider.get("/offers", {"group": group["id"]}), 404)
        assert_error(as_outsider.get(f"/offers/{offer['id']}"), 404, "no such offer")
        assert_error(as_owner.get(f"/offers/{UNKNOWN}"), 404, "no such offer")

    def test_status_filter(self, offer, as_helper):
        ok(as_helper.post(f"/offers/{offer['id']}/status", {"status": "paused"}))
        assert ok(as_helper.get("/offers", {"status": "active"}))["count"] == 0
        assert ok(as_helper.get("/offers", {"status": "paused"}))["count"] == 1
        assert_error(as_helper.get("/offers", {"status": "asleep"}), 422, "status")
        assert_error(as_helper.get("/offers", {"page": 0}), 422, "page")

    def test_anonymous_and_bad_token_are_401(self, offer, anon, bad_token):
        for who in (anon, bad_token):
            assert_error(who.get("/offers"), 401)
            assert_error(who.get(f"/offers/{offer['id']}"), 401)


class TestOfferStatus:
    def test_the_helper_pauses_resumes_and_withdraws(self, offer, as_helper):
        path = f"/offers/{offer['id']}/status"
        assert ok(as_helper.post(path, {"status": "paused"}))["status"] == "paused"
        assert ok(as_helper.post(path, {"status": "active"}))["status"] == "active"
        assert ok(as_helper.post(path, {"status": "withdrawn"}))["status"] == "withdrawn"
        assert_error(as_helper.post(path, {"status": "active"}), 409, "withdrawn")

    @pytest.mark.parametrize("body, word", [({"status": "exhausted"}, "active, paused or withdrawn"),
                                            ({"status": "asleep"}, "active, paused or withdrawn"),
                                            ({}, "status")])
    def test_invalid_status_is_422(self, offer, as_helper, body, word):
        assert_error(as_helper.post(f"/offers/{offer['id']}/status", body), 422, word)

    def test_another_member_even_a_coordinator_is_403(self, offer, as_owner, as_member):
        for who in (as_owner, as_member):
            assert_error(who.post(f"/offers/{offer['id']}/status", {"status": "paused"}), 403, "only the helper")

    def test_an_outsider_is_404(self, offer, as_outsider):
        assert_error(as_outsider.post(f"/offers/{offer['id']}/status", {"status": "paused"}), 404, "no such offer")

    def test_anonymous_and_bad_token_are_401(self, offer, anon, bad_token):
        assert_error(anon.post(f"/offers/{offer['id']}/status", {"status": "paused"}), 401)
        assert_error(bad_token.post(f"/offers/{offer['id']}/status", {"status": "paused"}), 401)


# --- A full round through the API -------------------------------------------------------------------------


def test_a_need_from_posting_to_fulfilment(group, as_member, as_helper, as_owner):
    need = ok(as_member.post("/needs", need_body(group, quantity=2, needed_by=(
        datetime.now(dt_timezone.utc) + timedelta(days=2)).isoformat())), 201)
    offer = ok(as_helper.post("/offers", offer_body(group, quantity=2)), 201)
    match = ok(as_helper.post(f"/needs/{need['id']}/claim", {"quantity": 2, "offer": offer["id"]}), 201)
    assert ok(as_helper.get(f"/offers/{offer['id']}"))["status"] == "exhausted"
    assert ok(as_helper.get(f"/needs/{need['id']}"))["contact"]["phone"] == CONTACT["phone"]
    ok(as_member.post(f"/matches/{match['id']}/complete"))
    done = ok(as_owner.get(f"/needs/{need['id']}"))
    assert (done["status"], done["quantity_fulfilled"], done["quantity_left"]) == ("fulfilled", 2, 0)
    assert "contact" not in ok(as_helper.get(f"/needs/{need['id']}"))  # the match is no longer live
    assert ok(as_owner.get("/needs", {"status": "fulfilled"}))["count"] == 1
