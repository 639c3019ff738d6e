"""Web pages for need-based allocation: a helper's "needs you could meet", a coordinator's allocation page."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mutualaid.core.errors import NotAllowed, NotFound
from mutualaid.networks.models import Group, Membership
from mutualaid.networks.permissions import group_access
from mutualaid.networks.selectors import user_groups
from mutualaid.networks.views import service_errors

from . import suggestion_selectors as selectors
from . import suggestion_services as services
from .permissions import need_access, offer_access


class PairForm(forms.Form):
    need = forms.UUIDField()
    offer = forms.UUIDField()
    quantity = forms.IntegerField(label=gettext_lazy("How many?"), min_value=1, max_value=100_000, required=False)


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
    groups = user_groups(request.user)
    return render(request, "circulation/suggestions.html", {
        "proposals": selectors.helper_suggestions(request.user, groups),
        "has_offers": request.user.offers.filter(status="active").exists(),
    })


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


def _comparison(groups):
    optimal = selectors.run_allocation(groups)
    fcfs = selectors.run_allocation(groups, method="greedy-fcfs")
    return {"optimal": optimal, "fcfs": fcfs,
            "unmet_critical": {
                "optimal": optimal.summary["by_urgency"].get("critical", {}).get("unmet", 0),
                "fcfs": fcfs.summary["by_urgency"].get("critical", {}).get("unmet", 0)}}


@login_required
@service_errors
def group_allocation(request, group_id):
    access = group_access(request.user, group_id, require="coordinator")
    context = _comparison(Group.objects.filter(pk=access.group.pk))
    return render(request, "circulation/allocation.html", {**context, "group": access.group, "access": access})


@require_POST
@login_required
@service_errors
def group_allocation_send(request, group_id):
    access = group_access(request.user, group_id, require="coordinator")
    helpers = services.suggestions_send(actor=request.user, group=access.group)
    if helpers:
        messages.success(request, _("Suggestions sent to %(count)d helper(s). Each says yes or no themselves.")
                         % {"count": helpers})
    else:
        messages.info(request, _("There is nothing to suggest right now."))
    return redirect("group_allocation", group_id=access.group.public_id)


@login_required
@service_errors
def network_allocation(request):
    """The whole network's allocation, for members who coordinate a group: where surplus could meet scarcity."""
    if not Membership.objects.active().filter(user=request.user, role=Membership.Role.COORDINATOR).exists():
        raise NotAllowed(_("This page is for members who coordinate a group."))
    context = _comparison(Group.objects.all())
    # Each group's inner life stays its own: the viewer sees the proposed matches of the groups they belong to,
    # and for the others only how well they are served.
    mine = set(user_groups(request.user).values_list("pk", flat=True))
    context["optimal"].proposals = [p for p in context["optimal"].proposals if p.need.group_id in mine]
    names = {str(g.public_id): g.name for g in Group.objects.only("public_id", "name")}
    fcfs_groups = context["fcfs"].summary["by_group"]
    context["groups_served"] = sorted(
        ({"name": names.get(gid, gid), "requested": row["requested"], "allocated": row["allocated"],
          "fill": row["weighted_fill"], "fcfs_fill": fcfs_groups.get(gid, {}).get("weighted_fill")}
         for gid, row in context["optimal"].summary["by_group"].items()), key=lambda r: r["name"])
    return render(request, "circulation/allocation.html", {**context, "group": None})
