"""Backups of everything that cannot be recreated (the database and the uploaded files), and their restore.

A backup is one tar file: `manifest.json` (release, time, every table's row count, every file's SHA-256),
`database.dump` (`pg_dump -Fc`) and `media/…` (the uploaded files). It is consistent: the dump and the list of
files the database refers to are read from one exported PostgreSQL snapshot, and a referenced file missing
from the media folder fails the backup rather than leaving a hole found only on the day of the restore.
A restore checks the manifest's checksums first, then loads the dump and the files, then compares every
table's row count with the manifest.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from core.version import VERSION

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA_PREFIX = "media/"
# What a restore needs besides the file: the secrets themselves are never in a backup.
SETTINGS_NEEDED = [
    "SECRET_KEY (the same one: sessions, RSVP and calendar links, activation links are signed with it)",
    "DATABASE_URL (an empty database of the same or a newer PostgreSQL major version)",
    "MEDIA_ROOT or VAR_DIR (where the uploaded files go back)",
    "SITE_URL, ALLOWED_HOSTS, DEFAULT_FROM_EMAIL, SECRETARIAT_EMAIL, EMAIL_* (the mail links and senders)",
    "INBOUND_IMAP_* (the secretariat's mailbox), ADMINS, STATUS_TOKEN",
]


class BackupError(Exception):
    """The backup or the restore cannot be done as asked; nothing was half-written."""


@dataclass
class BackupResult:
    path: Path
    tables: int
    rows: int
    files: int
    seconds: float


def _database_url_parts() -> dict:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError("backups need PostgreSQL (DATABASE_URL=postgres://…); SQLite is for development only")
    return db


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = ["--host", db.get("HOST") or "localhost", "--port", str(db.get("PORT") or 5432),
            "--username", db.get("USER") or "postgres"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _file_fields():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                yield model, field


def table_counts() -> dict[str, int]:
    """Every table's row count, in the current transaction's snapshot (history and join tables included)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 -- introspected
            counts[table] = cursor.fetchone()[0]
    return counts


def referenced_files() -> set[str]:
    names = set()
    for model, field in _file_fields():
        names |= {n for n in model._default_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
                  if n}
    return names


def backup(output_dir: Path) -> BackupResult:
    """Write one backup file into `output_dir` and return what it holds."""
    started = time.monotonic()
    db = _database_url_parts()
    output_dir.mkdir(parents=True, exist_ok=True)
    media = Path(settings.MEDIA_ROOT)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    target = output_dir / f"ptf-backup-{stamp}.tar"
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".partial-") as work:
        dump = Path(work) / DUMP
        # One snapshot for the dump, the row counts and the list of referenced files.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            args, env = _pg_env(db)
            done = subprocess.run(
                ["pg_dump", "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", *args,
                 "--file", str(dump), db["NAME"]],
                env=env, capture_output=True, text=True,
            )
            if done.returncode:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()[:500]}")
            counts = table_counts()
            referenced = referenced_files()
        missing = sorted(name for name in referenced if not (media / name).is_file())
        if missing:
            raise BackupError(f"{len(missing)} file(s) the database refers to are missing from {media}: "
                              f"{', '.join(missing[:5])}")
        files = sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []
        manifest = {
            "format": 1, "release": VERSION, "created_at": timezone.now().isoformat(),
            "database": {"file": DUMP, "sha256": _sha256(dump), "tables": counts},
            "media": {str(p.relative_to(media)): _sha256(p) for p in files},
            "referenced_files": len(referenced),
            "settings_needed": SETTINGS_NEEDED,
        }
        partial = Path(work) / target.name
        with tarfile.open(partial, "w") as archive:
            data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(time.time())
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=DUMP)
            for path in files:
                archive.add(path, arcname=MEDIA_PREFIX + str(path.relative_to(media)))
        os.replace(partial, target)  # a backup file exists whole or not at all
    return BackupResult(target, len(counts), sum(counts.values()), len(files), time.monotonic() - started)


def read_manifest(path: Path) -> dict:
    try:
        with tarfile.open(path, "r") as archive:
            return json.load(archive.extractfile(MANIFEST))
    except (OSError, KeyError, tarfile.TarError, json.JSONDecodeError, AttributeError) as exc:
        raise BackupError(f"{path} is not a backup of this portal: {exc}") from exc


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def restore(path: Path, *, force: bool = False) -> dict:
    """Load a backup into the (empty) database of DATABASE_URL and MEDIA_ROOT; returns what was checked.

    Refuses a database with tables or a media folder with files unless `force` (then both are replaced).
    """
    started = time.monotonic()
    db = _database_url_parts()
    manifest = read_manifest(path)
    media = Path(settings.MEDIA_ROOT)
    if not force and not _database_is_empty():
        raise BackupError("the database is not empty: restore into a new database, or pass --force to replace it")
    if not force and media.exists() and any(p.is_file() for p in media.rglob("*")):
        raise BackupError(f"{media} holds files: restore into an empty folder, or pass --force to replace them")
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        with tarfile.open(path, "r") as archive:
            archive.extractall(work, filter="data")
        if _sha256(work / DUMP) != manifest["database"]["sha256"]:
            raise BackupError("the database dump does not match its checksum: the backup file is damaged")
        for name, digest in manifest["media"].items():
            if _sha256(work / MEDIA_PREFIX / name) != digest:
                raise BackupError(f"{name} does not match its checksum: the backup file is damaged")
        connection.close()
        args, env = _pg_env(db)
        if force:
            subprocess.run(["psql", *args, "-v", "ON_ERROR_STOP=1", "-q", "-d", db["NAME"], "-c",
                            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"], env=env, check=True,
                           capture_output=True)
        done = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args,
                               "--dbname", db["NAME"], str(work / DUMP)], env=env, capture_output=True, text=True)
        if done.returncode:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()[:500]}")
        if force and media.exists():
            shutil.rmtree(media)
        media.mkdir(parents=True, exist_ok=True)
        for name in manifest["media"]:
            destination = media / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / MEDIA_PREFIX / name, destination)
    with transaction.atomic():
        counts = table_counts()
    expected = manifest["database"]["tables"]
    differing = {t: (expected.get(t), counts.get(t)) for t in set(expected) | set(counts)
                 if expected.get(t) != counts.get(t)}
    if differing:
        raise BackupError(f"row counts differ after the restore: {dict(sorted(differing.items())[:5])}")
    return {"release": manifest["release"], "created_at": manifest["created_at"], "tables": len(counts),
            "rows": sum(counts.values()), "files": len(manifest["media"]), "seconds": time.monotonic() - started}


def prune(output_dir: Path, *, keep_daily: int, keep_monthly: int) -> list[Path]:
    """Keep the newest backup of each of the last `keep_daily` days and of the last `keep_monthly` months;
    delete the rest. Returns what was deleted."""
    backups = sorted(output_dir.glob("ptf-backup-*.tar"), reverse=True)

    def day(path: Path) -> str:
        return path.name.removeprefix("ptf-backup-")[:8]

    keep: set[Path] = set()
    for key, count in ((lambda p: day(p), keep_daily), (lambda p: day(p)[:6], keep_monthly)):
        seen: list[str] = []
        for path in backups:
            if key(path) not in seen:
                seen.append(key(path))
                if len(seen) <= count:
                    keep.add(path)
    deleted = [p for p in backups if p not in keep]
    for path in deleted:
        path.unlink()
    return deleted


def next_run(now: datetime.datetime, at: datetime.time) -> datetime.datetime:
    """The next time of day `at` after `now` (in now's time zone)."""
    candidate = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return candidate if candidate > now else candidate + datetime.timedelta(days=1)
