"""Trust and the standings it makes (newcomer, member, coordinator), and suspensions, which take a
standing away. Every role change happens in _recheck_standings, under the group's lock."""
from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualaid.audit.services import audit_record, audited_atomic
from mutualaid.core.errors import Conflict, InvalidInput, NotAllowed
from mutualaid.core.limits import max_length
from mutualaid.core.validators import check_text

from .. import notices, signals
from ..models import SUSPENSION_LAPSES_AFTER, Group, Membership, Suspension, Trust, User
from ..selectors import group_coordinators, group_standings, group_threshold, membership_for
from .notifications import notify


def _lock_roles(group: Group) -> None:
    """Every change of trust or membership that can move a role takes this lock first, on the group row.

    Locked: a role depends on trust counts, the member count (the default threshold) and the other coordinators
    (the last one is never demoted); reading those and writing the role must not interleave with another change in
    the same group. Taking it first gives one lock order (group, memberships, trust, audit head): no deadlock.
    FOR NO KEY UPDATE, so that rows referring to the group (other apps' rows, joins) can still be inserted meanwhile.
    """
    Group.objects.select_for_update(no_key=True).filter(pk=group.pk).first()


def _recheck_standings(*, actor: User | None, group: Group) -> None:
    """The one place roles change: after any change of trust, roots or membership in the group (the member count
    moves the default threshold). Caller holds the transaction and the group's lock (_lock_roles)."""
    standings = group_standings(group)
    # Locked: the roles read here are rewritten from the standings just computed.
    # Only the membership rows (of=self): locking the joined user rows would block every insert naming a member.
    memberships = list(Membership.objects.select_for_update(no_key=True, of=("self",)).active().filter(group=group)
                       .select_related("user"))
    if not any(role == Membership.Role.COORDINATOR for role, _counted in standings.values()):
        # Redundancy: a group never loses its last coordinators through a change of trust, or no one could accept
        # applications or do proxy intake any more. The role moves only when another member has earned it.
        for m in memberships:
            if m.role == Membership.Role.COORDINATOR:
                standings[m.user_id] = (Membership.Role.COORDINATOR, standings[m.user_id][1])
    threshold = group_threshold(group, members=len(memberships))
    for membership in memberships:
        new_role, counted = standings[membership.user_id]
        if new_role == membership.role:
            continue
        before = {"role": membership.role}
        membership.role = new_role
        membership.save(update_fields=["role"])
        audit_record(actor=actor, action="membership.role_changed", obj=membership, before=before,
                     after={"role": new_role, "trust": counted, "threshold": threshold})
        notify(user=membership.user, kind=notices.ROLE_CHANGED,
               params={"group": group.name, "role": new_role}, url=f"/groups/{group.public_id}/members/")


def trust_give(*, actor: User, group: Group, receiver: User) -> Trust:
    if actor.pk == receiver.pk:
        raise NotAllowed(_("You cannot give trust to yourself."))
    with audited_atomic():
        _lock_roles(group)
        if membership_for(actor, group) is None:
            raise NotAllowed(_("Only members of this group can give trust in it."))
        if membership_for(receiver, group) is None:
            # Read under the group's lock: a receiver who is leaving right now is either still here or gone.
            raise InvalidInput(_("%(name)s is not a member of this group.") % {"name": receiver.username})
        try:
            with audited_atomic():
                trust = Trust.objects.create(group=group, giver=actor, receiver=receiver)
        except IntegrityError as exc:
            raise Conflict(_("You already trust %(name)s in this group.") % {"name": receiver.username}) from exc
        audit_record(actor=actor, action="trust.given", obj=trust,
                     after={"group": str(group.public_id), "receiver": str(receiver.public_id), "role": trust.role})
        _recheck_standings(actor=actor, group=group)
    return trust


def trust_withdraw(*, actor: User, group: Group, receiver: User) -> None:
    with audited_atomic():
        _lock_roles(group)
        trust = Trust.objects.select_for_update().filter(group=group, giver=actor, receiver=receiver).first()
        if trust is None:
            raise Conflict(_("You have not given trust to %(name)s here.") % {"name": receiver.username})
        audit_record(actor=actor, action="trust.withdrawn", obj=trust,
                     before={"group": str(group.public_id), "receiver": str(receiver.public_id), "role": trust.role})
        trust.delete()
        _recheck_standings(actor=actor, group=group)


