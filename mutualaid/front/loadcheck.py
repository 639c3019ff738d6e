"""What people do with their own account under load (renew and revoke API tokens, read their list), and what must
hold afterwards: a revoked token never works again, and everyone's current token still does (see
mutualaid.loadcheck)."""
from __future__ import annotations

from mutualaid.loadcheck import action, invariant

PASSWORD = "load-check-passphrase-7"  # the people the networks seeder registers


@action("tokens.list", 0.5)
def list_tokens(client, world) -> bool:
    client.api("tokens.list", "GET", "/me/tokens")
    return True


@action("token.renew", 0.2)
def renew_token(client, world) -> bool:
    """As an app does when it rotates its key: sign in for a new token, switch to it, revoke the old one."""
    response = client.api("token.new", "POST", "/auth/token",
                          {"username": client.person.username, "password": PASSWORD, "label": "load client"})
    if response.status != 200:
        return False
    old, client.person.token = client.person.token, response.data["token"]
    listed = client.api("tokens.list", "GET", "/me/tokens")
    if listed.status != 200:
        return False
    stale = [t["id"] for t in listed.data if t["starts_with"] == old[:len(t["starts_with"])] and not t["current"]]
    for token_id in stale[:1]:
        client.api("token.revoke", "DELETE", f"/me/tokens/{token_id}")
    return True


@invariant("a revoked token is gone; everyone keeps a token that works")
def tokens_hold() -> list[str]:
    """Every token the audit chain says was revoked no longer exists (so it cannot sign anyone in), and every
    person who renewed a token still holds one that has not expired (the new one came before the old one went)."""
    from mutualaid.audit.models import AuditEntry
    from mutualaid.networks.models import ApiToken, User
    from mutualaid.networks.selectors import working_tokens

    problems = []
    revoked = set(AuditEntry.objects.filter(action="token.revoked").values_list("object_id", flat=True))
    alive = {str(pk) for pk in ApiToken.objects.filter(public_id__in=revoked).values_list("public_id", flat=True)}
    if alive:
        problems.append(f"{len(alive)} revoked token(s) still exist, e.g. {sorted(alive)[0]}")
    without = (User.objects.filter(username__startswith="load", is_active=True)
               .exclude(pk__in=working_tokens().values("user_id")).values_list("username", flat=True))
    if without:
        problems.append(f"{len(without)} person(s) were left with no working token, e.g. {sorted(without)[0]}")
    return problems
