"""Web pages for the core loop: needs, offers and matches (the home page and a group's page, which show them
beside other apps' parts, are the front's).

Thin views: parse the form, check access with the helpers in `permissions.py`, call one service, render or redirect.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mutualaid.core.errors import Conflict, InvalidInput, NotAllowed
from mutualaid.networks.permissions import group_access, member_access
from mutualaid.networks.selectors import group_areas
from mutualaid.core.web import paginate, service_errors

from . import selectors, services
from .forms import (BoardFilterForm, ClaimForm, DuplicateForm, MatchCancelForm, MessageForm, NeedCancelForm,
                    NeedEditForm, NeedForm, OfferEditForm, OfferForm, OfferRequestForm, ReferForm)
from .models import Match, Need, Offer
from .permissions import claim_refusal, may_edit_need, match_access, need_access, offer_access, thread_access

# --- Posting needs and offers ---------------------------------------------------------------------


@login_required
@service_errors
def need_create(request, group_id):
    access = group_access(request.user, group_id, require="member")
    with timezone.override(access.group.timezone):  # times typed in the form are the group's local times
        return _need_create(request, access)


def _need_create(request, access):
    categories = list(selectors.category_list())
    areas = group_areas(access.group)
    form = NeedForm(request.POST or None, categories=categories, areas=areas, can_proxy=access.is_coordinator,
                    initial={} if areas else {"location_name": access.group.location_name})
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contact = form.contact()
        category = next(c for c in categories if c.slug == data["category"])
        if not data["post_anyway"]:
            duplicates = selectors.possible_duplicates(
                group=access.group, category=category, title=data["title"], description=data["description"],
                phone=contact["phone"], email=contact["email"])
        if not duplicates:
            try:
                need = services.need_create(
                    actor=request.user, group=access.group, title=data["title"], category=data["category"],
                    quantity=data["quantity"], urgency=data["urgency"], description=data["description"],
                    needed_by=data["needed_by"], location_name=data["location_name"], lat=data["lat"],
                    lon=data["lon"], contact=contact, on_behalf=data.get("on_behalf", False))
            except InvalidInput as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Your need is posted. Members of %(group)s can see it now.")
                                 % {"group": access.group.name})
                return redirect("need_detail", need_id=need.public_id)
    return render(request, "circulation/need_form.html",
                  {"form": form, "group": access.group, "access": access, "duplicates": duplicates})


@login_required
@service_errors
def offer_create(request, group_id):
    access = group_access(request.user, group_id, require="member")
    with timezone.override(access.group.timezone):  # times typed in the form are the group's local times
        return _offer_create(request, access)


def _offer_create(request, access):
    areas = group_areas(access.group)
    form = OfferForm(request.POST or None, categories=selectors.category_list(), areas=areas,
                     initial={} if areas else {"location_name": access.group.location_name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.offer_create(
                actor=request.user, group=access.group, title=data["title"], category=data["category"],
                quantity=data["quantity"], description=data["description"],
                available_from=data["available_from"], available_until=data["available_until"],
                location_name=data["location_name"], lat=data["lat"], lon=data["lon"],
                max_distance_km=data["max_distance_km"])
        except InvalidInput as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Thank you! Your offer is on the board of %(group)s.")
                             % {"group": access.group.name})
            return redirect("group_detail", group_id=access.group.public_id)
    return render(request, "circulation/offer_form.html", {"form": form, "group": access.group, "access": access})


# --- Fixing mistakes --------------------------------------------------------------------------------


@login_required
@service_errors
def need_edit(request, need_id):
    """The requester corrects their need (a coordinator, one entered on someone's behalf)."""
    access = need_access(request.user, need_id)
    if not may_edit_need(request.user, access.need, is_coordinator=access.group.is_coordinator):
        raise NotAllowed(_("Only the person who asked can change this need (or, for a need entered on someone's "
                           "behalf, a coordinator)."))
    if access.need.status in Need.CLOSED:
        messages.error(request, _("This need is closed (%(status)s) and can no longer be changed.")
                       % {"status": access.need.get_status_display()})
        return redirect("need_detail", need_id=access.need.public_id)
    with timezone.override(access.group.group.timezone):  # times typed in the form are the group's local times
        return _need_edit(request, access)


def _need_edit(request, access):
    need = access.need
    contact = selectors.need_contact(need)
    if contact is not None and not access.is_requester:
        services.contact_view_record(actor=request.user, need=need)  # the form shows them
    initial = {name: getattr(need, name) for name in ("title", "description", "quantity", "urgency", "needed_by",
                                                        "location_name")}
    if contact is not None:
        initial.update({f"contact_{name}": getattr(contact, name) for name in services.CONTACT_FIELDS})
        initial.update({"lat": contact.exact_lat, "lon": contact.exact_lon})
    form = NeedEditForm(request.POST or None, initial=initial, claimed=need.quantity_claimed,
                        unit=need.category.unit_for(2), areas=group_areas(access.group.group))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {name: data[name] for name in ("title", "description", "quantity", "urgency", "needed_by",
                                                 "location_name", "lat", "lon")}
        changes["contact"] = form.contact()
        try:
            services.need_update(actor=request.user, need=need, changes=changes)
        except InvalidInput as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("need_detail", need_id=need.public_id)
    response = render(request, "circulation/need_form.html",
                      {"form": form, "group": access.group.group, "access": access, "need": need})
    add_never_cache_headers(response)  # it holds the contact details
    return response


@login_required
@service_errors
def offer_edit(request, offer_id):
    """The helper corrects their offer."""
    offer = offer_access(request.user, offer_id)
    if offer.helper_id != request.user.pk:
        raise NotAllowed(_("Only the helper who made this offer can change it."))
    if offer.status == Offer.Status.WITHDRAWN:
        messages.error(request, _("This offer was withdrawn; post a new one."))
        return redirect("my_posts")
    with timezone.override(offer.group.timezone):
        initial = {name: getattr(offer, name) for name in services.OFFER_EDITABLE}
        form = OfferEditForm(request.POST or None, initial=initial, promised=offer.quantity_committed,
                             areas=group_areas(offer.group))
        if request.method == "POST" and form.is_valid():
            changes = {name: form.cleaned_data[name] for name in services.OFFER_EDITABLE}
            try:
                services.offer_update(actor=request.user, offer=offer, changes=changes)
            except InvalidInput as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect("my_posts")
        return render(request, "circulation/offer_form.html", {"form": form, "group": offer.group, "offer": offer})


# --- A need's page and what can be done on it -----------------------------------------------------


def _need_page(request, access, *, claim_form=None, cancel_form=None, duplicate_form=None, refer_form=None,
               match_form=None):
    """Render a need's page. Forms given are bound forms with errors to show; others are fresh."""
    need, user = access.need, request.user
    refusal = None if not need.is_claimable or access.is_requester else claim_refusal(user, need)
    can_claim = need.is_claimable and not access.is_requester and refusal is None
    contact = selectors.need_contact(need) if access.sees_contact else None
    if contact is not None and not access.is_requester:
        services.contact_view_record(actor=user, need=need)
    context = {"access": access, "need": need, "group": access.group.group, "contact": contact,
               "matches": list(need.matches.all()), "is_open": need.status not in Need.CLOSED}
    if access.is_requester or access.group.is_coordinator:
        context["contact_views"] = selectors.contact_views(need)
    if refusal:
        context["claim_refusal"] = refusal
    if can_claim:
        context["claim_form"] = claim_form or ClaimForm(need=need, offers=list(selectors.claimable_offers(user,
                                                                                                        need)))
    if access.can_manage and context["is_open"]:
        context["cancel_form"] = cancel_form or NeedCancelForm()
    context["may_edit"] = context["is_open"] and may_edit_need(user, need, is_coordinator=access.group.is_coordinator)
    if access.group.is_coordinator and context["is_open"]:
        # Coordinators' forms that read the group's other needs or the network's groups are made on demand: the page
        # links to them (need_duplicate, need_refer), which show this page with that form open.
        context["may_coordinate"] = True
        context["duplicate_form"], context["refer_form"] = duplicate_form, refer_form
    for match in context["matches"]:
        match.can_accept = ((match.status == Match.Status.PROPOSED and access.can_manage and match.helper_id != user.pk)
                            or (match.status == Match.Status.REQUESTED and match.helper_id == user.pk))
        match.can_complete = match.status == Match.Status.CONFIRMED and access.can_confirm(match)
        match.can_cancel = match.is_live and (access.can_manage or match.helper_id == user.pk)
        match.can_talk = access.is_requester or access.group.is_coordinator or match.helper_id == user.pk
        if match.can_cancel:
            match.cancel_form = (match_form[1] if match_form and match_form[0] == match.pk
                                 else MatchCancelForm(auto_id=f"id_m{match.pk}_%s"))
    response = render(request, "circulation/need_detail.html", context)
    if contact is not None:
        # Contact details: kept by no browser or proxy.
        add_never_cache_headers(response)
    return response


@login_required
@service_errors
def need_detail(request, need_id):
    return _need_page(request, need_access(request.user, need_id))


def _posted(request, form, act, again, *, refusals=(InvalidInput,)):
    """What every form posted from a page does: a valid form runs `act(cleaned_data)` (one service call), which
    returns the message to show and where to go next; an invalid form, or a service that refuses the input
    (`refusals`), shows the page again with the form's errors in place (`again()`)."""
    if form.is_valid():
        try:
            message, target = act(form.cleaned_data)
        except refusals as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, message)
            return redirect(target)
    return again()


