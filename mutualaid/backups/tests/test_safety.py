"""What a backup may hold and how it is kept (issue 9, findings 5 and 8): private file modes, no sessions, and a
restore that streams, checks every declared size and refuses an archive larger than RESTORE_MAX_BYTES."""
from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import tarfile
import tracemalloc
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client

from mutualaid.backups import archive
from mutualaid.backups.tests.helpers import empty_database, snapshot
from mutualaid.backups.tests.test_archive import _rewrite
from mutualaid.networks.models import User

PASSWORD = "a-long-passphrase-42"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def loose_umask():
    """Run with umask 0, so that only explicit modes can make a file private."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def _members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {info.name: tar.extractfile(info).read() for info in tar if info.isfile()}


def _signs_in(session_key: str) -> bool:
    client = Client()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session_key
    response = client.get("/groups/")
    return response.wsgi_request.user.is_authenticated


# --- File modes -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_backup_archive_is_written_0600_whatever_the_umask(tmp_path, make_user, media_root, loose_umask):
    make_user("olga")
    path = tmp_path / "site.tar.gz"
    archive.backup(path)
    assert _mode(path) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.tar.gz"]  # no staging or partial file left


def test_settings_create_var_secret_key_and_sqlite_database_private(tmp_path):
    var = tmp_path / "fresh" / "var"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(MUTUALAID_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="mutualaid.settings")
    script = ("import os; os.umask(0); import django; django.setup()\n"
              "from django.db import connection\n"
              "with connection.cursor() as c: c.execute('CREATE TABLE probe (x integer)'); "
              "c.execute('INSERT INTO probe VALUES (1)')\n")
    subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=django_settings.BASE_DIR, timeout=60)
    assert _mode(var) == 0o700
    assert _mode(var / "secret_key") == 0o600 and (var / "secret_key").read_text().strip()
    assert _mode(var / "mutualaid.sqlite3") == 0o600
    for extra in ("mutualaid.sqlite3-wal", "mutualaid.sqlite3-shm"):  # SQLite gives these the database's mode
        if (var / extra).exists():
            assert _mode(var / extra) == 0o600, extra


# --- Sessions -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_sessions_are_not_backed_up_and_a_restore_signs_everyone_out(tmp_path, make_user, media_root, monkeypatch):
    client = Client()
    client.force_login(make_user("olga"))  # a real session row, as signing in makes (the fixture's password: PASSWORD)
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert _signs_in(key)

    path = tmp_path / "site.tar.gz"
    manifest = archive.backup(path)
    assert "sessions.session" not in {t["model"] for t in manifest["tables"]}
    members = _members(path)
    assert not any("session" in name for name in members)
    assert not any(key.encode() in data for data in members.values()), "a session key is in the backup"

    # An archive written before sessions were left out still restores, without its sessions.
    monkeypatch.setattr(archive, "NOT_BACKED_UP", frozenset())
    old_style = tmp_path / "old-style.tar.gz"
    archive.backup(old_style)
    monkeypatch.undo()
    assert any(key.encode() in data for data in _members(old_style).values())

    for source in (path, old_style):
        empty_database()
        call_command("restore", str(source))
        assert User.objects.get(username="olga").check_password(PASSWORD)
        assert not _signs_in(key)
        assert not Session.objects.exists()


# --- Declared sizes and the limit -----------------------------------------------------------------


@pytest.fixture
def small_archive(tmp_path, make_user, media_root) -> Path:
    make_user("olga")
    (media_root / "avatars").mkdir(parents=True)
    (media_root / "avatars" / "olga.png").write_bytes(b"\x89PNG" + bytes(range(256)))
    path = tmp_path / "small.tar.gz"
    archive.backup(path)
    return path


def _counts():
    return {label: len(rows) for label, rows in snapshot().items()}


@pytest.mark.django_db(transaction=True)
def test_an_archive_whose_manifest_declares_other_sizes_is_refused_and_changes_nothing(small_archive, tmp_path,
                                                                                       media_root):
    def forged(prefix: str, *, grow: int, declared_delta: int) -> Path:
        with tarfile.open(small_archive, "r:gz") as tar:
            manifest = json.loads(tar.extractfile("manifest.json").read())
            name = next(n for n in sorted(manifest["members"]) if n.startswith(prefix))
            data = tar.extractfile(name).read() + b"\n" * grow
        manifest["members"][name]["sha256"] = hashlib.sha256(data).hexdigest()
        manifest["members"][name]["size"] = len(data) - grow + declared_delta

        def change(member, content):
            if member == name:
                return data
            if member == "manifest.json":
                return json.dumps(manifest).encode()
            return content
        return _rewrite(small_archive, tmp_path / f"forged-{prefix.replace('/', '-')}-{grow}-{declared_delta}.tar.gz",
                        change)

    bad = [
        forged("media/", grow=1 << 16, declared_delta=0),  # a bigger member than declared
        forged("data/", grow=10, declared_delta=0),
        forged("media/", grow=0, declared_delta=-1),  # a smaller declared size, checksum still right
    ]
    negative = _rewrite(small_archive, tmp_path / "negative.tar.gz", _declare_all(-1))

    empty_database()
    for file in media_root.rglob("*"):
        if file.is_file():
            file.unlink()
    before = _counts()
    for path in bad + [negative]:
        with pytest.raises(CommandError, match="restore refused: .*size"):
            call_command("restore", str(path))
        assert _counts() == before, f"{path.name} changed the database"
        assert not any(f.is_file() for f in media_root.rglob("*")), f"{path.name} wrote a file"
    call_command("restore", str(small_archive))  # the intact archive still restores


def _declare_all(size):
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        first = sorted(manifest["members"])[0]
        manifest["members"][first]["size"] = size
        return json.dumps(manifest).encode()
    return change


@pytest.mark.django_db(transaction=True)
def test_an_archive_declaring_more_than_restore_max_bytes_is_refused(small_archive, settings, media_root):
    with tarfile.open(small_archive, "r:gz") as tar:
        declared = sum(m["size"] for m in json.loads(tar.extractfile("manifest.json").read())["members"].values())
    empty_database()
    for file in media_root.rglob("*"):
        if file.is_file():
            file.unlink()
    before = _counts()
    settings.RESTORE_MAX_BYTES = declared - 1
    with pytest.raises(CommandError, match="RESTORE_MAX_BYTES"):
        call_command("restore", str(small_archive))
    assert _counts() == before
    settings.RESTORE_MAX_BYTES = declared
    call_command("restore", str(small_archive))


def test_restore_max_bytes_has_a_default_of_2_gib():
    assert django_settings.RESTORE_MAX_BYTES == 2 * 1024 ** 3 or "RESTORE_MAX_BYTES" in os.environ


# --- Streaming ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_restore_streams_a_large_member_and_writes_private_files(tmp_path, make_user, media_root):
    size = 50 * 1024 * 1024
    make_user("olga")
    big = media_root / "uploads" / "2025" / "zeros.bin"
    big.parent.mkdir(parents=True)
    with open(big, "wb") as out:
        block = bytes(1 << 20)
        for _ in range(size // len(block)):
            out.write(block)
    path = tmp_path / "big.tar.gz"
    archive.backup(path)
    assert path.stat().st_size < size // 100  # highly compressible
    empty_database()
    big.unlink()
    big.parent.rmdir()
    big.parent.parent.rmdir()

    tracemalloc.start()
    try:
        call_command("restore", str(path))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert big.stat().st_size == size
    assert peak < size // 5, f"restore peaked at {peak} bytes for a {size}-byte member"
    assert _mode(big) == 0o600
    assert _mode(big.parent) == 0o700 and _mode(big.parent.parent) == 0o700
