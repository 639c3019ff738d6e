"""Backup and restore in this process: a full round trip of the demo network, and every refusal."""
from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mutualaid.front import demo
from mutualaid.audit.models import AuditEntry
from mutualaid.audit.services import verify_chain
from mutualaid.backups import archive
from mutualaid.backups.tests.helpers import empty_database, snapshot
from mutualaid.circulation import services as circulation
from mutualaid.circulation.models import Need, NeedContact
from mutualaid.networks import services as networks
from mutualaid.networks.models import User


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.mark.django_db(transaction=True)
def test_round_trip_gives_back_every_row_of_every_table_and_a_verifying_chain(tmp_path, media_root):
    demo.load()
    (media_root / "avatars").mkdir(parents=True)
    (media_root / "avatars" / "amara.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    before = snapshot()
    assert len(before["audit.auditentry"]) > 50 and len(before["circulation.needcontact"]) > 5
    path = tmp_path / "instance.tar.gz"

    manifest = archive.backup(path)

    assert manifest["format_version"] == archive.FORMAT_VERSION
    assert {t["model"]: t["rows"] for t in manifest["tables"]} == {label: len(rows) for label, rows in before.items()}
    assert manifest["audit"]["verified"] and manifest["migrations"]["circulation"]
    assert "media/avatars/amara.png" in manifest["members"]

    empty_database()
    for file in media_root.rglob("*"):
        if file.is_file():
            file.unlink()
    assert archive.instance_in_use() == [] and not User.objects.exists()

    result = archive.restore(path)

    after = snapshot()
    assert after.keys() == before.keys()
    for label in before:  # every table, every column, row for row (primary keys, UUIDs, timestamps, JSON)
        assert after[label] == before[label], f"{label} differs after restore"
    assert result.rows == sum(len(rows) for rows in before.values())
    assert verify_chain().ok
    assert (media_root / "avatars" / "amara.png").read_bytes().endswith(bytes(range(256)))
    # The restored instance works on: new rows get fresh ids (sequences moved past the restored ones), and the
    # demo's people sign in with their password.
    newcomer = networks.user_register(username="after-restore", password="a-long-passphrase-42")
    assert newcomer.pk > max(row[0] for row in before["networks.user"])
    assert User.objects.get(username="amara").check_password(demo.PASSWORD)
    assert verify_chain().ok


@pytest.fixture
def small_archive(tmp_path, make_user, media_root) -> Path:
    """An archive of a small instance (a group, a need with contact details), taken in this test's database."""
    owner = make_user("olga")
    group = networks.group_create(actor=owner, name="Northside Pod")
    circulation.need_create(actor=owner, group=group, title="Groceries", category="groceries", quantity=2,
                            contact={"phone": "+44 7700 900123"})
    path = tmp_path / "small.tar.gz"
    archive.backup(path)
    return path


def _rewrite(source: Path, target: Path, change) -> Path:
    """Copy an archive member by member, letting `change(name, data)` alter each member's bytes."""
    with tarfile.open(source, "r:gz") as src, tarfile.open(target, "w:gz") as dst:
        for info in src:
            data = src.extractfile(info).read() if info.isfile() else None
            if data is not None:
                data = change(info.name, data)
                info.size = len(data)
                dst.addfile(info, io.BytesIO(data))
            else:
                dst.addfile(info)
    return target


def _manifest_change(**updates):
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest.update(updates)
        return json.dumps(manifest).encode()
    return change


def _counts():
    return {label: len(rows) for label, rows in snapshot().items()}


@pytest.mark.django_db
def test_restore_refuses_a_database_in_use_and_changes_nothing(small_archive):
    before = snapshot()
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(small_archive))
    assert snapshot() == before


@pytest.mark.django_db
def test_backup_never_overwrites_a_file(small_archive):
    size = small_archive.stat().st_size
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(small_archive))
    assert small_archive.stat().st_size == size


@pytest.mark.django_db(transaction=True)
def test_damaged_or_foreign_archives_are_refused_and_change_nothing(small_archive, tmp_path):
    def flip_a_byte(name, data):
        if name.startswith("data/circulation.needcontact"):
            return data.replace(b"900123", b"900124")
        return data

    bad = {
        "checksum mismatch": _rewrite(small_archive, tmp_path / "flipped.tar.gz", flip_a_byte),
        "newer than this version": _rewrite(small_archive, tmp_path / "newer.tar.gz",
                                            _manifest_change(format_version=archive.FORMAT_VERSION + 1)),
        "not a mutualaid backup": _rewrite(small_archive, tmp_path / "foreign.tar.gz",
                                           _manifest_change(format="something-else")),
        "migration state": _rewrite(small_archive, tmp_path / "migrations.tar.gz",
                                    _manifest_change(migrations={"circulation": ["0001_initial"]})),
    }
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(small_archive.read_bytes()[: small_archive.stat().st_size // 2])
    bad["damaged"] = truncated
    not_an_archive = tmp_path / "notes.txt"
    not_an_archive.write_text("shopping list")
    bad["not a readable backup archive"] = not_an_archive

    empty_database()
    before = _counts()
    for message, path in bad.items():
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(path))
        assert _counts() == before, f"{path.name} changed the database"
        assert archive.instance_in_use() == []
    # The intact archive still restores into that same empty database.
    call_command("restore", str(small_archive))
    assert NeedContact.objects.get().phone == "+44 7700 900123"
    assert Need.objects.count() == 1 and verify_chain().ok and AuditEntry.objects.exists()
