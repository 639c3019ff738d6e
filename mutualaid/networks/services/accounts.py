"""People's accounts: signing up, settings, API tokens, passwords, the sessions that sign them in,
and erasing a person's data when they delete their account."""
from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mutualaid.audit.services import audit_record, audited_atomic
from mutualaid.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from mutualaid.core.limits import max_length
from mutualaid.core.validators import check_email

from .. import notices, signals, usernames
from ..models import ApiToken, Application, Membership, Notification, SignedInSession, Suspension, Trust, User
from ..selectors import token_cutoff, username_refusal, working_tokens
from .groups import group_leave
from .notifications import notify


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
    refusal = username_refusal(username)
    if refusal:
        raise Conflict(refusal, field="username")


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


def _placeholder_username() -> str:
    while True:
        name = f"former-member-{secrets.token_hex(4)}"
        if not User.objects.filter(username__iexact=name).exists():
            return name


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
        # Others' notifications carry names as they were written ("ben will bring..."): the name goes there too.
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
