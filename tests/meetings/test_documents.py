"""Uploads checked on content (magic bytes), stored under random names; A4 confidentiality of documents."""

import pytest
from django.core.exceptions import ValidationError

from meetings import services
from meetings.models import Document
from meetings.uploads import DOCX, ODT, PDF, validate_upload
from tests.factories import ga, gec
from tests.meetings.factories import docx, item, meeting, pdf, upload, zip_bytes

pytestmark = pytest.mark.django_db

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def test_pdf_is_stored_under_a_random_name_with_its_original_name_kept():
    m = meeting(gec())
    doc = services.document_attach(meeting=m, uploaded_file=pdf("Note de cadrage.pdf"), title="Note")
    assert (doc.filename, doc.content_type, doc.confidential) == ("Note de cadrage.pdf", PDF, False)
    assert "cadrage" not in doc.file.name and doc.file.name.startswith(f"documents/{m.pk}/")
    assert doc.file.read().startswith(b"%PDF-")


def test_rule_A4_ga_documents_confidential_by_default():
    m = meeting(ga())
    assert services.document_attach(meeting=m, uploaded_file=pdf(), title="x").confidential is True


@pytest.mark.parametrize("name,content,expected", [
    ("a.png", PNG_BYTES, "image/png"),
    ("a.jpg", JPEG_BYTES, "image/jpeg"),
    ("a.csv", "nom;montant\nSanté;12\n".encode(), "text/csv"),
    ("a.txt", b"plain text\n", "text/plain"),
    ("a.odt", zip_bytes({"mimetype": ODT, "content.xml": "<x/>"}), ODT),
])
def test_accepted_types(name, content, expected):
    assert validate_upload(upload(name, content)) == expected


def test_docx_recognised_by_its_content_types_entry():
    assert validate_upload(docx()) == DOCX


@pytest.mark.parametrize("uploaded", [
    upload("malware.pdf", b"MZ\x90\x00\x03\x00\x00\x00"),                      # an executable named .pdf
    upload("report.docx", b"%PDF-1.4 not a word file"),                        # a PDF named .docx
    upload("macro.docx", zip_bytes({"[Content_Types].xml":
                                    "<Types ContentType='application/vnd.ms-word.document.macroEnabled.main+xml'/>"})),
    upload("archive.docx", zip_bytes({"readme.txt": "hello"})),               # a plain zip
    upload("data.txt", b"\x00\x01\x02binary"),                                 # binary named .txt
    upload("script.html", b"<html><script>alert(1)</script></html>"),          # type not accepted
    upload("noext", b"%PDF-1.4"),
    upload("empty.pdf", b""),
])
def test_refused_uploads(uploaded):
    m = meeting(gec())
    with pytest.raises(ValidationError):
        services.document_attach(meeting=m, uploaded_file=uploaded, title="x")
    assert not Document.objects.exists()


def test_size_limit(settings):
    settings.DOCUMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError):
        validate_upload(upload("big.pdf", b"%PDF-" + b"0" * 200))


def test_document_on_an_item_of_another_meeting_is_refused():
    other_item = item(meeting(gec(), days=50))
    with pytest.raises(ValidationError):
        services.document_attach(meeting=meeting(gec()), uploaded_file=pdf(), title="x", agenda_item=other_item)