def _posted_on_need_page(request, need, form, act, again):
    """`_posted` for the forms of a need's page: `act` returns the message, and the page is the need's again."""
    return _posted(request, form, lambda data: (act(data), reverse("need_detail", kwargs={"need_id": need.public_id})),
                   again)


@require_POST
@login_required
@service_errors
def need_claim(request, need_id):
    access = need_access(request.user, need_id)
    form = ClaimForm(request.POST, need=access.need,
                     offers=list(selectors.claimable_offers(request.user, access.need)))

    def claim(data) -> str:
        offer = offer_access(request.user, data["offer"]) if data.get("offer") else None
        match = services.match_claim(actor=request.user, need=access.need, quantity=data["quantity"], offer=offer)
        if match.status == Match.Status.PROPOSED:
            return (_("Thank you! Your claim of %(quantity)s waits for the requester or a coordinator to accept it; "
                      "then the contact details show here.") % {"quantity": match.quantity})
        return (_("Thank you! You will bring %(quantity)s. The contact details are below.")
                % {"quantity": match.quantity})

    return _posted_on_need_page(request, access.need, form, claim,
                                lambda: _need_page(request, access, claim_form=form))


@require_POST
@login_required
@service_errors
def need_cancel(request, need_id):
    access = need_access(request.user, need_id)
    form = NeedCancelForm(request.POST)

    def cancel(data) -> str:
        services.need_cancel(actor=request.user, need=access.need, reason=data["reason"])
        return _("The need is cancelled.")

    return _posted_on_need_page(request, access.need, form, cancel,
                                lambda: _need_page(request, access, cancel_form=form))


