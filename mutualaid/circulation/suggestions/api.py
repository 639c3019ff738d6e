"""API routes for need-based allocation: a helper's suggestions (read from the stored results; accept, decline) and
running an allocation (a POST: the default run is stored as the scope's suggestions)."""
from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router

from mutualaid.networks.schemas import errors
from mutualaid.circulation.api import match_out
from mutualaid.circulation.permissions import match_access, need_access, offer_access
from mutualaid.circulation.schemas import MatchOut

from . import selectors, services
from .permissions import allocation_access
from .schemas import AcceptIn, AllocationIn, AllocationOut, PairIn, SuggestionOut

router = Router(tags=["allocation"])


def _suggestion_out(p) -> dict:
    return {"need": p.need.public_id, "need_title": p.need.shown_title, "group": p.need.group.public_id,
            "urgency": p.need.urgency, "category": p.need.category.slug, "offer": p.offer.public_id,
            "quantity": p.quantity, "distance_km": round(p.distance_km, 3), "score": p.score,
            "worked_out_at": p.worked_out_at}


@router.get("/suggestions", response={200: list[SuggestionOut], **errors(401)})
def list_suggestions(request):
    """Needs the caller's active offers could meet, from the suggestions last worked out for their groups (by the
    worker, or a coordinator's run), as they stand now. Suggestions only: nothing is claimed until accepted."""
    return [_suggestion_out(p) for p in selectors.helper_suggestions(request.auth).proposals]


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
    and unmet needs of their own groups, the others only as totals per group in the summary). It proposes, it claims
    nothing. The default run (optimal, no fairness) is stored as the scope's suggestions, the ones the pages and
    `GET /suggestions` show. One run at a time per scope: 429 while one runs (a `maxmin` run has a slot of its own)."""
    access = allocation_access(request.auth, payload.group)
    view = services.allocation_run(actor=request.auth, group=access.group, method=payload.method,
                                   fairness=payload.fairness)
    return 200, {
        "allocations": [{"need": p.need.public_id, "offer": p.offer.public_id, "quantity": p.quantity,
                         "distance_km": round(p.distance_km, 3), "score": p.score} for p in view.proposals],
        "unmet": [{"need": n.public_id, "quantity": q} for n, q in view.unmet],
        "summary": view.summary,
    }
