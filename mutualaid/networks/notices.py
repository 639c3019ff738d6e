"""Notification kinds: each app declares the kinds it sends, with their texts, in its own `notices.py` (found by name:
networks' AppConfig.ready imports every app's), and networks stores and delivers them without knowing any app's kinds.

    SESSION_MOVED = notice_kind("session_moved", label=_("A session moved"),
                                text=_("%(host)s moved “%(session)s”."), names=("host",))
    notify(user=..., kind=SESSION_MOVED, params={"host": ..., "session": ...}, url=...)

`text` is a %-format of the params, translated when shown (in the reader's language: the page's, or the e-mail
recipient's); `label` is said when the params do not fit the text (a kind from an older release). `names` are the
params that hold a user name, so that deleting an account renames it in other people's notifications; `prepare`
turns stored params into what the text shows (a role's code into its translated name).
"""
from __future__ import annotations

from typing import Any, Callable

from django.utils.functional import Promise
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _


class NoticeKind(str):
    """A kind is its code (stored in Notification.kind, compared and filtered as that string), carrying its texts."""

    label: Promise | str
    text: Promise | str
    names: tuple[str, ...]
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None

    def __new__(cls, code: str, label: Promise | str, text: Promise | str, names: tuple[str, ...] = (),
                prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> "NoticeKind":
        kind = super().__new__(cls, code)
        kind.label, kind.text, kind.names, kind.prepare = label, text, tuple(names), prepare
        return kind

    @property
    def code(self) -> str:
        return str.__str__(self)


KINDS: dict[str, NoticeKind] = {}


def notice_kind(code: str, *, label: Promise | str, text: Promise | str, names: tuple[str, ...] = (),
                prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> NoticeKind:
    """Declare a kind (once per code: declaring it again, as a module reload does, replaces it)."""
    if len(code) > 32:
        raise ValueError(f"notification kind {code!r}: at most 32 characters")
    kind = NoticeKind(code, label, text, names, prepare)
    KINDS[code] = kind
    return kind


def name_params() -> set[str]:
    """Every param, of any kind, that holds a user name."""
    return {name for kind in KINDS.values() for name in kind.names}


def notification_text(kind: str | NoticeKind, params: dict[str, Any]) -> str:
    """The notification's sentence in the active language."""
    declared = KINDS.get(str(kind))
    if declared is None:
        return str(kind)
    p = dict(params)
    if declared.prepare is not None:
        p = declared.prepare(p)
    try:
        return str(declared.text % p)  # a plural text (ngettext_lazy with a count key) picks its form here
    except (KeyError, TypeError, ValueError):
        return str(declared.label)


# --- The kinds networks sends -------------------------------------------------------------------------------

def _role(params: dict[str, Any]) -> dict[str, Any]:
    names = {"coordinator": gettext_now("coordinator"), "member": gettext_now("member"),
             "newcomer": gettext_now("newcomer")}
    return {**params, "role": names.get(params.get("role"), params.get("role"))}


def _status(params: dict[str, Any]) -> dict[str, Any]:
    names = {"accepted": gettext_now("accepted"), "declined": gettext_now("declined")}
    return {**params, "status": names.get(params.get("status"), params.get("status"))}


SUSPENDED = notice_kind("suspended", label=_("A member was suspended"),
                        text=_("%(name)s was suspended in %(group)s by a coordinator: %(reason)s"), names=("name",))
APPLICATION_DECIDED = notice_kind("application_decided", label=_("Your application was decided"),
                                  text=_("Your application to %(group)s was %(status)s."), prepare=_status)
APPLICATION_RECEIVED = notice_kind("application_received", label=_("A new application to your group"),
                                   text=_("%(applicant)s applied to join %(group)s."), names=("applicant",))
ROLE_CHANGED = notice_kind("role_changed", label=_("Your role changed"),
                           text=_("You are now a %(role)s in %(group)s."), prepare=_role)
PASSWORD_CHANGED = notice_kind(
    "password_changed", label=_("Your password was changed"),
    text=_("Your password was changed, and every other sign-in and API token of your account was ended. If this "
           "was not you, reset your password at once and tell a coordinator."))