def _coordinating(request, need_id):
    """The need, for a coordinator of its group (403 to other members, 404 to outsiders)."""
    access = need_access(request.user, need_id)
    if not access.group.is_coordinator:
        raise NotAllowed(_("Only coordinators of this group can do that."))
    return access


@require_http_methods(["GET", "POST"])
@login_required
@service_errors
def need_duplicate(request, need_id):
    """GET: the need's page with the form open (coordinators); POST: mark it a duplicate."""
    access = _coordinating(request, need_id)
    posted = request.POST if request.method == "POST" else None  # an empty POST is still a posted form
    form = DuplicateForm(posted, needs=selectors.duplicate_candidates(access.need))
    if request.method == "GET":
        return _need_page(request, access, duplicate_form=form)

    def mark(data) -> str:
        original = need_access(request.user, data["original"]).need
        services.need_mark_duplicate(actor=request.user, need=access.need, original=original)
        return _("Marked as a duplicate of “%(title)s”.") % {"title": original.title}

    return _posted_on_need_page(request, access.need, form, mark,
                                lambda: _need_page(request, access, duplicate_form=form))


@require_http_methods(["GET", "POST"])
@login_required
@service_errors
def need_refer(request, need_id):
    """GET: the need's page with the form open (coordinators); POST: refer it to another group."""
    access = _coordinating(request, need_id)
    posted = request.POST if request.method == "POST" else None
    form = ReferForm(posted, groups=selectors.referral_targets(access.need))
    if request.method == "GET":
        return _need_page(request, access, refer_form=form)

    def refer(data) -> str:
        target = group_access(request.user, data["to_group"]).group
        services.need_refer(actor=request.user, need=access.need, to_group=target)
        return _("The need is referred to %(group)s.") % {"group": target.name}

    return _posted_on_need_page(request, access.need, form, refer,
                                lambda: _need_page(request, access, refer_form=form))


