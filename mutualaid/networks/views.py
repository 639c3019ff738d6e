"""Web pages for accounts, groups, membership, trust, applications and notifications.

Views stay thin: parse the form, check access with `permissions.group_access`, call one service, render. Every
successful POST redirects (post/redirect/get) with a message; `mutualaid.core.web.service_errors` turns a service's
refusal into what a browser should see.
"""
from __future__ import annotations


from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutualaid.audit.selectors import current_checkpoint
from mutualaid.core.errors import Conflict, InvalidInput, NotFound
from mutualaid.core import places
from mutualaid.core.web import not_found, paginate, service_errors

from . import selectors, services, throttle
from .forms import (ApplicationForm, AreaForm, DecisionForm, GroupForm, LoginForm, SettingsForm, SignupForm,
                    TrustForm)
from .permissions import area_access, group_access, member_access

# --- Accounts -------------------------------------------------------------------------------------


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and not throttle.allowed(request):
        return throttle.refusal(request, credentials=throttle.SIGN_UP)
    if request.method == "POST" and not throttle.signup_allowed(request):
        return throttle.signup_refusal(request)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(username=form.cleaned_data["username"],
                                          password=form.cleaned_data["password"],
                                          email=form.cleaned_data["email"])
        except (InvalidInput, Conflict) as exc:
            form.add_service_error(exc)
        else:
            throttle.record_signup(request)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            services.user_remember_browser_language(user=user,
                                                    language=translation.get_language_from_request(request))
            messages.success(request, _("Welcome, %(name)s! Your account is ready.") % {"name": user.username})
            return redirect("group_list")
    if request.method == "POST":
        throttle.record_failure(request)  # a failed sign-up counts towards the guessing limit
    return render(request, "registration/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_remember_browser_language(user=self.request.user,
                                                language=translation.get_language_from_request(self.request))
        messages.success(self.request, _("You are signed in."))
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You are signed out. See you soon."))
        return response


@login_required
def settings_page(request):
    form = SettingsForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_update_settings(actor=request.user, language=form.cleaned_data["language"])
        except InvalidInput as exc:
            form.add_service_error(exc)
        else:
            translation.activate(user.language or translation.get_language_from_request(request))
            messages.success(request, _("Your settings are saved."))
            return redirect("settings")
    return render(request, "networks/settings.html", {"form": form})


# --- Groups ---------------------------------------------------------------------------------------


def group_list(request):
    groups = selectors.group_list(user=request.user)
    return render(request, "networks/group_list.html", {
        "groups": groups,
        "pending_ids": selectors.pending_application_group_ids(request.user),
    })


@login_required
def group_create(request):
    form = GroupForm(request.POST or None, initial={
        "country": places.country_from_accept_language(request.headers.get("Accept-Language", ""))})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = services.group_create(
                actor=request.user, name=data["name"], description=data["description"],
                public_description=data["public_description"], location_name=data["location_name"],
                lat=data["lat"], lon=data["lon"], is_open=data["is_open"],
                application_questions=data["application_questions"], timezone_name=data["timezone"] or "UTC",
                country=data["country"], languages=data["languages"], trust_threshold=data["trust_threshold"])
        except (InvalidInput, Conflict) as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("%(group)s is created, and you are its first coordinator.")
                             % {"group": group.name})
            return redirect("group_detail", group_id=group.public_id)
    return render(request, "networks/group_form.html", {"form": form})


@require_POST
@login_required
@service_errors
def group_join(request, group_id):
    group = group_access(request.user, group_id).group
    services.group_join(actor=request.user, group=group)
    messages.success(request, _("Welcome to %(group)s!") % {"group": group.name})
    return redirect("group_detail", group_id=group.public_id)


@login_required
@service_errors
def group_apply(request, group_id):
    access = group_access(request.user, group_id)
    group = access.group
    if access.is_member:
        messages.info(request, _("You are already a member of %(group)s.") % {"group": group.name})
        return redirect("group_detail", group_id=group.public_id)
    form = ApplicationForm(request.POST or None, questions=group.application_questions or [])
    if request.method == "POST" and form.is_valid():
        try:
            services.application_submit(actor=request.user, group=group, answers=form.answers())
        except InvalidInput as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Your application to %(group)s is sent. Its coordinators will answer soon.")
                             % {"group": group.name})
            return redirect("group_detail", group_id=group.public_id)
    return render(request, "networks/group_apply.html", {"group": group, "form": form,
                                                         "application": selectors.user_application(request.user,
                                                                                                   group)})


@login_required
@service_errors
def group_members(request, group_id):
    access = group_access(request.user, group_id, require="member")
    return render(request, "networks/group_members.html", {
        "access": access, "group": access.group,
        "members": selectors.group_members(access.group, viewer=request.user),
        "threshold": selectors.group_threshold(access.group),
        "audit_checkpoint": current_checkpoint() if access.is_coordinator else None,
        "suspensions": selectors.group_suspensions(access.group) if access.is_coordinator else [],
    })


@require_POST
@login_required
@service_errors
def member_trust(request, group_id, user_id):
    access, receiver = member_access(request.user, group_id, user_id)
    group = access.group
    form = TrustForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("Choose to give or withdraw trust."))
    if form.cleaned_data["action"] == "give":
        services.trust_give(actor=request.user, group=group, receiver=receiver)
        messages.success(request, _("You trust %(name)s to coordinate.") % {"name": receiver.username})
    else:
        services.trust_withdraw(actor=request.user, group=group, receiver=receiver)
        messages.success(request, _("You withdrew your trust in %(name)s.") % {"name": receiver.username})
    return redirect("group_members", group_id=group.public_id)


