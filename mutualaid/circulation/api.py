"""API routes for needs, offers, matches and categories."""

from uuid import UUID

from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import Field, Query, Router
from ninja.pagination import PageNumberPagination, paginate

from mutualaid.core.conditional import conditional_api
from mutualaid.core.errors import InvalidInput
from mutualaid.core.validators import in_zone
from mutualaid.networks import selectors as network_selectors
from mutualaid.networks import services as networks_services
from mutualaid.networks.permissions import group_access, member_access
from mutualaid.networks.schemas import InputSchema, errors
from mutualaid.networks.selectors import group_areas, place_resolve, user_groups

from . import selectors, services
from .models import REMOVED_TITLE, Match, Need, Offer, Urgency
from .permissions import match_access, need_access, offer_access, thread_access
from .schemas import (CancelIn, CategoryOut, ClaimIn, DuplicateIn, MatchOut, MessageIn, MessageOut, NeedCancelIn,
                      NeedCreatedOut, NeedDetailOut, NeedIn, NeedOut, NeedPatch, OfferIn, OfferOut, OfferPatch,
                      OfferRequestIn, OfferStatusIn, ReferIn)

router = Router(tags=["circulation"])


MAX_PAGE = 1_000_000


class Pagination(PageNumberPagination):
    class Input(InputSchema):
        page: int = 1
        page_size: int = 20

    def paginate_queryset(self, queryset, pagination: Input, **params):
        if pagination.page < 1:
            raise InvalidInput(_("page must be 1 or more."), field="page")
        if pagination.page > MAX_PAGE:  # an offset past what a database can count to is an error, not a 500
            raise InvalidInput(_("page may be at most %(max)d.") % {"max": MAX_PAGE}, field="page")
        if not 1 <= pagination.page_size <= 100:
            raise InvalidInput(_("page_size must be between 1 and 100."), field="page_size")
        self.page_size = pagination.page_size
        offset = (pagination.page - 1) * pagination.page_size
        return {"items": list(queryset[offset: offset + pagination.page_size]), "count": queryset.count()}


class Rendered:
    """A queryset that the paginator slices first; only the page's rows are then rendered."""

    def __init__(self, qs, render):
        self.qs, self.render = qs, render

    def __getitem__(self, item):
        return [self.render(row) for row in self.qs[item]]

    def count(self):
        return self.qs.count()


def need_out(need: Need) -> dict:
    """A need's public record (NeedOut), from an instance: the row need_row_out reads, in NEED_API_COLUMNS order."""
    return need_row_out((
        need.public_id, need.group.public_id, need.title, need.description, need.category.slug, need.quantity,
        need.quantity_claimed, need.quantity_fulfilled, need.urgency, need.status, need.needed_by, need.location_name,
        need.lat, need.lon, need.requester_id, need.requester.username if need.requester_id else None,
        need.duplicate_of.public_id if need.duplicate_of_id else None,
        need.referred_to.public_id if need.referred_to_id else None, need.created_at))


def need_row_out(row: tuple) -> dict:
    """A need's public record (NeedOut) from a row in selectors.NEED_API_COLUMNS order: the list reads such rows
    (selectors.NeedApiPage), need_out builds one from an instance."""
    (public_id, group, title, description, category, quantity, quantity_claimed, quantity_fulfilled, urgency, status,
     needed_by, location_name, lat, lon, requester_id, requester, duplicate_of, referred_to, created_at) = row
    return {
        "id": public_id, "group": group, "title": title or str(REMOVED_TITLE), "removed": not title,
        "description": description, "category": category,
        "quantity": quantity, "quantity_claimed": quantity_claimed, "quantity_fulfilled": quantity_fulfilled,
        "quantity_left": quantity - quantity_claimed, "urgency": urgency, "status": status, "needed_by": needed_by,
        "location_name": location_name, "lat": lat, "lon": lon,
        "requester": requester if requester_id is not None else None, "proxy_intake": requester_id is None,
        "duplicate_of": duplicate_of, "referred_to": referred_to, "created_at": created_at,
    }


