"""API routes for need-based allocation: a helper's suggestions (accept, decline) and running an allocation."""
from typing import Literal
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from mutualaid.core.errors import NotAllowed
from mutualaid.networks.models import Membership
from mutualaid.networks.permissions import group_access
from mutualaid.networks.schemas import InputSchema, errors
from mutualaid.networks.selectors import user_groups

from . import suggestion_selectors as selectors
from . import suggestion_services as services
from .api import match_out
from .permissions import match_access, need_access, offer_access
from .schemas import MatchOut

router = Router(tags=["allocation"])


class SuggestionOut(Schema):
    need: UUID
    need_title: str
    group: UUID
    urgency: str
    category: str
    offer: UUID
    quantity: int
    distance_km: float
    score: float


class PairIn(InputSchema):
    need: UUID
    offer: UUID


class AcceptIn(PairIn):
    quantity: int = Field(1, ge=1, le=100_000)


class AllocationIn(InputSchema):
    group: UUID | None = None
    method: Literal["optimal", "greedy-fcfs", "greedy-urgency"] = "optimal"
    fairness: Literal["maxmin"] | None = None


class AllocationPairOut(Schema):
    need: UUID
    offer: UUID
    quantity: int
    distance_km: float
    score: float


class UnmetOut(Schema):
    need: UUID
    quantity: int


class AllocationOut(Schema):
    allocations: list[AllocationPairOut]
    unmet: list[UnmetOut]
    summary: dict


def _suggestion_out(p) -> dict:
    return {"need": p.need.public_id, "need_title": p.need.shown_title, "group": p.need.group.public_id,
            "urgency": p.need.urgency, "category": p.need.category.slug, "offer": p.offer.public_id,
            "quantity": p.quantity, "distance_km": round(p.distance_km, 3), "score": p.score}


@router.get("/suggestions", response={200: list[SuggestionOut], **errors(401)})
def list_suggestions(request):
    """Needs the caller's active offers could meet (suggestions only: nothing is claimed until accepted)."""
    return [_suggestion_out(p) for p in selectors.helper_suggestions(request.auth, user_groups(request.auth))]


@router.post("/suggestions/accept", response={201: MatchOut, **errors(400, 401, 403, 404, 409, 413, 422)})
def accept_suggestion(request, payload: AcceptIn):
    need = need_access(request.auth, payload.need).need
    offer = offer_access(request.auth, payload.offer)
    match = services.suggestion_accept(actor=request.auth, need=need, offer=offer, quantity=payload.quantity)
    return 201, match_out(match_access(request.auth, match.public_id))


@router.post("/suggestions/decline", response={200: dict, **errors(400, 401, 403, 404, 409, 413, 422)})
def decline_suggestion(request, payload: PairIn):
    need = need_access(request.auth, payload.need).need
    offer = offer_access(request.auth, payload.offer)
    services.suggestion_decline(actor=request.auth, need=need, offer=offer)
    return 200, {"detail": _("Declined: this need will not be suggested for this offer again.")}


@router.post("/allocations", response={200: AllocationOut, **errors(400, 401, 403, 404, 413, 422, 429)})
def run_allocation(request, payload: AllocationIn):
    """Run the engine over a group (its coordinators) or the whole network (anyone who coordinates a group: the pairs
    and unmet needs of their own groups, the others only as totals per group in the summary). A read: it proposes,
    it claims nothing. A `maxmin` run is one at a time per group (and over the network): 429 while one runs."""
    group = None
    if payload.group:
        group = group_access(request.auth, payload.group, require="coordinator").group
    elif not Membership.objects.active().filter(user=request.auth, role=Membership.Role.COORDINATOR).exists():
        raise NotAllowed(_("Only coordinators can run an allocation over the network."))
    view = services.allocation_run(actor=request.auth, group=group, method=payload.method, fairness=payload.fairness)
    return 200, {
        "allocations": [{"need": p.need.public_id, "offer": p.offer.public_id, "quantity": p.quantity,
                         "distance_km": round(p.distance_km, 3), "score": p.score} for p in view.proposals],
        "unmet": [{"need": n.public_id, "quantity": q} for n, q in view.unmet],
        "summary": view.summary,
    }