def _applications_page(request, access, *, bound: dict | None = None, status: int = 200):
    applications = list(selectors.pending_applications(access.group))
    for application in applications:
        if bound and bound["id"] == application.pk:
            application.form = bound["form"]
        else:
            application.form = DecisionForm(initial={"decision": "decline"}, auto_id=f"id_a{application.pk}_%s")
        application.qa = list(zip(access.group.application_questions or [], application.answers or []))
    return render(request, "networks/group_applications.html",
                  {"group": access.group, "access": access, "applications": applications}, status=status)


@login_required
@service_errors
def group_applications(request, group_id):
    access = group_access(request.user, group_id, require="coordinator")
    return _applications_page(request, access)


@require_POST
@login_required
@service_errors
def application_decide(request, application_id):
    application = selectors.application_get(application_id)
    if application is None:
        return not_found(request, _("No such application."))
    try:
        access = group_access(request.user, application.group, require="coordinator")
    except NotFound:  # to an outsider, the application does not exist: the same page as for a wrong id
        return not_found(request, _("No such application."))
    form = DecisionForm(request.POST, auto_id=f"id_a{application.pk}_%s")
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services.application_decide(actor=request.user, application=application, accept=accept,
                                        reason=form.cleaned_data["reason"])
        except InvalidInput as exc:
            form.add_service_error(exc)
        else:
            if accept:
                messages.success(request, _("%(name)s is now a member.") % {"name": application.user.username})
            else:
                messages.success(request, _("The application of %(name)s was declined.")
                                 % {"name": application.user.username})
            return redirect("group_applications", group_id=access.group.public_id)
    return _applications_page(request, access, bound={"id": application.pk, "form": form})


# --- A group's named areas -----------------------------------------------------------------------


@login_required
@service_errors
def group_areas(request, group_id):
    """The areas the group names, on a map and in a list; coordinators add them here."""
    access = group_access(request.user, group_id, require="coordinator" if request.method == "POST" else "member")
    areas = selectors.group_areas(access.group)
    form = AreaForm(request.POST or None, areas=areas) if access.is_coordinator else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            area = services.area_add(actor=request.user, group=access.group, name=data["name"], lat=data["lat"],
                                     lon=data["lon"])
        except (InvalidInput, Conflict) as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("“%(name)s” is one of the group's areas now.") % {"name": area.name})
            return redirect("group_areas", group_id=access.group.public_id)
    status = 400 if form is not None and form.errors else 200
    return render(request, "networks/group_areas.html",
                  {"group": access.group, "access": access, "areas": areas, "form": form,
                   "map": form or AreaForm(areas=areas)}, status=status)


@login_required
@service_errors
def area_edit(request, area_id):
    access, area = area_access(request.user, area_id, require="coordinator")
    form = AreaForm(request.POST or None, areas=selectors.group_areas(access.group), editing=area,
                    initial={"name": area.name, "lat": area.lat, "lon": area.lon})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.area_update(actor=request.user, area=area, name=data["name"], lat=data["lat"], lon=data["lon"])
        except (InvalidInput, Conflict) as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("group_areas", group_id=access.group.public_id)
    return render(request, "networks/area_form.html", {"group": access.group, "area": area, "form": form},
                  status=400 if form.errors else 200)


@require_POST
@login_required
@service_errors
def area_remove(request, area_id):
    access, area = area_access(request.user, area_id, require="coordinator")
    services.area_remove(actor=request.user, area=area)
    messages.success(request, _("“%(name)s” is no longer offered as an area. What was posted in it keeps its name.")
                     % {"name": area.name})
    return redirect("group_areas", group_id=access.group.public_id)


# --- Notifications --------------------------------------------------------------------------------


@login_required
def notifications(request):
    """The member's notifications, newest first. Opening the page is reading them: the ones that were new are marked
    as such on it this once, and the count in the navigation clears."""
    page = paginate(request, selectors.notification_list(request.user))
    page.object_list = list(page.object_list)
    for notification in page.object_list:
        notification.text = selectors.notification_text(notification.kind, notification.params)
    if any(n.read_at is None for n in page.object_list):
        services.notifications_mark_read(actor=request.user)
    return render(request, "networks/notifications.html", {"page": page})


# --- Suspensions (each app takes back what standing allowed: the member_suspended hook) ---------


@require_POST
@login_required
@service_errors
def member_suspend(request, group_id, user_id):
    access, person = member_access(request.user, group_id, user_id)
    group = access.group
    services.suspension_create(actor=request.user, group=group, user=person, reason=request.POST.get("reason", ""))
    messages.success(request, _("%(name)s is suspended. Another coordinator must confirm it within 7 days.")
                     % {"name": person.username})
    return redirect("group_members", group_id=group.public_id)


@require_POST
@login_required
@service_errors
def suspension_confirm(request, suspension_id):
    suspension = selectors.suspension_for(request.user, suspension_id)
    if suspension is None:
        return not_found(request, _("No such suspension."))
    services.suspension_confirm(actor=request.user, suspension=suspension)
    messages.success(request, _("The suspension of %(name)s is confirmed.") % {"name": suspension.user.username})
    return redirect("group_members", group_id=suspension.group.public_id)
