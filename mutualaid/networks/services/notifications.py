"""Notifications: recording one and e-mailing it once the transaction commits; marking them read."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mutualaid.audit.selectors import current_checkpoint
from mutualaid.audit.services import audit_record, audited_atomic, stamp_scopes

from .. import notices
from ..models import Membership, Notification, User, user_scope
from ..notices import notification_text


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