@require_POST
@login_required
@service_errors
def match_complete(request, match_id):
    match = match_access(request.user, match_id)
    services.match_complete(actor=request.user, match=match)
    messages.success(request, _("Marked as received. Thank you both!"))
    return redirect("need_detail", need_id=match.need.public_id)


@require_POST
@login_required
@service_errors
def claims_resume(request, group_id, user_id):
    access, person = member_access(request.user, group_id, user_id)
    group = access.group
    services.claims_unblock(actor=request.user, group=group, user=person)
    messages.success(request, _("%(name)s can claim again.") % {"name": person.username})
    return redirect("group_detail", group_id=group.public_id)


@require_POST
@login_required
@service_errors
def match_accept(request, match_id):
    match = match_access(request.user, match_id)
    services.match_accept(actor=request.user, match=match)
    messages.success(request, _("Claim accepted: %(helper)s can now see the contact details.")
                     % {"helper": match.helper.username if match.helper_id else _("the helper")})
    return redirect("need_detail", need_id=match.need.public_id)


@require_POST
@login_required
@service_errors
def match_cancel(request, match_id):
    match = match_access(request.user, match_id)
    form = MatchCancelForm(request.POST, auto_id=f"id_m{match.pk}_%s")

    def cancel(data) -> str:
        services.match_cancel(actor=request.user, match=match, reason=data["reason"])
        return _("The match is cancelled; its quantity is open to claims again.")

    return _posted_on_need_page(request, match.need, form, cancel, lambda: _need_page(
        request, need_access(request.user, match.need.public_id), match_form=(match.pk, form)))


# --- An offer's page, and asking for what it gives ------------------------------------------------------------


def _offer_page(request, offer, form=None):
    mine = offer.helper_id == request.user.pk
    can_ask = not mine and offer.status == Offer.Status.ACTIVE and offer.quantity_left > 0
    return render(request, "circulation/offer_detail.html", {
        "offer": offer, "group": offer.group, "mine": mine,
        "form": (form or OfferRequestForm(offer=offer)) if can_ask else None,
    })


@login_required
@service_errors
def offer_detail(request, offer_id):
    """An offer, for the members of its group: what it gives, and "I'd like this"."""
    return _offer_page(request, offer_access(request.user, offer_id))


