"""The append-only, hash-chained audit log.

`audit` knows no domain: an entry names its actor and object by public id (a UUID string), never by foreign key,
so that a member's personal data can be deleted later without touching the chain.
"""
from __future__ import annotations

import uuid

from django.db import models


class AppendOnlyError(RuntimeError):
    """Raised when the application tries to change or remove an audit entry."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: D102
        raise AppendOnlyError("Audit entries are never updated.")

    def delete(self):  # noqa: D102
        raise AppendOnlyError("Audit entries are never deleted.")


class AuditEntry(models.Model):
    """One state change. `seq` is contiguous from 1; `hash` = sha256(prev_hash + canonical entry)."""

    seq = models.PositiveBigIntegerField(unique=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField()
    actor = models.CharField(max_length=64, blank=True, help_text="Public id of the acting user, empty for the system.")
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit entries are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries are never deleted.")


class AuditHead(models.Model):
    """A single row holding the chain's tip. Writers lock it, so entries are appended one at a time."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_singleton")]


class ScopeStamp(models.Model):
    """The last audited change to a scope ("<kind>:<pk>", as an app names it): a fresh random token written in the
    transaction of every audited change that names the scope. Readers key cached renderings on it, so a cache is
    never older than the data it was made from, whichever process made it (`audit.services.scope_stamp`)."""

    scope = models.CharField(max_length=64, primary_key=True)
    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"{self.scope}@{self.token}"
