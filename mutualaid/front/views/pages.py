"""The pages that compose several apps: the home page (a member's groups, needs and matches) and a group's page
(networks' group, membership and standing, circulation's board), and leaving a group (networks' service, whose
hook each app answers: circulation hands back claims and withdraws offers)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutualaid.circulation import selectors as circulation_selectors
from mutualaid.circulation.board import Board
from mutualaid.core.conditional import conditional
from mutualaid.core.places import map_settings
from mutualaid.core.web import service_errors
from mutualaid.networks import selectors as network_selectors
from mutualaid.networks import services as networks_services
from mutualaid.networks.permissions import group_access

from .. import selectors as front_selectors


def home(request):
    if not request.user.is_authenticated:
        return render(request, "front/home.html", {})
    lists = circulation_selectors.home_lists(request.user)
    return render(request, "front/home.html", {
        "groups": lists.groups, "coordinator_work": front_selectors.coordinator_work(lists.groups),
        "open_needs": lists.open_needs, "open_needs_count": lists.open_needs_count,
        "live_matches": lists.live_matches, "live_matches_count": lists.live_matches_count,
    })


def _group_page(request, group_id, *, require: str):
    access = group_access(request.user, group_id, require=require)
    context = {"access": access, "group": access.group}
    if access.is_member:
        context["board"] = Board(request, access)
        if access.is_coordinator:
            context["paused_helpers"] = circulation_selectors.paused_helpers(access.group)
    else:
        context["member_count"] = network_selectors.active_member_count(access.group)
        context["application"] = (network_selectors.user_application(request.user, access.group)
                                  if request.user.is_authenticated else None)
    return render(request, "front/group_detail.html", context)


def _member_version(request, group_id):
    return network_selectors.member_version(request.user, group_id) if request.user.is_authenticated else None


@conditional(_member_version)
@service_errors
def group_detail(request, group_id):
    """Everyone sees the public description; members see the board under it."""
    return _group_page(request, group_id, require="public")


@login_required
@conditional(_member_version)
@service_errors
def group_board(request, group_id):
    """The board alone: members only (404 to anyone else). The filter form submits here."""
    return _group_page(request, group_id, require="member")


@require_POST
@login_required
@service_errors
def group_leave(request, group_id):
    group = group_access(request.user, group_id, require="member").group
    networks_services.group_leave(actor=request.user, group=group)
    messages.success(request, _("You left %(group)s. You are welcome back any time.") % {"group": group.name})
    return redirect("group_list")


def map_page(request):
    """Every group on a map and in a list; for a member, the open needs and active offers of their groups too, at
    their coarse places. The list is the page: the map (static/js/map.js) draws it where JavaScript runs."""
    data = front_selectors.map_data(request.user)
    collection = front_selectors.map_geojson(data, lambda name, public_id: reverse(name, args=[public_id]))
    return render(request, "front/map.html", {"map": data, "collection": collection, **map_settings()})
