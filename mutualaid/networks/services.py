"""Every write to networks, groups, membership, trust, applications and notifications."""
from __future__ import annotations

from datetime import datetime
import secrets
from zoneinfo import available_timezones
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mutualaid.audit.selectors import current_checkpoint
from mutualaid.audit.services import audit_record, audited_atomic, stamp_scopes
from mutualaid.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from mutualaid.core.limits import max_length
from mutualaid.core.validators import check_email, check_lat_lon, check_text

from . import usernames
from .models import (SUSPENSION_LAPSES_AFTER, ApiToken, Application, Group, Membership, Network, Notification,
                     SignedInSession, Suspension, Trust, User, network_scope, user_scope)
from . import notices, signals
from .notices import notification_text
from .selectors import (group_coordinators, group_standings, group_threshold, membership_for, token_cutoff,
                        working_tokens)

# --- Accounts -------------------------------------------------------------------------------------


def user_register(*, username: str, password: str, email: str = "", language: str = "") -> User:
    username = usernames.normalise(username)
    if not username:
        raise InvalidInput(_("Choose a user name."), field="username")
    if len(username) > max_length(User, "username") or not all(c.isalnum() or c in "@.+-_" for c in username):
        raise InvalidInput(_("A user name may hold up to 150 letters, digits and @ . + - _ only."), field="username")
    email = check_email(email)
    candidate = User(username=username, email=email)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="password") from exc
    _check_username_free(username)
    with audited_atomic():
        candidate.language = language if language in {"en", "es"} else ""
        candidate.set_password(password)
        try:
            with audited_atomic():
                candidate.save()
        except IntegrityError as exc:
            raise Conflict(_("That user name is taken. Choose another."), field="username") from exc
        # The user name is personal data: the entry names the person by public id only (see audit.models).
        audit_record(actor=candidate, action="user.registered", obj=candidate,
                     after={"language": candidate.language})
    return candidate


def _check_username_free(username: str) -> None:
    """Refuse a name that is taken (compared after NFKC and case folding) or that looks like one that is (the same
    Unicode TR39 skeleton: a Cyrillic 'а' for a Latin 'a'), so that nobody can pass for a neighbour."""
    key, look = usernames.fold(username), usernames.skeleton(username)
    look_alike = False
    for existing in User.objects.values_list("username", flat=True).iterator(chunk_size=2000):
        if usernames.fold(existing) == key:
            raise Conflict(_("That user name is taken. Choose another."), field="username")
        look_alike = look_alike or usernames.skeleton(existing) == look
    if look_alike:
        raise Conflict(_("That user name looks too much like someone else's. Choose another."), field="username")


def user_update_settings(*, actor: User, language: str) -> User:
    if language not in {"", "en", "es"}:
        raise InvalidInput(_("Unknown language."), field="language")
    with audited_atomic():
        before = {"language": actor.language}
        actor.language = language
        actor.save(update_fields=["language"])
        audit_record(actor=actor, action="user.settings_changed", obj=actor, before=before,
                     after={"language": language})
    return actor


def user_remember_browser_language(*, user: User, language: str) -> None:
    """Remember the language of the browser a member logs in with, for the e-mails of members who follow their
    browser (an explicit language setting wins). Writes only when it changed."""
    if language not in dict(settings.LANGUAGES) or user.language or user.browser_language == language:
        return
    with audited_atomic():
        before = {"browser_language": user.browser_language}
        user.browser_language = language
        user.save(update_fields=["browser_language"])
        audit_record(actor=user, action="user.browser_language_seen", obj=user, before=before,
                     after={"browser_language": language})


def token_create(*, actor: User, label: str = "") -> str:
    """Issue a new API token. The key is returned once; only its hash is stored, with its first characters and the
    member's own name for it."""
    label = " ".join((label or "").split())
    if len(label) > ApiToken.LABEL_MAX:
        raise InvalidInput(_("A token's name may be up to %(max)s characters long.") % {"max": ApiToken.LABEL_MAX},
                           field="label")
    key = secrets.token_urlsafe(32)
    with audited_atomic():
        token = ApiToken.objects.create(user=actor, key_hash=ApiToken.hash_of(key),
                                        key_prefix=key[:ApiToken.PREFIX_LENGTH], label=label)
        audit_record(actor=actor, action="token.created", obj=token)
    return key


def token_revoke(*, actor: User, token_id) -> None:
    """Revoke one of the member's own tokens: it stops working at once. Someone else's token is not found."""
    with audited_atomic():
        token = ApiToken.objects.select_for_update().filter(user=actor, public_id=token_id).first()
        if token is None:
            raise NotFound(_("You have no such token."))
        audit_record(actor=actor, action="token.revoked", obj=token)
        token.delete()


def tokens_purge_expired() -> int:
    """Delete tokens unused for longer than settings.API_TOKEN_IDLE_DAYS (they already no longer work); a periodic
    job of the worker. Returns how many went."""
    if token_cutoff() is None:
        return 0
    with audited_atomic():
        count = ApiToken.objects.exclude(pk__in=working_tokens().values("pk")).delete()[0]
        if count:
            audit_record(actor=None, action="tokens.expired", object_type="networks.apitoken", object_id="",
                         after={"count": count})
    return count