def need_detail_out(user, public_id, response: HttpResponse | None = None) -> dict:
    """A need as `user` may see it; with its contact details (and then `response` is marked never to be kept by a
    browser or proxy) for those who see them."""
    access = need_access(user, public_id)
    need = access.need
    body = need_out(need)
    body["matches"] = [{"id": m.public_id, "helper": m.helper.username if m.helper_id else None,
                        "quantity": m.quantity, "status": m.status} for m in need.matches.all()]
    if access.sees_contact:
        contact = selectors.need_contact(need)
        if contact is not None:
            if not access.is_requester:
                services.contact_view_record(actor=user, need=need)
            body["contact"] = {"name": contact.name, "phone": contact.phone, "email": contact.email,
                               "address": contact.address, "preferred_language": contact.preferred_language,
                               "notes": contact.notes, "lat": contact.exact_lat, "lon": contact.exact_lon}
            if response is not None:
                add_never_cache_headers(response)
    return body


def match_out(match: Match) -> dict:
    return {"id": match.public_id, "need": match.need.public_id,
            "offer": match.offer.public_id if match.offer_id else None,
            "helper": match.helper.username if match.helper_id else None, "quantity": match.quantity,
            "status": match.status, "cancel_reason": match.cancel_reason, "created_at": match.created_at,
            "completed_at": match.completed_at}


def offer_out(offer: Offer) -> dict:
    return {"id": offer.public_id, "group": offer.group.public_id, "helper": offer.helper.username,
            "title": offer.shown_title, "removed": not offer.title, "description": offer.description,
            "category": offer.category.slug,
            "quantity": offer.quantity, "quantity_left": offer.quantity_left, "status": offer.status,
            "available_from": offer.available_from, "available_until": offer.available_until,
            "location_name": offer.location_name, "lat": offer.lat, "lon": offer.lon,
            "max_distance_km": offer.max_distance_km, "created_at": offer.created_at}


class NeedQuery(InputSchema):
    group: UUID | None = None
    status: str = ""
    category: str = ""
    urgency: str = ""
    q: str = Field("", max_length=200, description="Words to find in the title or description, in the caller's "
                   "language (each as the start of a word)")


def _check_choice(value: str, choices, field: str) -> None:
    if value and value not in choices:
        raise InvalidInput(_("%(field)s must be one of: %(choices)s") % {"field": field, "choices": ", ".join(choices)},
                           field=field)


# --- Leaving a group (circulation hands back claims and offers through networks' member_leaving hook) --


@router.post("/groups/{group_id}/leave", response={200: dict, **errors(401, 404, 409, 422)}, tags=["groups"])
def leave_group(request, group_id: UUID):
    access = group_access(request.auth, group_id, require="member")
    networks_services.group_leave(actor=request.auth, group=access.group)
    return {"detail": _("You left %(group)s.") % {"group": access.group.name}}


@router.post("/groups/{group_id}/members/{user_id}/claims/resume",
             response={200: dict, **errors(401, 403, 404, 409, 422)}, tags=["groups"])
def resume_claims(request, group_id: UUID, user_id: UUID):
    """A coordinator lifts the pause on the claims of someone who cancelled more than three in a day."""
    access, person = member_access(request.auth, group_id, user_id)
    group = access.group
    services.claims_unblock(actor=request.auth, group=group, user=person)
    return {"detail": _("%(name)s can claim again.") % {"name": person.username}}


# --- Categories -----------------------------------------------------------------------------------


@router.get("/categories", auth=None, response={200: list[CategoryOut]})
def list_categories(request):
    return [{"slug": c.slug, "name": c.label, "unit": c.unit_label} for c in selectors.category_list()]


# --- Needs ----------------------------------------------------------------------------------------


def _needs_version(request, filters: NeedQuery, **_kwargs) -> str | None:
    """What a need list is made from: the one group's stamp and the caller's (no version for a non-member: their
    answer is a 404), or all their groups' stamps."""
    if filters.group:
        return network_selectors.member_version(request.auth, filters.group)
    return network_selectors.groups_version(request.auth)


