"""Web pages for need-based allocation: a helper's "needs you could meet", a coordinator's allocation page.

The pages show the suggestions last worked out (by the worker, or a coordinator's "Work out suggestions" button):
no GET runs the engine.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from mutualaid.core.errors import Busy, NotFound
from mutualaid.core.web import service_errors
from mutualaid.circulation.permissions import need_access, offer_access

from . import selectors, services
from .forms import PairForm
from .permissions import allocation_access


def _pair(request):
    form = PairForm(request.POST)
    if not form.is_valid():
        raise NotFound(_("No such suggestion."))
    need = need_access(request.user, form.cleaned_data["need"]).need
    offer = offer_access(request.user, form.cleaned_data["offer"])
    return need, offer, form.cleaned_data.get("quantity")


@login_required
@service_errors
def my_suggestions(request):
    return render(request, "circulation/suggestions.html", {"found": selectors.helper_suggestions(request.user)})


@require_POST
@login_required
@service_errors
def suggestion_accept(request):
    need, offer, quantity = _pair(request)
    match = services.suggestion_accept(actor=request.user, need=need, offer=offer, quantity=quantity or 1)
    messages.success(request, _("Thank you! You will bring %(quantity)d for “%(need)s”. The requester is told.")
                     % {"quantity": match.quantity, "need": need.title})
    return redirect("need_detail", need_id=need.public_id)


@require_POST
@login_required
@service_errors
def suggestion_decline(request):
    need, offer, _quantity = _pair(request)
    services.suggestion_decline(actor=request.user, need=need, offer=offer)
    messages.success(request, _("Understood: “%(need)s” will not be suggested for this offer again.")
                     % {"need": need.title})
    return redirect("my_suggestions")


@login_required
@service_errors
def group_allocation(request, group_id):
    access = allocation_access(request.user, group_id)
    return render(request, "circulation/allocation.html", {
        "stored": selectors.group_allocation(access.group), "group": access.group,
        "access": access.group_access})


def _work_out(request, access) -> None:
    try:
        services.suggestions_work_out(actor=request.user, group=access.group)
    except Busy as exc:
        messages.error(request, exc.message)
        return
    messages.success(request, _("The suggestions were worked out again just now."))


@require_POST
@login_required
@service_errors
def group_allocation_work_out(request, group_id):
    access = allocation_access(request.user, group_id)
    _work_out(request, access)
    return redirect("group_allocation", group_id=access.group.public_id)


@require_POST
@login_required
@service_errors
def group_allocation_send(request, group_id):
    access = allocation_access(request.user, group_id)
    helpers = services.suggestions_send(actor=request.user, group=access.group)
    if helpers:
        messages.success(request, ngettext("Suggestions sent to %(count)d helper, who says yes or no.",
                                           "Suggestions sent to %(count)d helpers. Each says yes or no themselves.",
                                           helpers) % {"count": helpers})
    else:
        messages.info(request, _("There is nothing to suggest right now."))
    return redirect("group_allocation", group_id=access.group.public_id)


@login_required
@service_errors
def network_allocation(request):
    """The whole network's allocation, for members who coordinate a group: where surplus could meet scarcity. Each
    group's inner life stays its own: the viewer sees the proposed matches of the groups they belong to, and for
    the others only how well they are served."""
    allocation_access(request.user, None)
    network = selectors.network_allocation(request.user)
    return render(request, "circulation/allocation.html", {
        "stored": network.stored, "groups_served": network.groups_served, "group": None})


@require_POST
@login_required
@service_errors
def network_allocation_work_out(request):
    _work_out(request, allocation_access(request.user, None))
    return redirect("network_allocation")
