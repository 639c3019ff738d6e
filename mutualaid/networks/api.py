"""API routes for accounts, groups, membership, trust, applications and notifications."""

from uuid import UUID

from django.contrib.auth import authenticate
from django.http import QueryDict
from django.utils.translation import gettext as _
from ninja import Router
from ninja.security import HttpBearer

from mutualaid.core.errors import Conflict, NotFound, ServiceError
from mutualaid.core.limits import schema_text

from . import selectors, services, throttle
from .models import Application, Group, Membership, Suspension, User
from .permissions import area_access, group_access, member_access
from .schemas import (ApplicationIn, ApplicationOut, AreaIn, AreaOut, DecisionIn, GroupIn, GroupOut, MemberOut,
                      MembershipOut, InputSchema, NotificationOut, RegisterIn, RegisterOut, TokenIn, TokenOut, errors)

router = Router(tags=["groups"])


class Anonymous:
    """Marks a request that sent no token where a token is optional."""

    is_authenticated = False
    pk = None

    def __bool__(self) -> bool:  # ninja only asks for a non-None result
        return True


class OptionalBearer(HttpBearer):
    """A valid token signs the request in; no Authorization header reads as anonymous; a bad token is 401."""

    def __call__(self, request):
        if not request.headers.get("Authorization"):
            return Anonymous()
        return super().__call__(request)

    def authenticate(self, request, token):
        user = selectors.token_user(token)
        if user is not None:
            request.user = user
        return user


optional_auth = OptionalBearer()


def viewer(request) -> User | None:
    user = request.auth
    return user if isinstance(user, User) else None


def _group_out(group: Group, user: User | None, *, member_count: int | None = None) -> dict:
    membership = selectors.membership_for(user, group) if user else None
    return {
        "id": group.public_id, "name": group.name, "public_description": group.public_description,
        "location_name": group.location_name, "lat": group.lat, "lon": group.lon, "timezone": group.timezone,
        "country": group.country,
        "languages": group.languages, "is_open": group.is_open,
        "member_count": member_count if member_count is not None else selectors.active_member_count(group),
        "is_member": membership is not None, "role": membership.role if membership else None,
        "application_questions": group.application_questions,
    }


# --- Accounts -------------------------------------------------------------------------------------


@router.post("/auth/register", auth=None, response={201: RegisterOut, **errors(400, 409, 413, 422, 429)}, tags=["auth"])
def register(request, payload: RegisterIn):
    _no_form_body(request)
    if not throttle.allowed(request):
        return throttle.refusal(request, credentials=throttle.SIGN_UP)
    if not throttle.signup_allowed(request):
        return throttle.signup_refusal(request)
    try:
        user = services.user_register(username=payload.username, password=payload.password,
                                      email=payload.email or "")
    except ServiceError:
        throttle.record_failure(request)  # a failed sign-up counts towards the guessing limit
        raise
    throttle.record_signup(request)
    return 201, {"id": user.public_id, "username": user.username}


def _no_form_body(request) -> None:
    """This API reads JSON only, but django-axes reads request.POST when it records a failed attempt: a body that
    merely passes for a form (multipart without a boundary, too many fields) must not turn a refusal into a 500."""
    try:
        request.POST
    except Exception:
        request.POST = QueryDict()


@router.post("/auth/token", auth=None, response={200: TokenOut, **errors(400, 401, 413, 422, 429)}, tags=["auth"])
def token(request, payload: TokenIn):
    _no_form_body(request)
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        return 401, {"detail": _("Wrong user name or password.")}
    return 200, {"token": services.token_create(actor=user, label=payload.label)}


# --- Groups ---------------------------------------------------------------------------------------


@router.get("/groups", auth=optional_auth, response={200: list[GroupOut], **errors(401)})
def list_groups(request):
    user = viewer(request)
    groups = list(selectors.group_list(user=user))
    roles = {}
    if user:
        roles = dict(Membership.objects.active().filter(user=user).values_list("group_id", "role"))
    return [
        {**_group_out(g, None, member_count=g.member_count), "is_member": g.pk in roles, "role": roles.get(g.pk)}
        for g in groups
    ]