@router.get("/needs", response={200: list[NeedOut], 304: None, **errors(401, 404, 422)}, tags=["needs"])
@conditional_api(_needs_version)
@paginate(Pagination)
def list_needs(request, filters: Query[NeedQuery], response: HttpResponse):
    _check_choice(filters.status, Need.Status.values, "status")
    _check_choice(filters.urgency, Urgency.values, "urgency")
    group_id = None
    if filters.group:
        access = group_access(request.auth, filters.group, require="member")
        group_id = access.group.pk
    page = selectors.NeedApiPage(
        filters=selectors.NeedFilters(status=filters.status, category=filters.category, urgency=filters.urgency,
                                      q=filters.q),
        group_id=group_id, user=request.auth)
    return Rendered(page, need_row_out)


def _place(group, payload) -> tuple[str, float | None, float | None]:
    """The place a new need or offer names: a named area of the group, a point, or a name (networks' rule)."""
    if payload.area is None and (payload.lat is None or payload.location_name):
        return payload.location_name, payload.lat, payload.lon  # nothing to look up
    areas = group_areas(group)
    area = None
    if payload.area is not None:
        area = next((a for a in areas if a.public_id == payload.area), None)
        if area is None:
            raise InvalidInput(_("No such area in this group: GET /api/v1/groups/{id}/areas lists them."),
                               field="area")
    return place_resolve(areas, area=area, location_name=payload.location_name, lat=payload.lat, lon=payload.lon)


# exclude_unset: `contact` is absent (not null) for those who may not see it; every other field is always there.
@router.post("/needs", response={201: NeedCreatedOut, **errors(400, 401, 403, 404, 413, 422)}, tags=["needs"],
             exclude_unset=True)
def create_need(request, payload: NeedIn, response: HttpResponse):
    access = group_access(request.auth, payload.group, require="member")
    contact = payload.contact.dict() if payload.contact else {}
    contact = {k: v for k, v in contact.items() if v is not None}
    category = selectors.category_list().filter(slug=payload.category).first()
    duplicates = []
    if category is not None:
        duplicates = selectors.possible_duplicates(
            group=access.group, category=category, title=payload.title, description=payload.description,
            phone=contact.get("phone", ""), email=contact.get("email", ""))
    location_name, lat, lon = _place(access.group, payload)
    need = services.need_create(
        actor=request.auth, group=access.group, title=payload.title, description=payload.description,
        category=payload.category, quantity=payload.quantity, urgency=payload.urgency, lat=lat, lon=lon,
        location_name=location_name,
        needed_by=in_zone(payload.needed_by, access.group.timezone), contact=contact, on_behalf=payload.on_behalf,
    )
    body = need_detail_out(request.auth, need.public_id, response)
    body["possible_duplicates"] = [d.public_id for d in duplicates]
    return 201, body


@router.get("/needs/{need_id}", response={200: NeedDetailOut, **errors(401, 404, 422)}, tags=["needs"],
            exclude_unset=True)
def get_need(request, need_id: UUID, response: HttpResponse):
    return need_detail_out(request.auth, need_id, response)


@router.patch("/needs/{need_id}", response={200: NeedDetailOut, **errors(400, 401, 403, 404, 409, 413, 422)},
              tags=["needs"], exclude_unset=True)
def update_need(request, need_id: UUID, payload: NeedPatch, response: HttpResponse):
    """Correct a need: its requester (or, for a need entered on someone's behalf, a coordinator). Only the fields
    given change; the quantity never goes below what is claimed. Helpers on the way are told of a new quantity,
    time or place."""
    access = need_access(request.auth, need_id)
    changes = payload.model_dump(exclude_unset=True)
    for name in ("title", "description", "quantity", "urgency", "location_name"):
        if name in changes and changes[name] is None:
            raise InvalidInput(_("%(field)s cannot be null.") % {"field": name}, field=name)
    services.need_update(actor=request.auth, need=access.need, changes=changes)
    return need_detail_out(request.auth, need_id, response)


