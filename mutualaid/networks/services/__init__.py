"""Every write to networks, groups, membership, trust, applications and notifications, one module per
aggregate: `accounts` (people, tokens, passwords, sessions, erasure), `groups` (groups, joining, leaving,
applications), `areas` (a group's named areas), `standings` (trust, roles, suspensions), `notifications`. Import
the writes from here: `from mutualaid.networks.services import group_join`."""
from __future__ import annotations

from .accounts import (token_create, token_revoke, tokens_purge_expired, user_anonymise, user_password_change,
                       user_password_set, user_register, user_remember_browser_language, user_session_forget,
                       user_session_record, user_update_settings)
from .areas import area_add, area_remove, area_update
from .groups import application_decide, application_submit, group_create, group_join, group_leave, network_get_or_create
from .notifications import notifications_mark_read, notify, one_line
from .standings import suspension_confirm, suspension_create, suspensions_lapse, trust_give, trust_withdraw

__all__ = [
    "application_decide", "area_add", "area_remove", "area_update", "application_submit", "group_create",
    "group_join", "group_leave", "network_get_or_create", "notifications_mark_read", "notify", "one_line",
    "suspension_confirm", "suspension_create", "suspensions_lapse", "token_create", "token_revoke",
    "tokens_purge_expired", "trust_give", "trust_withdraw", "user_anonymise", "user_password_change",
    "user_password_set", "user_register", "user_remember_browser_language", "user_session_forget",
    "user_session_record", "user_update_settings",
]
