"""Every write to needs, offers and matches, one module per aggregate: `needs`, `offers`, `matches`,
`categories`, `messages` (a match's conversation), and `members` (what happens when a person leaves a group, is
suspended or closes their account). Their shared steps under lock are in `common`. Import the writes from here:
`from mutualaid.circulation.services import match_claim`."""
from __future__ import annotations

from .categories import categories_ensure_defaults
from .matches import (CANCELS_BEFORE_BLOCK, claims_unblock, match_accept, match_cancel, match_claim, match_complete,
                      offer_request)
from .messages import match_message_write, thread_recipients
from .members import member_leaving_hand_back, member_suspended_hand_back, user_circulation_close
from .needs import (
                    CONTACT_FIELDS,
                    NEED_EDITABLE,
                    check_needed_by,
                    check_reachable,
                    contact_view_record,
                    need_cancel,
                    need_create,
                    need_mark_duplicate,
                    need_refer,
                    need_update,
                    need_update_contact,
                    needs_expire_overdue,
)
from .offers import OFFER_EDITABLE, check_availability, offer_create, offer_set_status, offer_update

__all__ = [
    "CANCELS_BEFORE_BLOCK", "CONTACT_FIELDS", "NEED_EDITABLE", "OFFER_EDITABLE", "categories_ensure_defaults",
    "check_availability", "check_needed_by", "check_reachable",
    "claims_unblock",
    "contact_view_record", "match_accept", "match_cancel", "match_claim", "match_complete", "match_message_write",
    "member_leaving_hand_back", "member_suspended_hand_back", "need_cancel", "need_create", "need_mark_duplicate",
    "need_refer", "need_update", "need_update_contact", "needs_expire_overdue", "offer_create", "offer_request",
    "offer_set_status", "offer_update", "thread_recipients", "user_circulation_close",
]
