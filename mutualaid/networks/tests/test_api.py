"""The accounts, groups, membership, trust, application and notification routes, for owner / member / outsider /
anonymous / bad token; plus what every route shares: JSON errors, unknown routes, methods, bodies, OpenAPI."""
from __future__ import annotations

import uuid

import pytest

from mutualaid.tests.api_helpers import (Api, anon, as_member, as_outsider, as_owner, assert_error,  # noqa: F401
                                         bad_token, create_group, group, ok, other_group, register)

pytestmark = pytest.mark.django_db

UNKNOWN = str(uuid.uuid4())


def role_of(as_: Api, group_id: str) -> str | None:
    return ok(as_.get(f"/groups/{group_id}"))["role"]


# --- Accounts ---------------------------------------------------------------------------------------------


class TestRegister:
    def test_it_creates_an_account(self, anon):
        body = ok(anon.post("/auth/register", {"username": "ana", "password": "a-long-passphrase-42",
                                               "email": "ana@example.org"}), 201)
        assert set(body) == {"id", "username"}
        assert body["username"] == "ana"
        uuid.UUID(body["id"])

    def test_email_is_optional(self, anon):
        assert ok(anon.post("/auth/register", {"username": "ben", "password": "a-long-passphrase-42"}),
                  201)["username"] == "ben"

    def test_a_taken_name_is_409_whatever_its_case(self, anon):
        register("carla")
        assert_error(anon.post("/auth/register", {"username": "CARLA", "password": "a-long-passphrase-42"}), 409,
                     "taken")

    @pytest.mark.parametrize("body, word", [
        ({"username": "dan"}, "password"),
        ({"password": "a-long-passphrase-42"}, "username"),
        ({"username": 123, "password": "a-long-passphrase-42"}, "username"),
        ({"username": "dan", "password": "short"}, "short"),
        ({"username": "dan", "password": "a-long-passphrase-42", "email": ["x"]}, "email"),
        ({"username": "dan the man", "password": "a-long-passphrase-42"}, "user name"),
        ({"username": "   ", "password": "a-long-passphrase-42"}, "user name"),
    ])
    def test_invalid_input_is_422_naming_the_problem(self, anon, body, word):
        assert_error(anon.post("/auth/register", body), 422, word)

    def test_a_bad_token_does_not_matter_to_registration(self, bad_token):
        assert ok(bad_token.post("/auth/register", {"username": "eve", "password": "a-long-passphrase-42"}), 201)


class TestToken:
    def test_it_issues_a_token_that_signs_requests_in(self, anon):
        register("fay")
        body = ok(anon.post("/auth/token", {"username": "fay", "password": "a-long-passphrase-42"}))
        assert set(body) == {"token"}
        assert ok(Api(body["token"]).get("/notifications")) == []

    def test_each_token_works(self, anon):
        person = register("gus")
        second = ok(anon.post("/auth/token", {"username": "gus", "password": "a-long-passphrase-42"}))["token"]
        assert second != person.token
        assert ok(person.get("/notifications")) == ok(Api(second).get("/notifications")) == []

    @pytest.mark.parametrize("username, password", [("hal", "wrong-passphrase-42"), ("nobody", "a-long-passphrase-42")])
    def test_wrong_credentials_are_401_without_saying_which(self, anon, username, password):
        register("hal")
        body = assert_error(anon.post("/auth/token", {"username": username, "password": password}), 401,
                            "user name or password")
        assert "token" not in body

    def test_missing_fields_are_422(self, anon):
        assert_error(anon.post("/auth/token", {"username": "hal"}), 422, "password")


class TestAuthentication:
    @pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer", "Token abc", "Basic YTpi"])
    def test_a_bad_authorization_header_is_401_even_where_anonymous_may_read(self, header, group):
        for path in ("/groups", f"/groups/{group['id']}", "/notifications", "/needs"):
            response = Api().client.get("/api/v1" + path, HTTP_AUTHORIZATION=header)
            assert_error(response, 401, "Bearer")

    def test_no_token_is_401_where_one_is_required(self, anon):
        assert_error(anon.get("/notifications"), 401, "Authorization")
        assert_error(anon.post("/groups", {"name": "X"}), 401)

    def test_the_token_of_a_deactivated_account_stops_working(self, as_member):
        from mutualaid.networks.models import User
        User.objects.filter(username="mateo").update(is_active=False)
        assert_error(as_member.get("/notifications"), 401)


# --- Groups ---------------------------------------------------------------------------------------------


