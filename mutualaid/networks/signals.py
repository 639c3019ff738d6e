"""Hooks other apps contribute to a member's life in networks, without networks knowing them (Django signals; each
app's receivers are in its `receivers.py`, found by name: networks' AppConfig.ready imports every app's):

- `member_leaving(actor, group)`: inside the transaction of leaving a group, before the membership ends. Hand back
  what the person had taken on there.
- `account_closing(actor)`: inside the transaction of deleting an account, before anything of networks' is erased.
  Close and erase what the app holds of the person; return a dict of counts (they go into the audit entry).
- `member_suspended(actor, group, user)`: inside the transaction of a suspension, once the person's standing is
  gone. Take back what standing allowed them there.
- `member_export(user)`: return a dict of the sections the app adds to the member's data export.
"""
from django.dispatch import Signal

member_leaving = Signal()
account_closing = Signal()
member_suspended = Signal()
member_export = Signal()


def collected(responses) -> dict:
    """The receivers' dicts, merged (for account_closing and member_export)."""
    merged: dict = {}
    for _receiver, response in responses:
        merged.update(response or {})
    return merged