def user_password_set(*, actor: User, new_password: str, how: str, keep_session: str | None = None) -> int:
    """Give the account a new password (`how`: "changed" by the member, or "reset" by e-mail link). Every API token
    of the account stops working, and every session of it ends but `keep_session` (the one that made the change,
    kept by the caller with update_session_auth_hash). The member is told. Returns the number of tokens revoked."""
    try:
        validate_password(new_password, user=actor)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="new_password") from exc
    with audited_atomic():
        actor.set_password(new_password)
        actor.save(update_fields=["password"])
        tokens = ApiToken.objects.filter(user=actor).delete()[0]
        sessions = _user_sessions_delete(actor, keep=keep_session)
        audit_record(actor=actor, action="user.password_set", obj=actor,
                     after={"how": how, "api_tokens_revoked": tokens, "sessions_ended": sessions})
        notify(user=actor, kind=notices.PASSWORD_CHANGED, params={}, url="/settings/")
    return tokens


def user_password_change(*, actor: User, current_password: str, new_password: str) -> int:
    """A member changes their password, giving the current one (`user_password_set` does the rest)."""
    if not current_password or not actor.check_password(current_password):
        raise NotAllowed(_("That is not your current password. Your password was not changed."),
                         field="current_password")
    if new_password == current_password:
        raise InvalidInput(_("The new password is the same as the current one."), field="new_password")
    return user_password_set(actor=actor, new_password=new_password, how="changed")


# --- Network and groups ---------------------------------------------------------------------------


def network_get_or_create(*, name: str = "Mutual Aid Network") -> Network:
    network = Network.objects.order_by("id").first()
    if network is None:
        with audited_atomic():
            network = Network.objects.create(name=name)
            audit_record(actor=None, action="network.created", obj=network)
    return network


