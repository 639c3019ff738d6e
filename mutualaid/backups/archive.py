"""Backing up a whole instance to one archive, and restoring it into an empty one.

The archive is a gzipped tar:

    manifest.json                  what follows, and how to check it (see `manifest` below)
    data/<app_label>.<model>.jsonl one JSON array per row, its columns in the order the manifest lists them
    media/...                      the uploaded files under settings.MEDIA_ROOT (the directory is always there)

Every table of every installed app is saved (our apps, users and their groups and permissions, content types) except
sessions: a session key signs in as its person, so it is never written out, and a restore signs everyone out. Each
table is ordered by primary key and written in dependency order, so that a restore inserts parents before
children. Values are written losslessly: datetimes with their microseconds and offset, UUIDs as text, JSON fields
as the JSON they hold, binary as base64. Rows are inserted as they are (no `save()`, no signals, no auto_now), so
primary keys, UUIDs, timestamps and the audit chain come back bit for bit, whichever database they came from.

A restore refuses, changing nothing, an archive it cannot read, of another or a newer format, with a member whose
SHA-256 does not match, made at another migration state than the target's, or a target that is already in use.
It also refuses an archive whose members are not the sizes its manifest declares, or which declares more bytes in all
than settings.RESTORE_MAX_BYTES; every member is read in blocks, never whole.

The archive is written 0600 (whatever the umask), and restored uploads 0600 in directories created 0700.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import uuid
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any, Callable, Iterable

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_iso_string

from mutualaid.audit.models import AuditEntry, AuditHead
from mutualaid.audit.services import verify_chain

FORMAT = "mutualaid-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA_DIR = "data"
MEDIA_DIR = "media"
CHUNK = 2000
HASH_BLOCK = 1 << 20
MANIFEST_MAX_BYTES = 64 << 20  # about 400,000 members' worth
ROW_MAX_CHARS = 64 << 20  # one row of a data member (a line of JSON)
# Tables never written to a backup: a session key signs in as its person; the worker's queue, schedules and task
# results are its own working state (it writes the schedules again when it starts). A restore skips them in older
# archives.
NOT_BACKED_UP = frozenset({"sessions.session", "django_q.ormq", "django_q.schedule", "django_q.task"})


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why, in words an operator can act on."""


@dataclass
class RestoreResult:
    tables: int
    rows: int
    media_files: int
    audit_message: str
    source_vendor: str
    warnings: list[str] = field(default_factory=list)


# --- Which tables, in which order -----------------------------------------------------------------


def _managed_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]


def backed_up_models() -> list[type[models.Model]]:
    """Every table Django manages but sessions and the models marked `not_backed_up` (they name session keys),
    parents before children (a foreign key's target comes first)."""
    return _dependency_order([m for m in _managed_models()
                              if _label(m) not in NOT_BACKED_UP and not getattr(m, "not_backed_up", False)])


def _dependency_order(candidates: list[type[models.Model]]) -> list[type[models.Model]]:
    present = set(candidates)
    deps = {
        model: {f.related_model for f in model._meta.concrete_fields
                if f.is_relation and f.related_model in present and f.related_model is not model}
        for model in candidates
    }
    ordered: list[type[models.Model]] = []
    done: set[type[models.Model]] = set()
    remaining = list(candidates)
    while remaining:
        ready = [m for m in remaining if deps[m] <= done]
        if not ready:  # a cycle between tables: foreign keys are deferred, so any order commits
            ready = remaining[:1]
        for model in ready:
            ordered.append(model)
            done.add(model)
        remaining = [m for m in remaining if m not in done]
    return ordered


