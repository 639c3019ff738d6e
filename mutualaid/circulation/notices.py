"""The notification kinds circulation sends (declared with networks.notices; found by name, as every app's are)."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from mutualaid.networks.notices import notice_kind


def _need(params: dict[str, Any]) -> dict[str, Any]:
    if params.get("need") == "":  # its author deleted their account, and its title with it
        return {**params, "need": gettext("removed at the person's request")}
    return params


MATCH_CLAIMED = notice_kind("match_claimed", label=_("A helper claimed your need"),
                            text=_("%(helper)s will bring %(quantity)s for your need “%(need)s”."),
                            names=("helper",), prepare=_need)
MATCH_PROPOSED = notice_kind(
    "match_proposed", label=_("A newcomer's claim waits for your acceptance"),
    text=_("%(helper)s, new to the group, offers to meet %(quantity)s of “%(need)s”: accept the claim on the need's "
           "page to share the contact details."), names=("helper",), prepare=_need)
OFFER_REQUESTED = notice_kind(
    "offer_requested", label=_("Someone asked for what you offer"),
    text=_("%(requester)s would like %(quantity)s from your offer “%(offer)s”: say yes (or no) on the need's page."),
    names=("requester",))
MATCH_ACCEPTED = notice_kind("match_accepted", label=_("Your claim was accepted"),
                             text=_("Your claim on “%(need)s” was accepted: the contact details are on the need's "
                                    "page."), prepare=_need)
CLAIMS_PAUSED = notice_kind("claims_paused", label=_("A helper's claims were paused"),
                            text=_("%(helper)s cancelled %(count)s claims in %(group)s within a day and cannot claim "
                                   "again until a coordinator lifts the pause."), names=("helper",))
MATCH_COMPLETED = notice_kind("match_completed", label=_("A match was completed"),
                              text=_("The match on “%(need)s” was completed. Thank you!"), prepare=_need)
MATCH_CANCELLED = notice_kind("match_cancelled", label=_("A match was cancelled"),
                              text=_("The match on “%(need)s” was cancelled: %(reason)s"), prepare=_need)
MATCH_MESSAGE = notice_kind("match_message", label=_("A new message about a match"),
                            text=_("%(author)s wrote to you about “%(need)s”."), names=("author",), prepare=_need)
def _changes(params: dict[str, Any]) -> dict[str, Any]:
    names = {"quantity": gettext("the quantity"), "time": gettext("the time"), "place": gettext("the place")}
    changes = [names.get(code, str(code)) for code in params.get("changes") or []]
    return {**_need(params), "changes": ", ".join(changes)}


NEED_CHANGED = notice_kind("need_changed", label=_("A need you are helping with changed"),
                           text=_("“%(need)s”, which you are helping with, was changed (%(changes)s): see the need's "
                                  "page."), prepare=_changes)
SUGGESTIONS = notice_kind("suggestions", label=_("Needs you could meet"),
                          text=ngettext_lazy(
                              "A coordinator of %(group)s found a need that your offers could meet: %(count)s "
                              "suggestion is waiting for your yes or no.",
                              "A coordinator of %(group)s found needs that your offers could meet: %(count)s "
                              "suggestions are waiting for your yes or no.", "count"))
