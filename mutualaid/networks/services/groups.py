"""The network and its groups: creating a group, joining, leaving, and applying to a closed one."""
from __future__ import annotations

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualaid.audit.services import audit_record, audited_atomic
from mutualaid.core.errors import Conflict, InvalidInput, NotAllowed
from mutualaid.core.limits import max_length
from mutualaid.core.validators import check_country, check_lat_lon, check_text, check_timezone

from .. import notices, signals
from ..models import Application, Group, Membership, Network, Trust, User
from ..selectors import group_coordinators, group_name_taken, membership_for
from .notifications import notify
from .standings import _lock_roles, _recheck_standings


def network_get_or_create(*, name: str = "Mutual Aid Network") -> Network:
    network = Network.objects.order_by("id").first()
    if network is None:
        with audited_atomic():
            network = Network.objects.create(name=name)
            audit_record(actor=None, action="network.created", obj=network)
    return network


def group_create(*, actor: User, name: str, description: str = "", public_description: str = "",
                 location_name: str = "", lat: float | None = None, lon: float | None = None,
                 timezone_name: str = "UTC", country: str = "", languages: list[str] | None = None,
                 is_open: bool = True,
                 application_questions: list[str] | None = None, trust_threshold: int | None = None) -> Group:
    """Create a group. Its creator is its first member and coordinator."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the group a name."), field="name")
    name = check_text(name, field="name", limit=max_length(Group, "name"))
    description = check_text(description, field="description", limit=max_length(Group, "description"))
    public_description = check_text(public_description, field="public_description",
                                    limit=max_length(Group, "public_description"))
    location_name = check_text(location_name, field="location_name", limit=max_length(Group, "location_name"))
    for question in application_questions or []:
        check_text(question, field="application_questions", limit=Group.QUESTION_MAX_LENGTH)
    check_lat_lon(lat, lon)
    country = check_country(country)
    timezone_name = check_timezone(timezone_name, country=country)
    if trust_threshold is not None and trust_threshold < 1:
        raise InvalidInput(_("The trust threshold must be at least 1."), field="trust_threshold")
    network = network_get_or_create()
    if group_name_taken(name):  # the form asks the same first, to tell it with its other errors
        raise Conflict(_("A group with that name already exists."), field="name")
    with audited_atomic():
        try:
            with audited_atomic():
                group = Group.objects.create(
                    network=network, name=name, description=description, public_description=public_description,
                    location_name=location_name, lat=lat, lon=lon, timezone=timezone_name, country=country,
                    languages=languages or [], is_open=is_open, application_questions=application_questions or [],
                    trust_threshold=trust_threshold,
                )
        except IntegrityError as exc:
            raise Conflict(_("A group with that name already exists."), field="name") from exc
        membership = Membership.objects.create(group=group, user=actor, role=Membership.Role.COORDINATOR,
                                               root=Membership.Root.FOUNDER)
        audit_record(actor=actor, action="group.created", obj=group,
                     after={"is_open": is_open, "located": lat is not None})
        audit_record(actor=actor, action="membership.joined", obj=membership,
                     after={"group": str(group.public_id), "role": membership.role, "founder": True})
    return group


def group_join(*, actor: User, group: Group) -> Membership:
    """Join an open group directly."""
    with audited_atomic():
        if membership_for(actor, group) is not None:
            raise Conflict(_("You are already a member of this group."))
        if not group.is_open:
            raise NotAllowed(_("This group is closed: apply to join it."))
        _lock_roles(group)
        try:
            with audited_atomic():
                membership = Membership.objects.create(group=group, user=actor)
        except IntegrityError as exc:
            raise Conflict(_("You are already a member of this group.")) from exc
        audit_record(actor=actor, action="membership.joined", obj=membership,
                     after={"group": str(group.public_id), "role": membership.role})
        _recheck_standings(actor=actor, group=group)  # the member count moves the default threshold
    membership.refresh_from_db()
    return membership


def group_leave(*, actor: User, group: Group) -> None:
    """Leave a group at any time. Trust given and received in it ends; roles follow. Every app first hands back
    what the person had taken on in the group (signals.member_leaving)."""
    with audited_atomic():
        _lock_roles(group)
        membership = (Membership.objects.select_for_update().active()
                      .filter(group=group, user=actor).first())
        if membership is None:
            raise Conflict(_("You are not a member of this group."))
        signals.member_leaving.send(sender=Group, actor=actor, group=group)
        membership.left_at = timezone.now()
        membership.role = Membership.Role.NEWCOMER
        membership.save(update_fields=["left_at", "role"])
        audit_record(actor=actor, action="membership.left", obj=membership,
                     after={"group": str(group.public_id)})
        Trust.objects.filter(group=group, receiver=actor).delete()
        Trust.objects.filter(group=group, giver=actor).delete()
        _recheck_standings(actor=actor, group=group)


def application_submit(*, actor: User, group: Group, answers: list[str]) -> Application:
    if group.is_open:
        raise InvalidInput(_("This group is open: join it directly."))
    answers = [str(a).strip() for a in (answers or [])]
    questions = group.application_questions or []
    if len(answers) != len(questions) or any(not a for a in answers):
        raise InvalidInput(_("Answer every question of the group."), field="answers")
    for answer in answers:
        check_text(answer, field="answers", limit=Application.ANSWER_MAX_LENGTH)
    with audited_atomic():
        if membership_for(actor, group) is not None:
            raise Conflict(_("You are already a member of this group."))
        try:
            with audited_atomic():
                application = Application.objects.create(group=group, user=actor, answers=answers)
        except IntegrityError as exc:
            raise Conflict(_("You have already applied; the coordinators will answer.")) from exc
        audit_record(actor=actor, action="application.submitted", obj=application,
                     after={"group": str(group.public_id)})
        for coordinator in group_coordinators(group):
            notify(user=coordinator, kind=notices.APPLICATION_RECEIVED,
                   params={"group": group.name, "applicant": actor.username},
                   url=f"/groups/{group.public_id}/applications/")
    return application


def application_decide(*, actor: User, application: Application, accept: bool, reason: str = "") -> Application:
    group = application.group
    with audited_atomic():
        own = membership_for(actor, group)
        if own is None or not own.is_coordinator:
            raise NotAllowed(_("Only coordinators of this group can decide applications."))
        # Locked: the pending status read here decides whether we may decide.
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != Application.Status.PENDING:
            raise Conflict(_("This application was already decided."))
        reason = check_text(reason, field="reason", limit=max_length(Application, "reason"))
        if not accept and not reason:
            raise InvalidInput(_("Say why, so the applicant knows."), field="reason")
        application.status = Application.Status.ACCEPTED if accept else Application.Status.DECLINED
        application.decided_by = actor
        application.decided_at = timezone.now()
        application.reason = reason
        application.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        audit_record(actor=actor, action="application.decided", obj=application,
                     before={"status": "pending"}, after={"status": application.status})
        if accept and membership_for(application.user, group) is None:
            _lock_roles(group)
            membership = Membership.objects.create(group=group, user=application.user,
                                                   root=Membership.Root.ACCEPTED)
            audit_record(actor=actor, action="membership.joined", obj=membership,
                         after={"group": str(group.public_id), "role": membership.role, "root": membership.root,
                                "application": str(application.public_id)})
            _recheck_standings(actor=actor, group=group)
        notify(user=application.user, kind=notices.APPLICATION_DECIDED,
               params={"group": group.name, "status": application.status, "reason": application.reason},
               url=f"/groups/{group.public_id}/")
    return application
