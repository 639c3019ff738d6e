"""A member's own data: everything the platform holds about them, and deleting their account.

Each app exports and erases what it holds through networks' hooks (networks.signals: `member_export`,
`account_closing`), so that a new app adds its part without an edit here. No app imports this module: the web views,
the API and the command line call it. Passwords and tokens are the user's, and written by networks' services.
"""
from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from mutualaid.audit.models import AuditEntry
from mutualaid.audit.services import audit_record, audited_atomic
from mutualaid.core.errors import NotAllowed
from mutualaid.networks import selectors as networks_selectors
from mutualaid.networks import services as networks_services
from mutualaid.networks.models import User

EXPORT_FORMAT = "mutualaid-member-data"
EXPORT_VERSION = 1


def account_export(user: User) -> dict[str, Any]:
    """Everything the platform holds about `user`, as JSON-ready data. Other people's contact details are never
    in it: a need's contact record is there only for the needs the person posted for themselves."""
    audit = AuditEntry.objects.filter(actor=str(user.public_id)).order_by("seq")
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": timezone.now().isoformat(),
        **networks_selectors.user_export_data(user),
        "audit_entries": [
            {"seq": e.seq, "created_at": e.created_at.isoformat(), "action": e.action,
             "object_type": e.object_type, "object_id": e.object_id, "before": e.before, "after": e.after}
            for e in audit.iterator(chunk_size=2000)
        ],
    }


def export_filename(user: User) -> str:
    return f"mutualaid-data-{user.username}-{timezone.now():%Y-%m-%d}.json"


def account_delete(*, actor: User, password: str) -> User:
    """Delete the person's account: their personal data goes, their past contributions stay as anonymous records.

    Asks for their password again, so that a session left open on a shared phone cannot erase someone. In one
    transaction: every app closes what they had taken on and asked for and erases what they wrote, then their account
    is anonymised (networks.services.user_anonymise). Returns the anonymised user row."""
    if not password or not actor.check_password(password):
        raise NotAllowed(_("That is not your password. Your account was not deleted."), field="password")
    with audited_atomic():
        user, counts = networks_services.user_anonymise(actor=actor)
        audit_record(actor=user, action="account.deleted", obj=user, after=counts)
    return user
