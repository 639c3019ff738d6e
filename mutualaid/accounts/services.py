"""A member's own data: everything the platform holds about them, and deleting their account.

Each app exports and erases what it holds (networks: `user_export_data`, `user_anonymise`; circulation:
`user_circulation_export`, `user_circulation_close`); this module composes them, like `mutualaid.demo`, and may
import every app. No app imports it: the web views, the API and the command line call it. Passwords and tokens are
the user's, and written by networks' services.
"""
from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from mutualaid.audit.models import AuditEntry
from mutualaid.audit.services import audit_record, audited_atomic
from mutualaid.circulation import selectors as circulation_selectors
from mutualaid.circulation import services as circulation_services
from mutualaid.errors import NotAllowed
from mutualaid.networks import selectors as networks_selectors
from mutualaid.networks import services as networks_services
from mutualaid.networks.models import User, group_scope

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
        **circulation_selectors.user_circulation_export(user),
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
    transaction: what they had taken on and asked for is closed (circulation), then their account anonymised
    (networks). Returns the anonymised user row."""
    if not password or not actor.check_password(password):
        raise NotAllowed(_("That is not your password. Your account was not deleted."), field="password")
    with audited_atomic():
        # Pages that show their name on a need or a match, also in groups they never joined (after a referral).
        named_in = [group_scope(g) for g in circulation_selectors.user_circulation_groups(actor)]
        counts = circulation_services.user_circulation_close(actor=actor)
        user = networks_services.user_anonymise(actor=actor)
        audit_record(actor=user, action="account.deleted", obj=user, after=counts, scopes=named_in)
    return user