class TestGroupList:
    def test_anyone_sees_the_groups_and_members_see_their_role(self, group, other_group, as_owner, as_member,
                                                                as_outsider, anon):
        for who, role in ((as_owner, "coordinator"), (as_member, "newcomer"), (as_outsider, None), (anon, None)):
            rows = {g["name"]: g for g in ok(who.get("/groups"))}
            assert set(rows) == {"Northside Pod", "Southside Pod"}
            north = rows["Northside Pod"]
            assert north["id"] == group["id"] and north["member_count"] == 2
            assert north["role"] == role and north["is_member"] is (role is not None)
        assert ok(as_outsider.get("/groups"))[1]["role"] == "coordinator"  # Southside, sorted by name

    def test_the_members_description_is_not_public(self, group, anon):
        assert all("description" not in g for g in ok(anon.get("/groups")))

    def test_bad_token_is_401(self, bad_token):
        assert_error(bad_token.get("/groups"), 401)


class TestGroupCreate:
    def test_the_creator_is_first_member_and_coordinator(self, as_owner):
        body = ok(as_owner.post("/groups", {"name": "Eastside", "description": "For members",
                                            "lat": 51.52, "lon": -0.05, "is_open": False}), 201)
        uuid.UUID(body["id"])
        assert body["name"] == "Eastside" and body["is_open"] is False
        assert (body["lat"], body["lon"]) == (51.52, -0.05)
        assert body["member_count"] == 1 and body["is_member"] is True and body["role"] == "coordinator"
        assert ok(as_owner.get(f"/groups/{body['id']}/members"))[0]["username"] == "olga"

    def test_the_minimum_is_a_name(self, as_owner):
        body = ok(as_owner.post("/groups", {"name": "Westside"}), 201)
        assert body["lat"] is None and body["is_open"] is True

    def test_a_taken_name_is_409(self, group, as_outsider):
        assert_error(as_outsider.post("/groups", {"name": "northside pod"}), 409, "name")

    @pytest.mark.parametrize("body, status, word", [
        ({"description": "no name"}, 422, "name"),
        ({"name": ""}, 422, "name"),
        ({"name": "X", "lat": 200, "lon": 0}, 422, "lat"),
        ({"name": "X", "lat": 0, "lon": -181}, 422, "lon"),
        ({"name": "X", "lat": 10}, 422, "longitude"),
        ({"name": "X", "lat": "north", "lon": 0}, 422, "lat"),
        ({"name": "X", "is_open": "perhaps"}, 422, "is_open"),
        ({"name": ["X"]}, 422, "name"),
        ({"name": "X" * 121}, 422, "name"),
    ])
    def test_invalid_input_is_422_naming_the_field(self, as_owner, body, status, word):
        assert_error(as_owner.post("/groups", body), status, word)

    def test_anonymous_and_bad_token_are_401(self, anon, bad_token):
        assert_error(anon.post("/groups", {"name": "X"}), 401)
        assert_error(bad_token.post("/groups", {"name": "X"}), 401)


class TestGroupGet:
    def test_anyone_reads_the_public_card(self, group, as_owner, as_member, as_outsider, anon):
        assert ok(as_owner.get(f"/groups/{group['id']}"))["role"] == "coordinator"
        assert ok(as_member.get(f"/groups/{group['id']}"))["role"] == "newcomer"
        for who in (as_outsider, anon):
            body = ok(who.get(f"/groups/{group['id']}"))
            assert body["is_member"] is False and body["role"] is None and body["member_count"] == 2

    def test_unknown_is_404_and_malformed_is_422(self, anon):
        assert_error(anon.get(f"/groups/{UNKNOWN}"), 404, "group")
        assert_error(anon.get("/groups/not-a-uuid"), 422, "group_id")

    def test_bad_token_is_401(self, group, bad_token):
        assert_error(bad_token.get(f"/groups/{group['id']}"), 401)


