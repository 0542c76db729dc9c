"""Uploads judged on content and size; CSV exports cannot carry spreadsheet formulas."""

import csv
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from meetings.uploads import validate_upload
from membership.models import Mandate
from tests.factories import InstitutionFactory, PartnerFactory, PersonFactory, gec
from tests.security.world import _meeting, _seat

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def zipped(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_real_pdf_is_accepted():
    assert validate_upload(SimpleUploadedFile("report.pdf", PDF)) == "application/pdf"


@pytest.mark.parametrize(
    "name,content",
    [
        ("report.pdf", b"<html><script>alert(document.cookie)</script></html>"),  # HTML posing as a PDF
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),  # a Windows EXE
        ("note.docx", zipped({"evil.exe": b"MZ"})),  # a renamed zip, not a Word document
        ("note.docx", zipped({"[Content_Types].xml": "application/vnd.ms-word.document.macroEnabled.main+xml"})),
        ("photo.png", PDF),  # right bytes, wrong name
        ("tool.exe", b"MZ\x90\x00"),  # a refused type
        ("page.html", b"<html></html>"),
        ("report", PDF),  # no extension
        ("empty.pdf", b""),
    ],
)
def test_uploads_are_judged_on_their_content(name, content):
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile(name, content))


def test_oversized_uploads_are_refused(settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile("big.pdf", PDF + b"0" * 2048))
    assert "limit" in str(error.value) or "limite" in str(error.value)


def test_document_upload_view_refuses_a_disguised_file_and_writes_nothing(secretariat_user):
    from meetings.models import Document

    meeting = _meeting(gec(), 20, "Upload check")
    client = Client(raise_request_exception=False)
    client.force_login(secretariat_user)
    fake = SimpleUploadedFile("minutes.pdf", b"<html><script>x()</script></html>", content_type="application/pdf")
    response = client.post(reverse("meetings:document_add", kwargs={"pk": meeting.pk}),
                           {"title": "Minutes", "kind": "agenda", "file": fake})
    assert response.status_code in (200, 302, 400)
    assert not Document.objects.exists()
    # The same form with a real PDF goes through: the refusal above was about the content.
    real = SimpleUploadedFile("minutes.pdf", PDF, content_type="application/pdf")
    client.post(reverse("meetings:document_add", kwargs={"pk": meeting.pk}),
                {"title": "Minutes", "kind": "agenda", "file": real})
    assert Document.objects.count() == 1


@pytest.mark.parametrize("evil", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)"])
def test_distribution_csv_export_neutralises_formulas(secretariat_user, evil):
    person = PersonFactory(last_name=evil, first_name=evil, institution=InstitutionFactory(
        name=evil, partner=PartnerFactory(name=f"{evil} partner")))
    _seat(person, gec(), Mandate.Role.TITULAR)
    meeting = _meeting(gec(), 20, "CSV export")
    client = Client()
    client.force_login(secretariat_user)
    response = client.get(reverse("secretariat:distribution_csv", kwargs={"meeting_id": meeting.pk}))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert any(evil in cell for cell in cells)  # the person is in the export…
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]  # …with no live formula
