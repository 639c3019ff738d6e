"""Appending to the audit chain and checking it."""
from __future__ import annotations

import hashlib
import json
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from django.db import transaction
from django.utils import timezone

from .models import AuditEntry, AuditHead, ScopeStamp

GENESIS = "0" * 64


def _canonical(value: Any) -> Any:
    """JSON-safe form of a before/after value: UUIDs, dates and decimals become strings."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def entry_digest(*, prev_hash: str, seq: int, created_at: str, actor: str, action: str, object_type: str,
                 object_id: str, before: Any, after: Any) -> str:
    payload = json.dumps(
        {
            "seq": seq, "created_at": created_at, "actor": actor, "action": action,
            "object_type": object_type, "object_id": object_id, "before": before, "after": after,
        },
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


class _Pending(threading.local):
    """Entries recorded inside `audited_atomic`, waiting to be appended when its outermost block ends."""

    def __init__(self) -> None:
        self.depth = 0
        self.entries: list[dict[str, Any]] = []


_pending = _Pending()


@contextmanager
def audited_atomic() -> Iterator[None]:
    """`transaction.atomic` for a service. Its audit entries are appended together just before the outermost such
    block commits, so the chain's head row is always the LAST lock a write takes: no lock-order deadlock between a
    service that locks domain rows after auditing and one that locks them before, and the head, which every writer
    takes, is held for the shortest time. Entries of an inner block that fails are dropped with its savepoint."""
    outermost = _pending.depth == 0
    mark = len(_pending.entries)
    with transaction.atomic():
        _pending.depth += 1
        try:
            yield
            if outermost and _pending.entries:
                stamp_scopes(scope for record in _pending.entries for scope in record["scopes"])
                _append(_pending.entries)
        except BaseException:
            del _pending.entries[mark:]
            raise
        finally:
            _pending.depth -= 1
            if outermost:
                _pending.entries = []


def audit_record(*, actor: Any, action: str, obj: Any = None, object_type: str = "", object_id: str = "",
                 before: dict | None = None, after: dict | None = None, scopes: Iterable[str] = ()
                 ) -> AuditEntry | None:
    """Record one entry. Must run inside the caller's transaction, so the entry commits with the change: inside
    `audited_atomic` it is appended when that block ends (None is returned); inside a plain `transaction.atomic`
    at once (the entry is returned).

    `actor` is a user (anything with `public_id`), or None for the system. `before`/`after` hold no personal data:
    callers record that contact details changed, never what they are.

    The change also stamps its scopes (`scope_stamp`): those given, and those the object names with an
    `audit_scopes()` method.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside transaction.atomic")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.public_id)
    actor_id = str(actor.public_id) if actor is not None and getattr(actor, "public_id", None) else ""
    scopes = {*scopes, *(obj.audit_scopes() if hasattr(obj, "audit_scopes") else ())}
    record = {"actor": actor_id, "action": action, "object_type": object_type, "object_id": object_id,
              "before": _canonical(before), "after": _canonical(after), "scopes": scopes}
    if _pending.depth:
        _pending.entries.append(record)
        return None
    stamp_scopes(scopes)
    return _append([record])[0]


def stamp_scopes(scopes: Iterable[str]) -> None:
    """Stamp scopes for a change that has no audit entry of its own (a notification arriving); audited changes are
    stamped by `audit_record`. Call it inside the change's transaction.

    A new token for each scope, in sorted order (two writers lock shared scope rows in the same order, and before
    the chain's head, so they never deadlock). An upsert: no read, no race on a scope's first stamp."""
    scopes = sorted(set(scopes))
    if scopes:
        ScopeStamp.objects.bulk_create([ScopeStamp(scope=s, token=uuid.uuid4().hex) for s in scopes],
                                       update_conflicts=True, unique_fields=["scope"], update_fields=["token"])


def scope_stamp(scope: str) -> str:
    """The token of the last committed change to `scope` ("" before any). Read it BEFORE the data a cached rendering
    is made from: a change committed in between then only makes the cache entry newer than its key says.

    One primary-key lookup on every cached page: written in SQL, as compiling the ORM query would cost more than
    running it."""
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(f"SELECT token FROM {ScopeStamp._meta.db_table} WHERE scope = %s", [scope])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else ""