@router.post("/groups", response={201: GroupOut, **errors(400, 401, 409, 413, 422)})
def create_group(request, payload: GroupIn):
    group = services.group_create(
        actor=request.auth, name=payload.name, description=payload.description,
        public_description=payload.public_description, location_name=payload.location_name, lat=payload.lat,
        lon=payload.lon, timezone_name=payload.timezone, country=payload.country, languages=payload.languages,
        is_open=payload.is_open,
        application_questions=payload.application_questions,
    )
    return 201, _group_out(group, request.auth)


@router.get("/groups/{group_id}", auth=optional_auth, response={200: GroupOut, **errors(401, 404, 422)})
def get_group(request, group_id: UUID):
    access = group_access(viewer(request), group_id)
    return _group_out(access.group, viewer(request))


@router.post("/groups/{group_id}/join", response={201: MembershipOut, **errors(401, 403, 404, 409, 422)})
def join_group(request, group_id: UUID):
    access = group_access(request.auth, group_id)
    membership = services.group_join(actor=request.auth, group=access.group)
    return 201, {"group": access.group.public_id, "user": request.auth.public_id,
                 "username": request.auth.username, "role": membership.role}


# --- A group's named areas: what people pick instead of typing coordinates --------------------------


def _area_out(area) -> dict:
    return {"id": area.public_id, "name": area.name, "lat": area.lat, "lon": area.lon}


@router.get("/groups/{group_id}/areas", response={200: list[AreaOut], **errors(401, 404, 422)})
def list_areas(request, group_id: UUID):
    access = group_access(request.auth, group_id, require="member")
    return [_area_out(area) for area in selectors.group_areas(access.group)]


@router.post("/groups/{group_id}/areas", response={201: AreaOut, **errors(400, 401, 403, 404, 409, 413, 422)})
def add_area(request, group_id: UUID, payload: AreaIn):
    access = group_access(request.auth, group_id, require="coordinator")
    area = services.area_add(actor=request.auth, group=access.group, name=payload.name, lat=payload.lat,
                             lon=payload.lon)
    return 201, _area_out(area)


@router.put("/areas/{area_id}", response={200: AreaOut, **errors(400, 401, 403, 404, 409, 413, 422)})
def change_area(request, area_id: UUID, payload: AreaIn):
    _access, area = area_access(request.auth, area_id, require="coordinator")
    area = services.area_update(actor=request.auth, area=area, name=payload.name, lat=payload.lat, lon=payload.lon)
    return _area_out(area)


@router.delete("/areas/{area_id}", response={200: dict[str, str], **errors(401, 403, 404, 422)})
def remove_area(request, area_id: UUID):
    """Stop offering an area; what was posted in it keeps its name and place."""
    _access, area = area_access(request.auth, area_id, require="coordinator")
    services.area_remove(actor=request.auth, area=area)
    return {"detail": _("“%(name)s” is no longer offered as an area.") % {"name": area.name}}


@router.get("/groups/{group_id}/members", response={200: list[MemberOut], **errors(401, 404, 422)})
def list_members(request, group_id: UUID):
    access = group_access(request.auth, group_id, require="member")
    return [
        {"id": row["user"].public_id, "username": row["user"].username, "role": row["role"],
         "trust": row["trust"], "trusted_by_me": row["trusted_by_viewer"]}
        for row in selectors.group_members(access.group, viewer=request.auth)
    ]


@router.post("/groups/{group_id}/members/{user_id}/trust",
             response={201: MemberOut, **errors(401, 403, 404, 409, 422)})
def give_trust(request, group_id: UUID, user_id: UUID):
    access, receiver = member_access(request.auth, group_id, user_id)
    services.trust_give(actor=request.auth, group=access.group, receiver=receiver)
    return 201, _member_out(access.group, receiver, request.auth)


@router.delete("/groups/{group_id}/members/{user_id}/trust", response={200: MemberOut, **errors(401, 404, 409, 422)})
def withdraw_trust(request, group_id: UUID, user_id: UUID):
    access, receiver = member_access(request.auth, group_id, user_id)
    services.trust_withdraw(actor=request.auth, group=access.group, receiver=receiver)
    return 200, _member_out(access.group, receiver, request.auth)


