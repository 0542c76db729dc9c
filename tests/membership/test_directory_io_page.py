"""Annuaire → Importer / Exporter through the browser's requests: same errors as the command, preview, apply."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from membership import directory_io
from membership.importer import import_directory
from membership.models import Partner, Person

from .import_factories import GROUP_COLUMNS, MEMBER_COLUMNS, directory, group, member, write_csv
from .test_importer import BAD_ROWS, nothing_written

pytestmark = pytest.mark.django_db


@pytest.fixture
def seg(client, secretariat_user, settings, tmp_path):
    settings.DIRECTORY_IMPORT_DIR = tmp_path / "uploads"
    client.force_login(secretariat_user)
    return client


def upload(client, **files):
    data = {slot: SimpleUploadedFile(path.name, path.read_bytes()) for slot, path in files.items()}
    return client.post(reverse("membership:directory_import"), data)


def preview_of(response):
    assert response.status_code == 302, response.content.decode()[:2000]
    token = response.url.rstrip("/").split("/")[-1]
    return token, response


@pytest.mark.parametrize(("override", "column", "rule"), BAD_ROWS)
def test_broken_file_gives_the_command_errors_and_writes_nothing(seg, tmp_path, monkeypatch, override, column, rule):
    monkeypatch.chdir(tmp_path)
    override = dict(override)  # the parameter is shared with the other tests of the session
    rows = [member(override.pop("email", "a@fr.org"), **override), member("ok@fr.org", role="deputy")]
    members = write_csv(tmp_path / "members.csv", rows, MEMBER_COLUMNS)
    groups = write_csv(tmp_path / "groups.csv", [group("GT-SANTE")], GROUP_COLUMNS)
    command = [str(e) for e in import_directory(members="members.csv", groups="groups.csv", dry_run=True).errors]
    assert command
    token, response = preview_of(upload(seg, members=members, groups=groups))
    page = seg.get(response.url)
    text = page.content.decode()
    shown = [f"{f}:{line}: {col}: {msg}" + (f" ({r})" if r else "") for f, line, col, msg, r in
             page.context["preview"].errors]
    assert shown == command
    for error in page.context["preview"].errors:
        assert str(error[1]) in text and error[2] in text
    assert 'id="import-apply"' not in text  # with an error nothing can be applied
    kept = [p.name for p in (tmp_path / "uploads").rglob("*") if p.is_file()]
    assert kept == ["preview.json"]  # the file itself is not kept once its errors are listed
    refused = seg.post(reverse("membership:directory_import_apply", args=[token]))
    assert refused.status_code == 302
    assert nothing_written()


def test_upload_preview_apply_and_invite_link(seg, tmp_path, secretariat_user):
    members = write_csv(tmp_path / "annuaire.csv", directory(3), MEMBER_COLUMNS)
    groups = write_csv(tmp_path / "groupes.csv", [group("GT-SANTE", leader="Country0")], GROUP_COLUMNS)
    token, response = preview_of(upload(seg, members=members, groups=groups))
    page = seg.get(response.url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Partenaires créés (3)" in text and "Personnes créées (15)" in text and "Groupes créés (1)" in text
    assert "Mandats qui commencent (15)" in text
    assert not Person.objects.exists()  # the preview writes nothing
    # New partners without a French article: a warning to confirm before importing.
    assert "n’a pas d’article" in text
    unconfirmed = seg.post(reverse("membership:directory_import_apply", args=[token]))
    assert unconfirmed.status_code == 302 and not Person.objects.exists()
    result = seg.post(reverse("membership:directory_import_apply", args=[token]), {"confirm_warnings": "1"})
    assert result.status_code == 200
    assert Person.objects.count() == 15
    assert Person.history.filter(history_user=secretariat_user).count() == 15
    assert {h.history_change_reason for h in Partner.history.all()} == {
        "Import de l’annuaire\u202f: annuaire.csv groupes.csv"}
    invite = result.context["invite_url"]
    assert invite == reverse("membership:access") + "?state=none"
    access = seg.get(invite)
    assert access.status_code == 200 and len(access.context["people"]) == 15
    # Applied once: the preview is gone.
    assert seg.get(reverse("membership:directory_import_preview", args=[token])).status_code == 302


def test_a_stale_preview_is_refused_by_the_page(seg, tmp_path):
    assert import_directory(members=write_csv(tmp_path / "m.csv", directory(2, groups=()), MEMBER_COLUMNS)).ok
    rows = directory(2, groups=())
    rows[0]["last_name"] = "Renamed"
    token, _ = preview_of(upload(seg, members=write_csv(tmp_path / "edit.csv", rows, MEMBER_COLUMNS)))
    other = Person.objects.get(email=rows[1]["email"])
    other.first_name = "Edited"
    other.save()  # someone edits the directory in the admin meanwhile
    response = seg.post(reverse("membership:directory_import_apply", args=[token]), {"confirm_warnings": "1"})
    assert response.status_code == 302 and response.url.endswith(f"/import/{token}/")
    assert not Person.objects.filter(last_name="Renamed").exists()
    messages = [str(m) for m in seg.get(response.url).context["messages"]]
    assert any("L’annuaire a changé depuis cet aperçu" in m for m in messages)


def test_a_file_of_another_kind_is_refused_with_a_message(seg, tmp_path):
    fake = tmp_path / "annuaire.csv"
    fake.write_bytes(b"%PDF-1.7\n" + bytes(range(256)))
    response = upload(seg, members=fake)
    assert response.status_code == 200
    assert "n’est ni un fichier CSV ni un classeur .xlsx" in response.content.decode()


def test_export_page_downloads_a_workbook_and_a_zip(seg, tmp_path):
    assert import_directory(members=write_csv(tmp_path / "m.csv", directory(2, groups=()), MEMBER_COLUMNS)).ok
    url = reverse("membership:directory_export")
    assert seg.get(url).status_code == 200
    workbook = seg.get(url, {"format": "xlsx", "date": "2025-01-01"})
    assert workbook["Content-Disposition"] == 'attachment; filename="annuaire-2025-01-01.xlsx"'
    sheets = load_workbook(io.BytesIO(workbook.content))
    assert sheets.sheetnames == ["membres", "groupes", "troika"] and sheets["membres"].max_row == 1 + 6
    archive = zipfile.ZipFile(io.BytesIO(seg.get(url, {"format": "csv"}).content))
    assert sorted(archive.namelist())[0].endswith("-groups.csv") and len(archive.namelist()) == 3
    assert directory_io.export_tables().members  # the export reads, never writes