def _columns(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


# --- Values ---------------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    """A column's Python value as JSON, without loss (DjangoJSONEncoder would cut microseconds)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise BackupError(f"cannot save a value of type {type(value).__name__}")


def _encoder(column: models.Field) -> Callable[[Any], Any]:
    if isinstance(column, models.JSONField):
        return lambda value: value  # already JSON
    return _encode


def _decoder(column: models.Field) -> Callable[[Any], Any]:
    if isinstance(column, models.JSONField):
        return lambda value: value  # the JSON the field holds, as it was
    return lambda value: None if value is None else column.to_python(value)


def _dumps(value: Any) -> str:
    # Keys sorted: PostgreSQL's jsonb keeps no key order, so a backup of the same data is the same text whichever
    # database it came from (and the audit chain's own canonical form is sorted too).
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(HASH_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def migration_state(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    state: dict[str, list[str]] = {}
    for app_label, name in MigrationRecorder(connections[using]).applied_migrations():
        state.setdefault(app_label, []).append(name)
    return {app: sorted(names) for app, names in sorted(state.items())}


def _software_version() -> str:
    try:
        from importlib.metadata import version

        return version("mutualaid")
    except Exception:  # noqa: BLE001 - not installed as a distribution (a plain checkout)
        return "unknown"


# --- Backup ---------------------------------------------------------------------------------------


def backup(path: str | os.PathLike, *, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Write the whole instance to `path` (a new .tar.gz). Returns the manifest."""
    target = Path(path)
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name (a backup never overwrites).")
    if not target.parent.is_dir():
        raise BackupError(f"the directory {target.parent} does not exist.")
    connection = connections[using]
    with tempfile.TemporaryDirectory(prefix=".mutualaid-backup-", dir=target.parent) as staging_dir:
        staging = Path(staging_dir)
        (staging / DATA_DIR).mkdir()
        tables, audit = _dump_tables(staging, using=using)
        media_files = _collect_media()
        members: dict[str, dict[str, Any]] = {}
        for table in tables:
            file = staging / table["member"]
            members[table["member"]] = {"sha256": _sha256_file(file), "size": file.stat().st_size}
        for name, source in media_files:
            members[name] = {"sha256": _sha256_file(source), "size": source.stat().st_size}
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "software": {"mutualaid": _software_version(), "django": _django_version()},
            "database": {"vendor": connection.vendor},
            "migrations": migration_state(using),
            "tables": tables,
            "audit": audit,
            "media": {"directory": MEDIA_DIR + "/", "files": len(media_files)},
            "members": members,
        }
        manifest_file = staging / MANIFEST
        manifest_file.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        partial = target.with_name(f".{target.name}.partial")
        try:
            with _open_private(partial) as out, tarfile.open(fileobj=out, mode="w:gz",
                                                             format=tarfile.PAX_FORMAT) as archive:
                archive.add(manifest_file, arcname=MANIFEST)
                archive.add(staging / DATA_DIR, arcname=DATA_DIR, recursive=False)
                for table in tables:
                    archive.add(staging / table["member"], arcname=table["member"])
                media_dir = tarfile.TarInfo(MEDIA_DIR)
                media_dir.type, media_dir.mode = tarfile.DIRTYPE, 0o755
                media_dir.mtime = int(timezone.now().timestamp())
                archive.addfile(media_dir)
                for name, source in media_files:
                    archive.add(source, arcname=name, recursive=False)
            with open(partial, "rb") as written:
                os.fsync(written.fileno())
            partial.replace(target)  # whole or not at all: a crash never leaves half an archive under the name
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def _open_private(path: Path):
    """A new file, mode 0600 whatever the umask (a backup holds every member's contact details and password hash)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "wb")


def _make_private_dirs(directory: Path) -> None:
    """Create `directory` and any missing parents mode 0700, whatever the umask (existing ones are left as they are)."""
    missing = []
    while not directory.is_dir():
        missing.append(directory)
        directory = directory.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            continue
        path.chmod(0o700)


def _django_version() -> str:
    import django

    return django.get_version()


def _dump_tables(staging: Path, *, using: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    connection = connections[using]
    connection.ensure_connection()
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block  # else: the caller's transaction
    if snapshot:
        # Run the (possible) health check now, so that SET TRANSACTION below is the transaction's first statement.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    tables = []
    with transaction.atomic(using=using):
        # One consistent snapshot of every table. On SQLite the transaction starts IMMEDIATE (see settings), so
        # writers wait for the backup; on PostgreSQL a repeatable-read snapshot lets them carry on.
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for model in backed_up_models():
            columns = _columns(model)
            member = f"{DATA_DIR}/{_label(model)}.jsonl"
            rows = 0
            with open(staging / member, "w", encoding="utf-8", newline="\n") as out:
                query = (model._base_manager.using(using).order_by(model._meta.pk.attname)
                         .values_list(*[c.attname for c in columns]))
                encoders = [_encoder(c) for c in columns]
                for row in query.iterator(chunk_size=CHUNK):
                    out.write(_dumps([encode(v) for encode, v in zip(encoders, row)]))
                    out.write("\n")
                    rows += 1
            tables.append({"model": _label(model), "table": model._meta.db_table,
                           "columns": [c.attname for c in columns], "rows": rows, "member": member})
        report = verify_chain(AuditEntry.objects.using(using).order_by("seq").iterator(chunk_size=CHUNK))
        head = AuditHead.objects.using(using).filter(id=1).first()
        audit = {"entries": report.checked if report.ok else AuditEntry.objects.using(using).count(),
                 "head_seq": head.seq if head else 0, "head_hash": head.hash if head else "",
                 "verified": report.ok, "message": report.message}
    return tables, audit


def _collect_media() -> list[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    found: list[tuple[str, Path]] = []
    if not root.is_dir():
        return found
    for directory, subdirs, files in os.walk(root):  # symlinks are not followed: only the files really there
        subdirs.sort()
        for name in sorted(files):
            source = Path(directory) / name
            if source.is_symlink() or not source.is_file():
                continue
            found.append((f"{MEDIA_DIR}/{source.relative_to(root).as_posix()}", source))
    return found


# --- Reading an archive ---------------------------------------------------------------------------


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


class Archive:
    """An opened archive whose manifest and checksums have been checked."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        if not self.path.is_file():
            raise BackupError(f"{self.path} does not exist or is not a file.")
        try:
            self.tar = tarfile.open(self.path, "r:*")
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise BackupError(f"{self.path} is not a readable backup archive ({exc}).") from None
        try:
            self.manifest = self._read_manifest()
            self._check_members()
        except BaseException:
            self.tar.close()
            raise

    def close(self) -> None:
        self.tar.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _read_manifest(self) -> dict[str, Any]:
        try:
            # A backup writes its manifest first: read it before anything else of the archive is decompressed.
            info = self.tar.next()
            if info is None or info.name != MANIFEST or not info.isfile():
                raise BackupError(f"{self.path} has no {MANIFEST} at its start: it is not a mutualaid backup.")
            if info.size > MANIFEST_MAX_BYTES:
                raise BackupError(f"the manifest of {self.path} is {info.size} bytes, more than a manifest can be "
                                  f"({MANIFEST_MAX_BYTES}): the archive was altered.")
            handle = self.tar.extractfile(info)
            manifest = json.loads(handle.read(info.size).decode("utf-8")) if handle else None
        except (tarfile.TarError, OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError) as exc:
            raise BackupError(f"the manifest of {self.path} cannot be read ({exc}): the archive is damaged.") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError(f"{self.path} is not a mutualaid backup (unknown format).")
        version = manifest.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise BackupError(f"{self.path} names no valid format version: it cannot be restored.")
        if version > FORMAT_VERSION:
            raise BackupError(f"{self.path} was written in backup format {version}, newer than this version of "
                              f"mutualaid reads (format {FORMAT_VERSION}): upgrade mutualaid, then restore.")
        if version != FORMAT_VERSION:
            raise BackupError(f"{self.path} is in backup format {version}, which this version does not know.")
        for key in ("tables", "members", "migrations", "database"):
            if key not in manifest:
                raise BackupError(f"the manifest of {self.path} lacks “{key}”: the archive is damaged.")
        self._check_declared_sizes(manifest)
        return manifest

    def _check_declared_sizes(self, manifest: dict[str, Any]) -> None:
        members = manifest["members"]
        if not isinstance(members, dict) or not isinstance(manifest["tables"], list):
            raise BackupError(f"the manifest of {self.path} lists its members wrongly: the archive is damaged.")
        total = 0
        for name, entry in members.items():
            size = entry.get("size") if isinstance(entry, dict) else None
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                raise BackupError(f"the manifest of {self.path} declares no valid size for “{name}”: the archive "
                                  "is damaged or was altered.")
            total += size
        limit = settings.RESTORE_MAX_BYTES
        if total > limit:
            raise BackupError(f"{self.path} declares {total:,} bytes in all, more than RESTORE_MAX_BYTES allows "
                              f"({limit:,}). If the archive is yours and the disk has room, raise RESTORE_MAX_BYTES "
                              "and restore again.")

    def _check_members(self) -> None:
        expected: dict[str, dict[str, Any]] = self.manifest["members"]
        seen: set[str] = set()
        try:
            for info in self.tar:
                if info.name == MANIFEST or (info.isdir() and info.name in (DATA_DIR, MEDIA_DIR)):
                    continue
                if not _safe_member_name(info.name) or not (info.isfile() or info.isdir()):
                    raise BackupError(f"the archive holds an unsafe entry “{info.name}”: refusing it.")
                if info.isdir():
                    continue
                if info.name not in expected:
                    raise BackupError(f"the archive holds “{info.name}”, which its manifest does not list: "
                                      "it was altered.")
                declared = expected[info.name]["size"]
                if info.size != declared:  # checked before a byte of it is read
                    raise BackupError(f"“{info.name}” holds {info.size:,} bytes but the manifest declares a size "
                                      f"of {declared:,}: the archive is damaged or was altered.")
                digest = hashlib.sha256()
                read = 0
                handle = self.tar.extractfile(info)
                for block in iter(lambda: handle.read(HASH_BLOCK), b""):
                    digest.update(block)
                    read += len(block)
                if read != declared:
                    raise BackupError(f"“{info.name}” ends after {read:,} bytes but its declared size is "
                                      f"{declared:,}: the archive is damaged.")
                if digest.hexdigest() != expected[info.name].get("sha256"):
                    raise BackupError(f"checksum mismatch for “{info.name}”: the archive is damaged or was altered.")
                seen.add(info.name)
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise BackupError(f"{self.path} is damaged and cannot be read to the end ({exc}).") from None
        missing = sorted(set(expected) - seen)
        if missing:
            raise BackupError(f"the archive lacks {len(missing)} member(s) its manifest lists, such as "
                              f"“{missing[0]}”: it is incomplete.")
        for table in self.manifest["tables"]:
            if table.get("member") not in expected:
                raise BackupError(f"the manifest names no checked data for {table.get('model')}: it is damaged.")

    def rows(self, table: dict[str, Any]) -> Iterable[list[Any]]:
        text = io.TextIOWrapper(self.tar.extractfile(table["member"]), encoding="utf-8", newline="\n")
        while line := text.readline(ROW_MAX_CHARS + 1):
            if len(line) > ROW_MAX_CHARS:
                raise BackupError(f"a row of {table.get('model')} is longer than {ROW_MAX_CHARS:,} characters: "
                                  "the archive was altered.")
            if line.strip():
                yield json.loads(line)

    def media(self) -> Iterable[tuple[str, int, IO[bytes]]]:
        """Each uploaded file: its path under MEDIA_ROOT, its size, and a stream of its bytes (read it in blocks)."""
        prefix = MEDIA_DIR + "/"
        for name in sorted(self.manifest["members"]):
            if name.startswith(prefix):
                yield name[len(prefix):], self.manifest["members"][name]["size"], self.tar.extractfile(name)


# --- Restore --------------------------------------------------------------------------------------


def instance_in_use(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """What makes the database more than freshly migrated: "<table>: N rows" for each such table.

    A migrated instance may hold what its migrations seed (content types, permissions, default categories, the
    audit chain's empty head); anything a person or a service ever wrote (a user, a session, an audit entry, any
    row that points at a user) means it is in use.
    """
    user_model = get_user_model()
    found = []
    for model in _managed_models():
        manager = model._base_manager.using(using)
        if model is AuditHead:
            manager = manager.exclude(seq=0)
        points_at_user = any(f.is_relation and f.related_model is user_model for f in model._meta.concrete_fields)
        if (model in (user_model, AuditEntry, AuditHead) or points_at_user
                or model._meta.label_lower == "sessions.session"):
            count = manager.count()
            if count:
                found.append(f"{model._meta.db_table}: {count} row{'s' if count != 1 else ''}")
    return found


def _check_compatible(archive: Archive, *, using: str) -> None:
    manifest = archive.manifest
    ours = migration_state(using)
    theirs = manifest["migrations"]
    if ours != theirs:
        differences = []
        for app in sorted(set(ours) | set(theirs)):
            a, b = set(theirs.get(app, [])), set(ours.get(app, []))
            if a - b:
                differences.append(f"{app}: the archive has {', '.join(sorted(a - b))} that this database lacks")
            if b - a:
                differences.append(f"{app}: this database has {', '.join(sorted(b - a))} that the archive lacks")
        raise BackupError("the archive was made at another migration state than this database ("
                          + "; ".join(differences[:5]) + "). Restore with the same version of mutualaid the backup "
                          "was made with (and `mutualaid migrate` to it), then upgrade.")
    models_here = {_label(m): m for m in backed_up_models()}
    labels = [t.get("model") for t in _restored_tables(manifest)]
    if sorted(labels) != sorted(models_here):
        extra, lacking = set(labels) - set(models_here), set(models_here) - set(labels)
        raise BackupError("the archive's tables do not match this installation's "
                          f"(only in the archive: {', '.join(sorted(extra)) or '-'}; "
                          f"only here: {', '.join(sorted(lacking)) or '-'}).")
    for table in _restored_tables(manifest):
        model = models_here[table["model"]]
        here = [c.attname for c in _columns(model)]
        if sorted(table.get("columns", [])) != sorted(here):
            raise BackupError(f"the columns of {table['model']} in the archive do not match this installation's.")


def _restored_tables(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The archive's tables but those never restored (an older archive's sessions: their keys would sign in)."""
    return [t for t in manifest["tables"] if not (isinstance(t, dict) and t.get("model") in NOT_BACKED_UP)]


def _media_target(relative: str) -> Path:
    root = Path(settings.MEDIA_ROOT).resolve()
    target = (root / relative).resolve()
    if root not in target.parents:
        raise BackupError(f"the media file “{relative}” would land outside MEDIA_ROOT: refusing it.")
    return target


def restore(path: str | os.PathLike, *, using: str = DEFAULT_DB_ALIAS) -> RestoreResult:
    """Restore an archive into an empty, migrated database. All or nothing: a refusal or failure changes nothing."""
    with Archive(path) as archive:
        _check_compatible(archive, using=using)
        in_use = instance_in_use(using)
        if in_use:
            raise BackupError("this database is not empty (" + "; ".join(in_use[:6])
                              + "). Restore only into a freshly migrated database: create a new one, run "
                              "`mutualaid migrate`, then `mutualaid restore`.")
        media = [(relative, _media_target(relative)) for relative in
                 (name[len(MEDIA_DIR) + 1:] for name in archive.manifest["members"]
                  if name.startswith(MEDIA_DIR + "/"))]
        clashing = [str(target) for _relative, target in media if target.exists()]
        if clashing:
            raise BackupError(f"{len(clashing)} uploaded file(s) of the archive already exist under MEDIA_ROOT, such "
                              f"as {clashing[0]}: restore into an instance with an empty MEDIA_ROOT.")
        rows, warnings = _load_tables(archive, using=using)
        audit = verify_chain(AuditEntry.objects.using(using).order_by("seq").iterator(chunk_size=CHUNK))
        written = _write_media(archive)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()  # the ids may have changed under this process's cache
    return RestoreResult(tables=len(_restored_tables(archive.manifest)), rows=rows, media_files=written,
                         audit_message=audit.message, source_vendor=archive.manifest["database"].get("vendor", "?"),
                         warnings=warnings)


def _load_tables(archive: Archive, *, using: str) -> tuple[int, list[str]]:
    connection = connections[using]
    manifest = archive.manifest
    models_here = {_label(m): m for m in backed_up_models()}
    tables = _restored_tables(manifest)
    order = [models_here[t["model"]] for t in tables]
    not_restored = [m for m in _managed_models() if _label(m) in NOT_BACKED_UP]
    total = 0
    warnings: list[str] = []
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            # What the target's migrations seeded (content types, permissions, categories, the empty audit head) is
            # replaced by the archive's own rows, so that every primary key comes back as it was.
            # Sessions are never restored: everyone signs in afresh.
            for model in list(reversed(order)) + not_restored:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        for table in tables:
            model = models_here[table["model"]]
            by_name = {c.attname: c for c in _columns(model)}
            columns = [by_name[name] for name in table["columns"]]
            decoders = [_decoder(c) for c in columns]
            count = 0
            batch: list[models.Model] = []
            batch_size = max(1, connection.ops.bulk_batch_size(columns, [None] * CHUNK) or CHUNK)
            for row in archive.rows(table):
                if len(row) != len(columns):
                    raise BackupError(f"a row of {table['model']} has {len(row)} values for {len(columns)} "
                                      "columns: the archive is damaged.")
                batch.append(model(**{c.attname: decode(v) for c, decode, v in zip(columns, decoders, row)}))
                if len(batch) >= batch_size:
                    _insert(model, columns, batch, using=using)
                    count += len(batch)
                    batch = []
            if batch:
                _insert(model, columns, batch, using=using)
                count += len(batch)
            if count != table["rows"]:
                raise BackupError(f"{table['model']}: the archive holds {count} rows but its manifest says "
                                  f"{table['rows']}: it is damaged.")
            total += count
        # Explicit primary keys leave PostgreSQL's sequences behind: move each past its table's largest id.
        statements = connection.ops.sequence_reset_sql(no_style(), order)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
        for table in tables:
            model = models_here[table["model"]]
            if model._base_manager.using(using).count() != table["rows"]:
                raise BackupError(f"{table['model']}: the restored row count differs from the archive's.")
        audit = manifest.get("audit") or {}
        report = verify_chain(AuditEntry.objects.using(using).order_by("seq").iterator(chunk_size=CHUNK))
        if not report.ok:
            if audit.get("verified", True):
                raise BackupError(f"after restoring, the audit chain does not verify ({report.message}); "
                                  "nothing was restored.")
            warnings.append(f"the audit chain was already broken when the backup was made: {report.message}")
        head = AuditHead.objects.using(using).filter(id=1).first()
        if audit and head is not None and (head.seq, head.hash) != (audit.get("head_seq"), audit.get("head_hash")):
            raise BackupError("after restoring, the audit chain's tip differs from the archive's; "
                              "nothing was restored.")
    return total, warnings


def _insert(model: type[models.Model], columns: list[models.Field], objs: list[models.Model], *, using: str) -> None:
    # raw=True: the values go in as they are. bulk_create would let auto_now/auto_now_add fields stamp the time of
    # the restore over the original timestamps, and save() is refused by the append-only audit model.
    model._base_manager._insert(objs, fields=columns, using=using, raw=True)


def _write_media(archive: Archive) -> int:
    """Each uploaded file streamed in blocks to a 0600 file, in directories created 0700."""
    _make_private_dirs(Path(settings.MEDIA_ROOT))
    written = 0
    for relative, size, content in archive.media():
        target = _media_target(relative)
        _make_private_dirs(target.parent)
        partial = target.with_name(f".{target.name}.partial")
        partial.unlink(missing_ok=True)
        try:
            with _open_private(partial) as out:
                shutil.copyfileobj(content, out, HASH_BLOCK)
                out.flush()
                length = out.tell()
            if length != size:
                raise BackupError(f"the uploaded file “{relative}” came out {length:,} bytes instead of {size:,}.")
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        written += 1
    return written