@router.post("/needs/{need_id}/claim", response={201: MatchOut, **errors(400, 401, 403, 404, 409, 413, 422)},
             tags=["needs"])
def claim_need(request, need_id: UUID, payload: ClaimIn):
    access = need_access(request.auth, need_id)
    offer = offer_access(request.auth, payload.offer) if payload.offer else None
    match = services.match_claim(actor=request.auth, need=access.need, quantity=payload.quantity, offer=offer)
    return 201, match_out(match_access(request.auth, match.public_id))


@router.post("/needs/{need_id}/cancel", response={200: NeedOut, **errors(400, 401, 403, 404, 409, 413, 422)},
             tags=["needs"])
def cancel_need(request, need_id: UUID, payload: NeedCancelIn):
    access = need_access(request.auth, need_id)
    services.need_cancel(actor=request.auth, need=access.need, reason=payload.reason)
    return need_out(need_access(request.auth, need_id).need)


@router.post("/needs/{need_id}/duplicate", response={200: NeedOut, **errors(400, 401, 403, 404, 409, 413, 422)},
             tags=["needs"])
def mark_duplicate(request, need_id: UUID, payload: DuplicateIn):
    access = need_access(request.auth, need_id)
    original = need_access(request.auth, payload.original).need
    services.need_mark_duplicate(actor=request.auth, need=access.need, original=original)
    return need_out(need_access(request.auth, need_id).need)


@router.post("/needs/{need_id}/refer", response={201: NeedOut, **errors(400, 401, 403, 404, 409, 413, 422)},
             tags=["needs"])
def refer_need(request, need_id: UUID, payload: ReferIn):
    access = need_access(request.auth, need_id)
    target = group_access(request.auth, payload.group).group
    copy = services.need_refer(actor=request.auth, need=access.need, to_group=target)
    return 201, need_out(copy)


# --- Matches --------------------------------------------------------------------------------------


@router.get("/matches", response={200: list[MatchOut], **errors(401, 422)}, tags=["matches"])
@paginate(Pagination)
def list_matches(request):
    return Rendered(selectors.user_matches(request.auth).select_related("offer"), match_out)


@router.get("/matches/{match_id}", response={200: MatchOut, **errors(401, 404, 422)}, tags=["matches"])
def get_match(request, match_id: UUID):
    return match_out(match_access(request.auth, match_id))


@router.post("/matches/{match_id}/complete", response={200: MatchOut, **errors(401, 403, 404, 409, 422)},
             tags=["matches"])
def complete_match(request, match_id: UUID):
    match = match_access(request.auth, match_id)
    services.match_complete(actor=request.auth, match=match)
    return match_out(match_access(request.auth, match_id))


@router.post("/matches/{match_id}/accept", response={200: MatchOut, **errors(401, 403, 404, 409, 422)},
             tags=["matches"])
def accept_match(request, match_id: UUID):
    """The requester or a coordinator accepts a newcomer's proposed claim; the helper then sees contact details."""
    match = match_access(request.auth, match_id)
    services.match_accept(actor=request.auth, match=match)
    return match_out(match_access(request.auth, match_id))


@router.post("/matches/{match_id}/cancel", response={200: MatchOut, **errors(400, 401, 403, 404, 409, 413, 422)},
             tags=["matches"])
def cancel_match(request, match_id: UUID, payload: CancelIn):
    match = match_access(request.auth, match_id)
    services.match_cancel(actor=request.auth, match=match, reason=payload.reason)
    return match_out(match_access(request.auth, match_id))


def message_out(message, match: Match, user) -> dict:
    return {"id": message.public_id, "author": message.author.username,
            "side": match.side_of(message.author_id) or "coordinator", "mine": message.author_id == user.pk,
            "text": message.text, "created_at": message.created_at}


@router.get("/matches/{match_id}/messages", response={200: list[MessageOut], **errors(401, 403, 404, 422)},
            tags=["matches"])
@paginate(Pagination)
def list_messages(request, match_id: UUID):
    """The match's conversation, oldest first: for the requester, the helper and the group's coordinators."""
    match = thread_access(request.auth, match_id).match
    return Rendered(selectors.match_messages(match), lambda m: message_out(m, match, request.auth))