@require_POST
@login_required
@service_errors
def offer_request(request, offer_id):
    offer = offer_access(request.user, offer_id)
    form = OfferRequestForm(request.POST, offer=offer)

    def ask(data):
        match = services.offer_request(actor=request.user, offer=offer, quantity=data["quantity"], note=data["note"])
        return (_("You asked %(helper)s for %(quantity)s %(unit)s. They are told, and say yes on your need's page; "
                  "you can write to them in the meantime.")
                % {"helper": offer.helper.username, "quantity": match.quantity,
                   "unit": offer.category.unit_for(match.quantity)},
                reverse("need_detail", kwargs={"need_id": match.need.public_id}))

    # Too much asked, or the offer used up meanwhile (a Conflict): said on the form too.
    return _posted(request, form, ask, lambda: _offer_page(request, offer, form), refusals=(InvalidInput, Conflict))


# --- A match's conversation -----------------------------------------------------------------------------


def _thread_page(request, access, form=None):
    match = access.match
    shown, total = selectors.thread_page(match)
    suspended = selectors.claim_hold(request.user, match.need.group_id)[0]
    return render(request, "circulation/match_thread.html", {
        "access": access, "match": match, "need": match.need, "group": access.group.group,
        "thread": shown, "thread_total": total, "older": total - len(shown),
        "form": None if suspended else (form or MessageForm()), "suspended": suspended,
    })


@login_required
@service_errors
def match_thread(request, match_id):
    """A match's conversation: the two sides and the group's coordinators (403 to other members)."""
    return _thread_page(request, thread_access(request.user, match_id))


@require_POST
@login_required
@service_errors
def match_message_post(request, match_id):
    access = thread_access(request.user, match_id)
    form = MessageForm(request.POST)

    def write(data):
        services.match_message_write(actor=request.user, match=access.match, text=data["text"])
        thread = reverse("match_thread", kwargs={"match_id": access.match.public_id})
        return _("Your message is sent."), thread + "#latest"

    return _posted(request, form, write, lambda: _thread_page(request, access, form))


# --- Lists ----------------------------------------------------------------------------------------


@login_required
def need_list(request):
    """Needs of all my groups, most urgent first, with the board's filters."""
    filters = BoardFilterForm(request.GET or None, categories=list(selectors.category_list()))
    chosen = filters.filters()
    return render(request, "circulation/need_list.html", {
        "filters": filters, "filtered": any(chosen.values()),
        "needs": paginate(request, selectors.visible_needs(request.user, **chosen)),
    })


@login_required
def my_matches(request):
    return render(request, "circulation/my_matches.html",
                  {"matches": paginate(request, selectors.user_matches(request.user))})


@login_required
def my_posts(request):
    return render(request, "circulation/my_posts.html", {
        "needs": paginate(request, selectors.user_needs(request.user), param="needs_page"),
        "offers": paginate(request, selectors.offer_list(helper=request.user), param="offers_page"),
    })


OFFER_ACTIONS = {"pause": Offer.Status.PAUSED, "resume": Offer.Status.ACTIVE, "withdraw": Offer.Status.WITHDRAWN}


@require_POST
@login_required
@service_errors
def offer_status(request, offer_id):
    offer = offer_access(request.user, offer_id)
    status = OFFER_ACTIONS.get(request.POST.get("action", ""))
    if status is None:
        raise InvalidInput(_("Choose to pause, resume or withdraw the offer."))
    offer = services.offer_set_status(actor=request.user, offer=offer, status=status)
    texts = {Offer.Status.PAUSED: _("Your offer “%(title)s” is paused."),
             Offer.Status.ACTIVE: _("Your offer “%(title)s” is active again."),
             Offer.Status.EXHAUSTED: _("Your offer “%(title)s” is fully committed."),
             Offer.Status.WITHDRAWN: _("Your offer “%(title)s” is withdrawn.")}
    messages.success(request, texts[offer.status] % {"title": offer.title})
    return redirect("my_posts")