def suspension_create(*, actor: User, group: Group, user: User, reason: str) -> Suspension:
    """Any coordinator suspends a member at once, with a reason: the person loses their standing (and with it every
    contact detail they could see as a coordinator), and each app takes back what standing allowed there (the
    `member_suspended` hook); they and every coordinator are told. It lapses after seven days unless another
    coordinator confirms it."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why, so the member and the other coordinators know."), field="reason")
    reason = check_text(reason, field="reason", limit=max_length(Suspension, "reason"))
    if actor.pk == user.pk:
        raise NotAllowed(_("You cannot suspend yourself."))
    with audited_atomic():
        _lock_roles(group)
        own = membership_for(actor, group)
        if own is None or not own.is_coordinator:
            raise NotAllowed(_("Only coordinators of this group can suspend a member."))
        if membership_for(user, group) is None:
            raise InvalidInput(_("%(name)s is not a member of this group.") % {"name": user.username})
        now = timezone.now()
        # Locked with the group: an open suspension read here decides whether a new one may start.
        for open_one in Suspension.objects.select_for_update().filter(group=group, user=user, ended_at__isnull=True):
            if open_one.in_force(now):
                raise Conflict(_("%(name)s is already suspended here.") % {"name": user.username})
            open_one.ended_at = open_one.created_at + SUSPENSION_LAPSES_AFTER  # lapsed unconfirmed
            open_one.save(update_fields=["ended_at"])
        suspension = Suspension.objects.create(group=group, user=user, suspended_by=actor, reason=reason)
        audit_record(actor=actor, action="suspension.created", obj=suspension,
                     after={"group": str(group.public_id), "user": str(user.public_id)})
        _recheck_standings(actor=actor, group=group)
        signals.member_suspended.send(sender=Suspension, actor=actor, group=group, user=user)
        params = {"name": user.username, "group": group.name, "reason": reason}
        for person in {user, *group_coordinators(group)} - {actor}:
            notify(user=person, kind=notices.SUSPENDED, params=params,
                   url=f"/groups/{group.public_id}/members/")
    return suspension


def suspension_confirm(*, actor: User, suspension: Suspension) -> Suspension:
    """A second coordinator confirms a suspension: it no longer lapses, and the standing stays removed."""
    group = suspension.group
    with audited_atomic():
        _lock_roles(group)
        own = membership_for(actor, group)
        if own is None or not own.is_coordinator:
            raise NotAllowed(_("Only coordinators of this group can confirm a suspension."))
        # Locked: the state read here decides the confirmation.
        suspension = Suspension.objects.select_for_update().get(pk=suspension.pk)
        if suspension.suspended_by_id == actor.pk:
            raise NotAllowed(_("Another coordinator confirms a suspension, not the one who made it."))
        if not suspension.in_force():
            raise Conflict(_("This suspension has lapsed or ended."))
        if suspension.confirmed_at is not None:
            raise Conflict(_("This suspension is already confirmed."))
        suspension.confirmed_by = actor
        suspension.confirmed_at = timezone.now()
        suspension.save(update_fields=["confirmed_by", "confirmed_at"])
        audit_record(actor=actor, action="suspension.confirmed", obj=suspension,
                     before={"confirmed": False}, after={"confirmed": True})
    return suspension


def suspensions_lapse(*, now: datetime | None = None) -> int:
    """The periodic job: end the suspensions no second coordinator confirmed within seven days, and give the people
    their standing back (re-checked, and they are told). Returns how many lapsed."""
    now = now or timezone.now()
    lapsed = 0
    for pk, group_id in (Suspension.objects.filter(ended_at__isnull=True, confirmed_at__isnull=True,
                                                   created_at__lte=now - SUSPENSION_LAPSES_AFTER)
                         .values_list("pk", "group_id")):
        with audited_atomic():
            group = Group.objects.get(pk=group_id)
            _lock_roles(group)
            # Locked: a confirmation may have come in meanwhile; what is read here decides the lapse.
            suspension = Suspension.objects.select_for_update().get(pk=pk)
            if suspension.ended_at is not None or suspension.in_force(now):
                continue
            suspension.ended_at = suspension.created_at + SUSPENSION_LAPSES_AFTER
            suspension.save(update_fields=["ended_at"])
            audit_record(actor=None, action="suspension.lapsed", obj=suspension,
                         before={"ended": False}, after={"ended": True})
            _recheck_standings(actor=None, group=group)
            lapsed += 1
    return lapsed