@router.post("/matches/{match_id}/messages", response={201: MessageOut, **errors(400, 401, 403, 404, 413, 422)},
             tags=["matches"])
def write_message(request, match_id: UUID, payload: MessageIn):
    """Write in the match's conversation; the others on it are told."""
    match = thread_access(request.auth, match_id).match
    message = services.match_message_write(actor=request.auth, match=match, text=payload.text)
    return 201, message_out(message, match, request.auth)


# --- Offers ---------------------------------------------------------------------------------------


class OfferQuery(InputSchema):
    group: UUID | None = None
    status: str = ""
    category: str = ""
    mine: bool = False


@router.get("/offers", response={200: list[OfferOut], **errors(401, 404, 422)}, tags=["offers"])
@paginate(Pagination)
def list_offers(request, filters: Query[OfferQuery]):
    _check_choice(filters.status, Offer.Status.values, "status")
    group = group_access(request.auth, filters.group, require="member").group if filters.group else None
    qs = selectors.offer_list(group=group, visible_groups=None if group else user_groups(request.auth),
                              status=filters.status, category=filters.category,
                              helper=request.auth if filters.mine else None)
    return Rendered(qs, offer_out)


@router.post("/offers", response={201: OfferOut, **errors(400, 401, 404, 413, 422)}, tags=["offers"])
def create_offer(request, payload: OfferIn):
    access = group_access(request.auth, payload.group, require="member")
    location_name, lat, lon = _place(access.group, payload)
    offer = services.offer_create(
        actor=request.auth, group=access.group, title=payload.title, description=payload.description,
        category=payload.category, quantity=payload.quantity,
        available_from=in_zone(payload.available_from, access.group.timezone),
        available_until=in_zone(payload.available_until, access.group.timezone),
        location_name=location_name, lat=lat, lon=lon, max_distance_km=payload.max_distance_km,
    )
    return 201, offer_out(offer)


@router.get("/offers/{offer_id}", response={200: OfferOut, **errors(401, 404, 422)}, tags=["offers"])
def get_offer(request, offer_id: UUID):
    return offer_out(offer_access(request.auth, offer_id))


@router.patch("/offers/{offer_id}", response={200: OfferOut, **errors(400, 401, 403, 404, 409, 413, 422)},
              tags=["offers"])
def update_offer(request, offer_id: UUID, payload: OfferPatch):
    """The helper corrects their offer. Only the fields given change; the quantity never goes below what is
    already promised from it."""
    offer = offer_access(request.auth, offer_id)
    changes = payload.model_dump(exclude_unset=True)
    for name in ("title", "description", "quantity", "location_name"):
        if name in changes and changes[name] is None:
            raise InvalidInput(_("%(field)s cannot be null.") % {"field": name}, field=name)
    services.offer_update(actor=request.auth, offer=offer, changes=changes)
    return offer_out(offer_access(request.auth, offer_id))


@router.post("/offers/{offer_id}/request", response={201: MatchOut, **errors(400, 401, 403, 404, 409, 413, 422)},
             tags=["offers"])
def request_offer(request, offer_id: UUID, payload: OfferRequestIn):
    """ "I'd like this": a need of the caller's is posted in the offer's group and category and claimed from the offer
    for its helper; the match is "requested" until the helper accepts it (POST /matches/{id}/accept) or cancels it."""
    offer = offer_access(request.auth, offer_id)
    match = services.offer_request(actor=request.auth, offer=offer, quantity=payload.quantity, note=payload.note)
    return 201, match_out(match_access(request.auth, match.public_id))


@router.post("/offers/{offer_id}/status", response={200: OfferOut, **errors(400, 401, 403, 404, 409, 413, 422)},
             tags=["offers"])
def set_offer_status(request, offer_id: UUID, payload: OfferStatusIn):
    offer = offer_access(request.auth, offer_id)
    return offer_out(services.offer_set_status(actor=request.auth, offer=offer, status=payload.status))