def _append(records: list[dict[str, Any]]) -> list[AuditEntry]:
    # The head row is locked so that two writers never chain onto the same tip.
    AuditHead.objects.get_or_create(id=1)
    head = AuditHead.objects.select_for_update().get(id=1)
    seq, prev = head.seq, head.hash
    created_at = timezone.now()
    entries = []
    for record in records:
        record = {k: v for k, v in record.items() if k != "scopes"}
        seq += 1
        digest = entry_digest(prev_hash=prev, seq=seq, created_at=created_at.isoformat(), **record)
        entries.append(AuditEntry(seq=seq, created_at=created_at, prev_hash=prev, hash=digest, **record))
        prev = digest
    AuditEntry.objects.bulk_create(entries)
    AuditHead.objects.filter(id=1).update(seq=seq, hash=prev)
    return entries


@dataclass
class ChainReport:
    ok: bool
    checked: int
    message: str
    first_bad_seq: int | None = None


@dataclass(frozen=True)
class Checkpoint:
    """A point of the chain, held outside the database (mailed to coordinators, stored by an operator): entry `seq`
    has hash `hash`. Written "SEQ:HASH"; "0:<64 zeros>" is the empty chain."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """"SEQ:HASH" (SEQ a whole number, HASH 64 hexadecimal digits); ValueError naming the format otherwise."""
        seq, sep, digest = text.strip().partition(":")
        digest = digest.lower()
        if not (sep and seq.isascii() and seq.isdigit() and len(digest) == 64
                and all(c in "0123456789abcdef" for c in digest)):
            raise ValueError(f"a checkpoint is SEQ:HASH (a sequence number, a colon, 64 hexadecimal digits), "
                             f"not {text!r}")
        return cls(int(seq), digest)


def verify_chain(entries: Iterable[AuditEntry] | None = None, *, since: Checkpoint | None = None) -> ChainReport:
    """Recompute every hash in order. Names the first entry that was altered, removed or inserted.

    A consistent rewrite (an entry edited, every later hash and the head recomputed) verifies on its own; `since`,
    a checkpoint held elsewhere, catches it: entry `since.seq` must still have `since.hash`."""
    if since is not None and since.seq == 0 and since.hash != GENESIS:
        return ChainReport(False, 0, f"entry #0 does not match the checkpoint: the chain starts from {GENESIS}, "
                                     f"the checkpoint says {since.hash}", 0)
    if entries is None:
        entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainReport(False, checked, f"entry #{expected_seq} is missing (next found is #{entry.seq})",
                               expected_seq)
        if entry.prev_hash != prev_hash:
            return ChainReport(False, checked, f"entry #{entry.seq} does not follow entry #{entry.seq - 1}",
                               entry.seq)
        digest = entry_digest(
            prev_hash=entry.prev_hash, seq=entry.seq, created_at=entry.created_at.isoformat(), actor=entry.actor,
            action=entry.action, object_type=entry.object_type, object_id=entry.object_id,
            before=entry.before, after=entry.after,
        )
        if digest != entry.hash:
            return ChainReport(False, checked, f"entry #{entry.seq} ({entry.action}) was altered", entry.seq)
        if since is not None and entry.seq == since.seq and entry.hash != since.hash:
            return ChainReport(False, checked, f"entry #{entry.seq} does not match the checkpoint: its hash is "
                                               f"{entry.hash}, the checkpoint says {since.hash} (the chain was "
                                               f"rewritten at or before #{entry.seq})", entry.seq)
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and (head.seq != checked or head.hash != prev_hash):
        return ChainReport(False, checked, f"entry #{checked + 1} is missing (the chain's tip is #{head.seq})",
                           checked + 1)
    if since is not None and since.seq > checked:
        return ChainReport(False, checked, f"entry #{since.seq} of the checkpoint is missing (the chain ends at "
                                           f"#{checked}: it was cut back)", since.seq)
    message = f"audit chain verified: {checked} entries"
    if since is not None:
        message += f"; checkpoint #{since.seq} matches"
    return ChainReport(True, checked, message)