class TestJoin:
    def test_an_outsider_joins_an_open_group_as_newcomer(self, group, as_outsider):
        body = ok(as_outsider.post(f"/groups/{group['id']}/join"), 201)
        assert body == {"group": group["id"], "user": as_outsider.id, "username": "otto", "role": "newcomer"}
        assert ok(as_outsider.get(f"/groups/{group['id']}"))["member_count"] == 3

    def test_members_and_owner_joining_again_is_409(self, group, as_owner, as_member):
        assert_error(as_owner.post(f"/groups/{group['id']}/join"), 409, "already")
        assert_error(as_member.post(f"/groups/{group['id']}/join"), 409, "already")

    def test_a_closed_group_is_joined_by_applying(self, as_owner, as_outsider):
        closed = create_group(as_owner, "Closed Pod", is_open=False)
        assert_error(as_outsider.post(f"/groups/{closed['id']}/join"), 403, "apply")

    def test_unknown_group_is_404(self, as_outsider):
        assert_error(as_outsider.post(f"/groups/{UNKNOWN}/join"), 404)

    def test_anonymous_and_bad_token_are_401(self, group, anon, bad_token):
        assert_error(anon.post(f"/groups/{group['id']}/join"), 401)
        assert_error(bad_token.post(f"/groups/{group['id']}/join"), 401)


class TestLeave:
    def test_a_member_leaves_freely(self, group, as_member):
        assert "Northside Pod" in ok(as_member.post(f"/groups/{group['id']}/leave"))["detail"]
        assert ok(as_member.get(f"/groups/{group['id']}"))["is_member"] is False
        assert_error(as_member.get(f"/groups/{group['id']}/members"), 404)
        assert ok(as_member.post(f"/groups/{group['id']}/join"), 201)["role"] == "newcomer"  # and may come back

    def test_the_owner_may_leave_too(self, group, as_owner):
        ok(as_owner.post(f"/groups/{group['id']}/leave"))
        assert ok(as_owner.get(f"/groups/{group['id']}"))["member_count"] == 1

    def test_an_outsider_is_404(self, group, as_outsider):
        assert_error(as_outsider.post(f"/groups/{group['id']}/leave"), 404)

    def test_anonymous_and_bad_token_are_401(self, group, anon, bad_token):
        assert_error(anon.post(f"/groups/{group['id']}/leave"), 401)
        assert_error(bad_token.post(f"/groups/{group['id']}/leave"), 401)


class TestMembers:
    def test_members_see_each_other_with_role_and_trust(self, group, as_owner, as_member):
        for who in (as_owner, as_member):
            rows = ok(who.get(f"/groups/{group['id']}/members"))
            assert [(r["username"], r["role"], r["trust"], r["trusted_by_me"]) for r in rows] == [
                ("mateo", "newcomer", 0, False), ("olga", "coordinator", 0, False)]
            assert {r["id"] for r in rows} == {as_owner.id, as_member.id}

    def test_an_outsider_is_404(self, group, as_outsider):
        assert_error(as_outsider.get(f"/groups/{group['id']}/members"), 404)

    def test_anonymous_and_bad_token_are_401(self, group, anon, bad_token):
        assert_error(anon.get(f"/groups/{group['id']}/members"), 401)
        assert_error(bad_token.get(f"/groups/{group['id']}/members"), 401)


class TestTrust:
    def path(self, group, person):
        return f"/groups/{group['id']}/members/{person.id}/trust"

    def test_trust_given_by_peers_makes_a_coordinator_and_withdrawing_it_undoes_that(self, group, as_owner,
                                                                                     as_member):
        # The founder's trust makes a member; coordinator takes two disjoint paths, and there are only two people.
        body = ok(as_owner.post(self.path(group, as_member)), 201)
        assert body == {"id": as_member.id, "username": "mateo", "role": "member", "trust": 1,
                        "trusted_by_me": True}
        assert role_of(as_member, group["id"]) == "member"
        body = ok(as_owner.delete(self.path(group, as_member)))
        assert body["role"] == "newcomer" and body["trust"] == 0 and body["trusted_by_me"] is False

    def test_trust_twice_is_409_and_withdrawing_what_was_not_given_is_409(self, group, as_owner, as_member):
        ok(as_member.post(self.path(group, as_owner)), 201)
        assert_error(as_member.post(self.path(group, as_owner)), 409, "already")
        assert_error(as_owner.delete(self.path(group, as_member)), 409, "not given")

    def test_trusting_yourself_is_403(self, group, as_member):
        assert_error(as_member.post(self.path(group, as_member)), 403, "yourself")

    def test_a_non_member_cannot_be_trusted_here(self, group, as_owner, as_outsider):
        assert_error(as_owner.post(self.path(group, as_outsider)), 404, "member")
        assert_error(as_owner.post(f"/groups/{group['id']}/members/{UNKNOWN}/trust"), 404)

    def test_an_outsider_can_neither_give_nor_withdraw_trust(self, group, as_member, as_outsider):
        assert_error(as_outsider.post(self.path(group, as_member)), 404)
        assert_error(as_outsider.delete(self.path(group, as_member)), 404)

    def test_anonymous_and_bad_token_are_401(self, group, as_member, anon, bad_token):
        for who in (anon, bad_token):
            assert_error(who.post(self.path(group, as_member)), 401)
            assert_error(who.delete(self.path(group, as_member)), 401)


