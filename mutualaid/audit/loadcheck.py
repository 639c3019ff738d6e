"""The audit chain after load (see mutualaid.loadcheck): every entry chains onto the one before it."""
from __future__ import annotations

from mutualaid.loadcheck import invariant


@invariant("the audit chain verifies")
def audit_chain_verifies() -> list[str]:
    from .services import verify_chain

    report = verify_chain()
    return [] if report.ok else [report.message]