def group_create(*, actor: User, name: str, description: str = "", public_description: str = "",
                 location_name: str = "", lat: float | None = None, lon: float | None = None,
                 timezone_name: str = "UTC", languages: list[str] | None = None, is_open: bool = True,
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
    timezone_name = (timezone_name or "UTC").strip()
    if timezone_name not in available_timezones() and timezone_name != "UTC":
        raise InvalidInput(_("Unknown time zone “%(tz)s”: use a name like Europe/Madrid.") % {"tz": timezone_name},
                           field="timezone")
    if trust_threshold is not None and trust_threshold < 1:
        raise InvalidInput(_("The trust threshold must be at least 1."), field="trust_threshold")
    network = network_get_or_create()
    if Group.objects.filter(network=network, name__iexact=name).exists():
        raise Conflict(_("A group with that name already exists."), field="name")
    with audited_atomic():
        try:
            with audited_atomic():
                group = Group.objects.create(
                    network=network, name=name, description=description, public_description=public_description,
                    location_name=location_name, lat=lat, lon=lon, timezone=timezone_name or "UTC",
                    languages=languages or [], is_open=is_open, application_questions=application_questions or [],
                    trust_threshold=trust_threshold,
                )
        except IntegrityError as exc:
            raise Conflict(_("A group with that name already exists."), field="name") from exc
        membership = Membership.objects.create(group=group, user=actor, role=Membership.Role.COORDINATOR,
                                               root=Membership.Root.FOUNDER)
        audit_record(actor=actor, action="group.created", obj=group, scopes=[network_scope(group.network_id)],
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


# --- Trust and roles ------------------------------------------------------------------------------


def _lock_roles(group: Group) -> None:
    """Every change of trust or membership that can move a role takes this lock first, on the group row.

    Locked: a role depends on trust counts, the member count (the default threshold) and the other coordinators
    (the last one is never demoted); reading those and writing the role must not interleave with another change in
    the same group. Taking it first gives one lock order (group, memberships, trust, audit head): no deadlock.
    FOR NO KEY UPDATE, so that rows referring to the group (needs, offers, joins) can still be inserted meanwhile.
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


# --- Suspensions ----------------------------------------------------------------------------------


def suspension_create(*, actor: User, group: Group, user: User, reason: str) -> Suspension:
    """Any coordinator suspends a member at once, with a reason: the person loses their standing (and with it every
    contact detail they could see as a coordinator); they and every coordinator are told. It lapses after seven
    days unless another coordinator confirms it. Callers that know about claims use
    circulation.services.member_suspend, which also hands back the person's live claims in the group."""
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


# --- Applications to closed groups ----------------------------------------------------------------


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


# --- Notifications --------------------------------------------------------------------------------


def one_line(text: str, *, limit: int) -> str:
    """`text` folded to one line of at most `limit` characters, for an e-mail header: every line break and line or
    paragraph separator (CR, LF, VT, FF, U+0085, U+2028, ...) and run of spaces becomes one space. A subject with a
    line break would not be sent at all."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def notify(*, user: User, kind: "notices.NoticeKind | str", params: dict[str, Any], url: str = "") -> None:
    """Record an in-app notification and e-mail it, once the surrounding transaction has committed."""

    def deliver() -> None:
        with transaction.atomic():
            Notification.objects.create(user=user, kind=str(kind), params=params, url=url)
            stamp_scopes([user_scope(user.pk)])  # the unread count in the member's pages
        if user.email:
            with translation.override(user.language or user.browser_language or None):
                text = notification_text(kind, params)
                link = f"{settings.SITE_URL.rstrip('/')}{url}" if url else ""
                if Membership.objects.active().filter(user=user, role=Membership.Role.COORDINATOR).exists():
                    # kept outside the database, so a rewrite of the audit chain is detectable (verify-audit --since)
                    link += "\n\n" + _("Audit checkpoint: %(checkpoint)s") % {"checkpoint": current_checkpoint()}
                send_mail(subject=one_line(text, limit=120), message=f"{text}\n\n{link}".strip(), from_email=None,
                          recipient_list=[user.email], fail_silently=True)

    transaction.on_commit(deliver)


def notifications_mark_read(*, actor: User) -> int:
    with audited_atomic():
        count = Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())
        if count:
            audit_record(actor=actor, action="notifications.read", obj=actor, after={"count": count})
        return count


# --- Deleting an account --------------------------------------------------------------------------


def _placeholder_username() -> str:
    while True:
        name = f"former-member-{secrets.token_hex(4)}"
        if not User.objects.filter(username__iexact=name).exists():
            return name


def user_session_record(*, user: User, session_key: str | None) -> None:
    """Remember that this stored session signs in `user` (at log-in; not audited: no record of who signs in when)."""
    if session_key and settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        SignedInSession.objects.update_or_create(session_key=session_key, defaults={"user": user})


def user_session_forget(*, session_key: str | None) -> None:
    if session_key:
        SignedInSession.objects.filter(session_key=session_key).delete()


def _user_sessions_delete(user: User, *, keep: str | None = None) -> int:
    """Sign the person out everywhere (but in the session `keep`): drop their stored sessions, and only theirs."""
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return 0  # other engines: the changed password hash already invalidates their sessions
    from django.contrib.sessions.models import Session

    theirs = SignedInSession.objects.filter(user=user).exclude(session_key=keep or "")
    keys = list(theirs.values_list("session_key", flat=True))
    count = Session.objects.filter(session_key__in=keys).delete()[0]
    theirs.delete()
    return count


def user_anonymise(*, actor: User) -> tuple[User, dict[str, int]]:
    """Erase a person's personal data from this app, keeping what they did as anonymous records.

    Their memberships end (trust given and received goes, roles are recomputed, as when leaving), pending
    applications are withdrawn and every application's answers erased, their notifications, API tokens and sessions
    are dropped, and the user row keeps only a neutral placeholder name, inactive, with no e-mail, name or password.
    Other people's notifications that named them now name the placeholder. The audit chain is untouched: it names
    people by public id only; the new entries hold no personal data. First every app closes and erases what it
    holds of them (signals.account_closing); their counts are returned with networks' own."""
    with audited_atomic():
        actor = User.objects.select_for_update().get(pk=actor.pk)
        counts = signals.collected(signals.account_closing.send(sender=User, actor=actor))
        old_username = actor.username
        memberships = list(Membership.objects.active().filter(user=actor).select_related("group"))
        for membership in memberships:
            group_leave(actor=actor, group=membership.group)
        Trust.objects.filter(giver=actor).delete()
        Trust.objects.filter(receiver=actor).delete()
        for application in Application.objects.select_for_update().filter(user=actor,
                                                                           status=Application.Status.PENDING):
            application.status = Application.Status.WITHDRAWN
            application.save(update_fields=["status"])
            audit_record(actor=actor, action="application.withdrawn", obj=application,
                         before={"status": "pending"}, after={"status": "withdrawn", "why": "account_deleted"})
        Application.objects.filter(user=actor).update(answers=[])
        Suspension.objects.filter(user=actor).update(reason="")  # what was said about them goes with them
        Notification.objects.filter(user=actor).delete()
        placeholder = _placeholder_username()
        # Others' notifications carry names as they were written ("ben will meet..."): the name goes there too.
        for key in sorted(notices.name_params()):
            for notification in Notification.objects.filter(**{f"params__{key}": old_username}):
                notification.params = {**notification.params, key: placeholder}
                notification.save(update_fields=["params"])
        tokens = ApiToken.objects.filter(user=actor).delete()[0]
        sessions = _user_sessions_delete(actor)
        actor.username = placeholder
        actor.email = actor.first_name = actor.last_name = actor.language = actor.browser_language = ""
        actor.set_unusable_password()
        actor.is_active = actor.is_staff = actor.is_superuser = False
        actor.last_login = None
        actor.save()
        actor.groups.clear()
        actor.user_permissions.clear()
        counts.update(memberships_ended=len(memberships), api_tokens_dropped=tokens, sessions_dropped=sessions)
        audit_record(actor=actor, action="user.anonymised", obj=actor, scopes=actor.group_scopes(), after=counts)
        # Notifications queued earlier in this transaction are written after it commits: none may reach them.
        user_pk = actor.pk
        transaction.on_commit(lambda: Notification.objects.filter(user_id=user_pk).delete())
    return actor, counts