# --- Applications to closed groups ----------------------------------------------------------------------


@pytest.fixture
def closed(as_owner, as_member):
    body = create_group(as_owner, "Closed Pod", is_open=False, application_questions=["Where do you live?"])
    # The member joins through an accepted application, so the closed group has a coordinator and a newcomer.
    application = ok(as_member.post(f"/groups/{body['id']}/applications", {"answers": ["Northside"]}), 201)
    ok(as_owner.post(f"/applications/{application['id']}/decide", {"accept": True}))
    return body


class TestApply:
    def test_an_outsider_applies_with_answers(self, closed, as_outsider):
        body = ok(as_outsider.post(f"/groups/{closed['id']}/applications", {"answers": ["Southside"]}), 201)
        assert body["group"] == closed["id"] and body["username"] == "otto"
        assert body["status"] == "pending" and body["answers"] == ["Southside"] and body["reason"] == ""

    def test_applying_twice_is_409_and_so_is_a_member_applying(self, closed, as_member, as_outsider):
        ok(as_outsider.post(f"/groups/{closed['id']}/applications", {"answers": ["Southside"]}), 201)
        assert_error(as_outsider.post(f"/groups/{closed['id']}/applications", {"answers": ["Southside"]}), 409)
        assert_error(as_member.post(f"/groups/{closed['id']}/applications", {"answers": ["x"]}), 409, "member")

    @pytest.mark.parametrize("body, word", [({"answers": []}, "answer"), ({"answers": ["a", "b"]}, "answer"),
                                            ({"answers": ["  "]}, "answer"), ({"answers": "Southside"}, "answers")])
    def test_answers_must_match_the_questions(self, closed, as_outsider, body, word):
        assert_error(as_outsider.post(f"/groups/{closed['id']}/applications", body), 422, word)

    def test_an_open_group_is_joined_not_applied_to(self, group, as_outsider):
        assert_error(as_outsider.post(f"/groups/{group['id']}/applications", {"answers": []}), 422, "join")

    def test_anonymous_and_bad_token_are_401(self, closed, anon, bad_token):
        for who in (anon, bad_token):
            assert_error(who.post(f"/groups/{closed['id']}/applications", {"answers": ["x"]}), 401)


