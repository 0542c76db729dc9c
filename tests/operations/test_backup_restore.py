"""Backup → drop → restore on PostgreSQL loses nothing: every table's rows, every document's bytes, the pages."""

import hashlib
import importlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from meetings.models import Document
from ptf_portal.backups import read_manifest, table_counts
from ptf_portal.history import seed_history
from tests.conftest import REQUIRE_SERVICES
from tests.security.world import build_world

pytestmark = [
    pytest.mark.services,
    # Backups are of PostgreSQL (pg_dump): on SQLite the module is skipped before the database is set up.
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" and not REQUIRE_SERVICES,
                       reason="DATABASE_URL does not point at PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|csrf[_-]?token["\']?\s*[:=]\s*["\'][^"\']+["\']')


@pytest.fixture
def postgres(postgres_database, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    for tool in ("pg_dump", "pg_restore", "psql"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is missing (apt-get install postgresql-client)")
    # Data must be committed for pg_dump to see it (a transactional test), and a transactional test's flush
    # removes the rows `migrate` wrote: the data migrations' own functions put them back.
    for module in ("instances.migrations.0003_create_gec_and_ga", "membership.migrations.0003_secretariat_role_group"):
        migration = importlib.import_module(module)
        (getattr(migration, "create_political_instances", None) or migration.create_secretariat_group)(django_apps, None)
    return postgres_database


def _pages(world) -> dict[tuple[str, str], bytes]:
    """Each role's home, meeting pages and directory, as HTML without the per-request CSRF token."""
    urls = ["/", "/directory/", *(f"/meetings/{m.pk}/" for m in world.meetings.values())]
    pages = {}
    for role, user in world.users.items():
        client = Client()
        client.force_login(user)
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
            pages[(role, url)] = (response.status_code, CSRF.sub(b"", response.content))
    return pages


def _document_digests() -> dict[int, str]:
    return {d.pk: hashlib.sha256(Path(d.file.path).read_bytes()).hexdigest() for d in Document.objects.all()}


def test_backup_drop_restore_loses_nothing(postgres, settings, tmp_path):
    world = build_world()  # every role, meetings with their documents, invitations
    seed_history(years=1, seed=11, allow_existing_data=True)  # and a year of history on top
    pages_before = _pages(world)  # signs each role in: sessions are rows too, counted next
    rows_before = table_counts()
    digests_before = _document_digests()
    assert digests_before and sum(rows_before.values()) > 1000

    call_command("backup", output_dir=str(tmp_path / "backups"))
    [backup_file] = (tmp_path / "backups").glob("ptf-backup-*.tar")
    manifest = read_manifest(backup_file)
    assert manifest["database"]["tables"] == rows_before
    assert len(manifest["media"]) >= len(digests_before)

    # The disk dies: the database's tables and the uploaded files are gone.
    connection.close()
    db = settings.DATABASES["default"]
    subprocess.run(["psql", "-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"], "-d", db["NAME"], "-q",
                    "-c", "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"], check=True)
    shutil.rmtree(settings.MEDIA_ROOT)

    call_command("restore", str(backup_file))
    assert table_counts() == rows_before
    assert _document_digests() == digests_before
    pages_after = _pages(world)
    assert pages_after.keys() == pages_before.keys()
    different = [key for key in pages_before if pages_before[key] != pages_after[key]]
    assert not different, different[:5]


def test_restore_refuses_a_database_that_is_not_empty(postgres, tmp_path):
    call_command("backup", output_dir=str(tmp_path / "backups"))
    [backup_file] = (tmp_path / "backups").glob("ptf-backup-*.tar")
    rows = table_counts()
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(backup_file))
    assert table_counts() == rows


def test_a_damaged_backup_is_refused_before_anything_is_touched(postgres, tmp_path):
    call_command("backup", output_dir=str(tmp_path / "backups"))
    [backup_file] = (tmp_path / "backups").glob("ptf-backup-*.tar")
    data = bytearray(backup_file.read_bytes())
    index = data.find(b"PGDMP")  # inside the dump, after the manifest
    data[index + 200] ^= 0xFF
    backup_file.write_bytes(bytes(data))
    rows = table_counts()
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(backup_file), force=True)
    assert table_counts() == rows