def _member_out(group: Group, user: User, me: User) -> dict:
    row = next((r for r in selectors.group_members(group, viewer=me) if r["user"].pk == user.pk), None)
    if row is None:  # they left the group meanwhile
        raise Conflict(_("%(name)s is no longer a member of this group.") % {"name": user.username})
    return {"id": user.public_id, "username": user.username, "role": row["role"], "trust": row["trust"],
            "trusted_by_me": row["trusted_by_viewer"]}


# --- Applications ---------------------------------------------------------------------------------


def _application_out(application: Application) -> dict:
    return {"id": application.public_id, "group": application.group.public_id,
            "username": application.user.username, "status": application.status,
            "answers": application.answers, "reason": application.reason}


@router.post("/groups/{group_id}/applications",
             response={201: ApplicationOut, **errors(400, 401, 404, 409, 413, 422)})
def apply(request, group_id: UUID, payload: ApplicationIn):
    access = group_access(request.auth, group_id)
    application = services.application_submit(actor=request.auth, group=access.group, answers=payload.answers)
    return 201, _application_out(application)


@router.get("/groups/{group_id}/applications", response={200: list[ApplicationOut], **errors(401, 403, 404, 422)})
def list_applications(request, group_id: UUID):
    access = group_access(request.auth, group_id, require="coordinator")
    return [_application_out(a) for a in selectors.pending_applications(access.group).select_related("group")]


@router.post("/applications/{application_id}/decide",
             response={200: ApplicationOut, **errors(400, 401, 403, 404, 409, 413, 422)})
def decide_application(request, application_id: UUID, payload: DecisionIn):
    application = Application.objects.select_related("group", "user").filter(public_id=application_id).first()
    if application is None:
        raise NotFound(_("No such application."))
    try:
        group_access(request.auth, application.group, require="coordinator")
    except NotFound:
        raise NotFound(_("No such application.")) from None
    application = services.application_decide(actor=request.auth, application=application, accept=payload.accept,
                                              reason=payload.reason)
    return _application_out(application)


# --- Notifications --------------------------------------------------------------------------------


@router.get("/notifications", response={200: list[NotificationOut], **errors(401)}, tags=["notifications"])
def list_notifications(request):
    return [
        {"id": n.public_id, "kind": n.kind, "text": selectors.notification_text(n.kind, n.params), "url": n.url,
         "created_at": n.created_at.isoformat(), "read": n.read_at is not None}
        for n in selectors.notification_list(request.auth)[:100]
    ]


@router.post("/notifications/read", response={200: dict, **errors(401)}, tags=["notifications"])
def read_notifications(request):
    return {"marked_read": services.notifications_mark_read(actor=request.auth)}


# --- Suspensions ---------------------------------------------------------------------------------


class SuspendIn(InputSchema):
    reason: str = schema_text(Suspension, "reason")


@router.post("/groups/{group_id}/members/{user_id}/suspend",
             response={201: dict, **errors(400, 401, 403, 404, 409, 413, 422)}, tags=["groups"])
def suspend_member(request, group_id: UUID, user_id: UUID, payload: SuspendIn):
    """A coordinator suspends a member over a safety concern; it lapses after 7 days unless another confirms it."""
    access, person = member_access(request.auth, group_id, user_id)
    group = access.group
    suspension = services.suspension_create(actor=request.auth, group=group, user=person, reason=payload.reason)
    return 201, {"id": suspension.public_id, "user": person.username, "confirmed": False}


@router.post("/suspensions/{suspension_id}/confirm", response={200: dict, **errors(401, 403, 404, 409, 422)},
             tags=["groups"])
def confirm_suspension(request, suspension_id: UUID):
    suspension = selectors.suspension_for(request.auth, suspension_id)
    if suspension is None:
        raise NotFound(_("No such suspension."))
    suspension = services.suspension_confirm(actor=request.auth, suspension=suspension)
    return {"id": suspension.public_id, "user": suspension.user.username, "confirmed": True}