class TestApplicationsAndDecisions:
    @pytest.fixture
    def application(self, closed, as_outsider):
        return ok(as_outsider.post(f"/groups/{closed['id']}/applications", {"answers": ["Southside"]}), 201)

    def test_coordinators_list_pending_applications(self, closed, application, as_owner):
        assert [a["id"] for a in ok(as_owner.get(f"/groups/{closed['id']}/applications"))] == [application["id"]]

    def test_a_member_is_403_and_an_outsider_404(self, closed, application, as_member, as_outsider):
        assert_error(as_member.get(f"/groups/{closed['id']}/applications"), 403, "coordinator")
        assert_error(as_outsider.get(f"/groups/{closed['id']}/applications"), 404)

    def test_a_coordinator_accepts_and_the_applicant_becomes_a_member(self, closed, application, as_owner,
                                                                      as_outsider, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            body = ok(as_owner.post(f"/applications/{application['id']}/decide", {"accept": True}))
        assert body["status"] == "accepted"
        assert role_of(as_outsider, closed["id"]) == "member"
        assert ok(as_owner.get(f"/groups/{closed['id']}/applications")) == []
        assert_error(as_owner.post(f"/applications/{application['id']}/decide", {"accept": False, "reason": "x"}),
                     409, "already")
        notes = ok(as_outsider.get("/notifications"))
        assert sorted(n["kind"] for n in notes) == ["application_decided", "role_changed"]
        assert any("Closed Pod" in n["text"] for n in notes)

    def test_declining_needs_a_reason(self, application, as_owner, as_outsider):
        assert_error(as_owner.post(f"/applications/{application['id']}/decide", {"accept": False}), 422, "why")
        body = ok(as_owner.post(f"/applications/{application['id']}/decide",
                                {"accept": False, "reason": "We are full this month."}))
        assert body["status"] == "declined" and body["reason"] == "We are full this month."

    def test_a_member_is_403_and_the_applicant_or_an_outsider_404(self, application, as_member, as_outsider):
        assert_error(as_member.post(f"/applications/{application['id']}/decide", {"accept": True}), 403,
                     "coordinator")
        assert_error(as_outsider.post(f"/applications/{application['id']}/decide", {"accept": True}), 404,
                     "application")
        stranger = register("sam")
        assert_error(stranger.post(f"/applications/{application['id']}/decide", {"accept": True}), 404,
                     "application")

    def test_unknown_application_is_404_and_accept_is_required(self, application, as_owner):
        assert_error(as_owner.post(f"/applications/{UNKNOWN}/decide", {"accept": True}), 404, "application")
        assert_error(as_owner.post(f"/applications/{application['id']}/decide", {"reason": "x"}), 422, "accept")

    def test_anonymous_and_bad_token_are_401(self, closed, application, anon, bad_token):
        for who in (anon, bad_token):
            assert_error(who.get(f"/groups/{closed['id']}/applications"), 401)
            assert_error(who.post(f"/applications/{application['id']}/decide", {"accept": True}), 401)


# --- Notifications ----------------------------------------------------------------------------------------


class TestNotifications:
    def test_each_person_sees_their_own_and_marks_them_read(self, group, as_owner, as_member,
                                                            django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            ok(as_owner.post(f"/groups/{group['id']}/members/{as_member.id}/trust"), 201)
        notes = ok(as_member.get("/notifications"))
        assert len(notes) == 1 and notes[0]["kind"] == "role_changed" and notes[0]["read"] is False
        assert "member" in notes[0]["text"] and notes[0]["url"] == f"/groups/{group['id']}/members/"
        assert ok(as_owner.get("/notifications")) == []
        assert ok(as_member.post("/notifications/read")) == {"marked_read": 1}
        assert ok(as_member.get("/notifications"))[0]["read"] is True
        assert ok(as_member.post("/notifications/read")) == {"marked_read": 0}

    def test_anonymous_and_bad_token_are_401(self, anon, bad_token):
        for who in (anon, bad_token):
            assert_error(who.get("/notifications"), 401)
            assert_error(who.post("/notifications/read"), 401)


# --- What every route shares ------------------------------------------------------------------------------


class TestErrorsAreJson:
    @pytest.mark.parametrize("path", ["/nope", "/nope/", "/", "/groups/", "/needs/x/y/z"])
    def test_an_unknown_route_is_a_json_404(self, as_member, path):
        assert_error(as_member.get(path), 404, "route")

    def test_an_unknown_route_is_404_for_anonymous_too(self, anon):
        assert_error(anon.post("/nothing-here", {"a": 1}), 404)

    @pytest.mark.parametrize("method, path, allowed", [
        ("delete", "/groups", "GET, POST"), ("put", "/needs", "GET, POST"), ("get", "/auth/token", "POST"),
        ("patch", "/notifications", "GET"),
    ])
    def test_a_method_the_route_does_not_take_is_a_json_405(self, as_member, method, path, allowed):
        response = as_member.request(method, path)
        body = assert_error(response, 405, method.upper())
        assert sorted(response["Allow"].split(", ")) == sorted(allowed.split(", "))
        assert all(m in body["detail"] for m in allowed.split(", "))

    @pytest.mark.parametrize("raw, word", [
        ("{bad json", "malformed json"), ('{"name": "X",}', "malformed json"), (b"\xff\xfe\x00", "malformed json"),
        ("[1, 2]", "an array"), ('"Eastside"', "a string"), ("null", "null"), ("42", "a number"),
    ])
    def test_a_body_that_is_not_a_json_object_is_400_saying_so(self, as_owner, raw, word):
        assert_error(as_owner.post("/groups", raw=raw), 400, word)

    def test_an_empty_body_is_422_saying_it_is_missing(self, as_owner):
        body = assert_error(as_owner.post("/groups", raw=""), 422, "body is missing")
        assert body["errors"] == [{"loc": ["body", "payload"], "msg": "Field required", "type": "missing"}]

    def test_validation_errors_list_their_location_without_echoing_input(self, as_owner):
        body = assert_error(as_owner.post("/groups", {"name": "X", "lat": 123.456789, "lon": 0}), 422, "lat")
        assert body["errors"] == [{"loc": ["body", "payload", "lat"], "msg": "Input should be less than or equal to 90",
                                   "type": "less_than_equal"}]
        assert "123.456789" not in str(body)

    def test_an_unexpected_failure_is_a_json_500_that_reveals_nothing(self, group, as_member, monkeypatch, caplog):
        from mutualaid.networks import selectors

        def broken(*args, **kwargs):
            raise RuntimeError("phone +44 7700 900123 at 12 Example Street")

        monkeypatch.setattr(selectors, "group_members", broken)
        response = as_member.get(f"/groups/{group['id']}/members")
        body = assert_error(response, 500, "wrong")
        assert set(body) == {"detail"}
        assert "7700" not in response.content.decode() and "Example Street" not in response.content.decode()
        assert "Traceback" not in response.content.decode()
        assert any(r.name == "mutualaid.api" and r.exc_info for r in caplog.records)  # logged on the server

    def test_an_unexpected_failure_stays_json_with_debug_on(self, group, as_member, monkeypatch, settings):
        from mutualaid.networks import selectors

        settings.DEBUG = True
        monkeypatch.setattr(selectors, "group_members", lambda *a, **k: 1 / 0)
        response = as_member.get(f"/groups/{group['id']}/members")
        assert_error(response, 500)
        assert "ZeroDivisionError" not in response.content.decode()


class TestOpenApi:
    CONTRACT = {
        "/api/v1/auth/register": {"post"}, "/api/v1/auth/token": {"post"},
        "/api/v1/groups": {"get", "post"}, "/api/v1/groups/{group_id}": {"get"},
        "/api/v1/groups/{group_id}/join": {"post"}, "/api/v1/groups/{group_id}/leave": {"post"},
        "/api/v1/groups/{group_id}/members": {"get"},
        "/api/v1/groups/{group_id}/members/{user_id}/trust": {"post", "delete"},
        "/api/v1/groups/{group_id}/applications": {"get", "post"},
        "/api/v1/applications/{application_id}/decide": {"post"},
        "/api/v1/notifications": {"get"}, "/api/v1/notifications/read": {"post"},
        "/api/v1/categories": {"get"},
        "/api/v1/needs": {"get", "post"}, "/api/v1/needs/{need_id}": {"get"},
        "/api/v1/needs/{need_id}/claim": {"post"}, "/api/v1/needs/{need_id}/cancel": {"post"},
        "/api/v1/needs/{need_id}/duplicate": {"post"}, "/api/v1/needs/{need_id}/refer": {"post"},
        "/api/v1/matches": {"get"}, "/api/v1/matches/{match_id}": {"get"},
        "/api/v1/matches/{match_id}/complete": {"post"}, "/api/v1/matches/{match_id}/cancel": {"post"},
        "/api/v1/offers": {"get", "post"}, "/api/v1/offers/{offer_id}": {"get"},
        "/api/v1/offers/{offer_id}/status": {"post"},
    }

    def test_it_lists_the_contract_paths_and_methods(self, anon):
        schema = ok(anon.get("/openapi.json"))
        assert schema["openapi"].startswith("3.")
        paths = {p: set(ops) - {"parameters"} for p, ops in schema["paths"].items()}
        for path, methods in self.CONTRACT.items():
            assert path in paths, path
            assert methods <= paths[path], (path, paths[path])

    def test_it_documents_bearer_auth_and_the_contract_fields(self, anon):
        schema = ok(anon.get("/openapi.json"))
        schemes = schema["components"]["securitySchemes"]
        assert any(s.get("scheme") == "bearer" for s in schemes.values())
        assert "security" not in schema["paths"]["/api/v1/auth/register"]["post"]
        assert schema["paths"]["/api/v1/needs"]["post"]["security"]
        components = schema["components"]["schemas"]
        need_in = components["NeedIn"]
        assert {"group", "title", "category", "quantity"} <= set(need_in["required"])
        assert {"description", "urgency", "lat", "lon", "needed_by", "contact"} <= set(need_in["properties"])
        assert {"phone", "email", "address"} <= set(components["ContactIn"]["properties"])
        assert {"name", "description", "lat", "lon", "is_open"} <= set(components["GroupIn"]["properties"])
        assert {"username", "password", "email"} <= set(components["RegisterIn"]["properties"])
        assert set(components["ClaimIn"]["required"]) == {"quantity"}
        assert {"id", "need", "quantity", "status"} <= set(components["MatchOut"]["properties"])
        list_params = {p["name"] for p in schema["paths"]["/api/v1/needs"]["get"]["parameters"]}
        assert {"group", "status", "category", "urgency", "page", "page_size"} <= list_params
