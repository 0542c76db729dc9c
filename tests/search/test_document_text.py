"""Documents are searchable by their text: read after the upload by a background task (PDF, .docx, .odt, plain
text), bounded, a failure noted on the document without refusing the upload."""

import io

import docx
import pytest
import weasyprint
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from odf.opendocument import OpenDocumentText
from odf.text import P

from instances.models import Instance
from meetings import extraction, services
from meetings.models import Document
from search.models import SearchEntry
from tests.security.world import build_world, login_as

pytestmark = pytest.mark.django_db


def _pdf(text: str) -> bytes:
    return weasyprint.HTML(string=f"<html lang='fr'><body><p>{text}</p></body></html>").write_pdf()


def _docx(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    table = document.add_table(rows=1, cols=1)
    table.rows[0].cells[0].text = "Tableau budgétaire"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _odt(text: str) -> bytes:
    document = OpenDocumentText()
    document.text.addElement(P(text=text))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture
def meeting(db):
    start = timezone.now() + timezone.timedelta(days=7)
    return services.meeting_create(instance=Instance.objects.get(code="GEC"), title="Session documents",
                                   start=start, end=start + timezone.timedelta(hours=2))


def _attach(meeting, name, data, capture):
    with capture(execute=True):
        document = services.document_attach(meeting=meeting, uploaded_file=SimpleUploadedFile(name, data),
                                            title=f"Pièce {name}")
    return Document.objects.get(pk=document.pk)


@pytest.mark.parametrize("name,build", [("note.pdf", _pdf), ("note.docx", _docx), ("note.odt", _odt)])
def test_text_of_a_real_file_is_read_after_upload_and_indexed(meeting, django_capture_on_commit_callbacks,
                                                              name, build):
    document = _attach(meeting, name, build("Financements des élections régionales"),
                       django_capture_on_commit_callbacks)
    assert document.text_state == Document.TextState.DONE
    assert "Financements des élections régionales" in document.text
    entry = SearchEntry.objects.get(kind="document", object_id=document.pk)
    assert "Financements des élections régionales" in entry.body
    if name.endswith(".docx"):
        assert "Tableau budgétaire" in document.text


def test_plain_text_is_read_and_english_is_recognised(meeting, django_capture_on_commit_callbacks):
    text = "The partners agreed on the financing of the health sector and the schedule of the reviews for this year."
    document = _attach(meeting, "note.txt", text.encode(), django_capture_on_commit_callbacks)
    assert document.text == text
    assert SearchEntry.objects.get(kind="document", object_id=document.pk).language == "en"


def test_a_damaged_file_is_kept_and_its_failure_noted_in_french(meeting, django_capture_on_commit_callbacks):
    document = _attach(meeting, "broken.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                       django_capture_on_commit_callbacks)
    assert Document.objects.filter(pk=document.pk).exists()  # the upload stands
    assert document.text_state == Document.TextState.FAILED
    assert document.text_error == "unreadable" and document.text_failure  # shown to managers in the lists
    assert SearchEntry.objects.filter(kind="document", object_id=document.pk).exists()  # found by its title


def test_images_have_no_text_to_read(meeting, django_capture_on_commit_callbacks):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    try:
        document = _attach(meeting, "photo.png", png, django_capture_on_commit_callbacks)
    except Exception:
        pytest.skip("the upload check refuses this minimal PNG")
    assert document.text_state == Document.TextState.NONE and document.text == ""


def test_extraction_is_bounded_in_size_and_time():
    with pytest.raises(extraction.ExtractionError, match="too_large"):
        extraction.extract_text(b"x" * (extraction.MAX_FILE_BYTES + 1), "text/plain")
    with pytest.raises(extraction.ExtractionError, match="time"):
        extraction.extract_text(_pdf("Lent"), "application/pdf", time_budget=-1)
    long = extraction.extract_text(b"a" * (extraction.MAX_TEXT_CHARS + 10), "text/plain")
    assert long.truncated and len(long.text) == extraction.MAX_TEXT_CHARS


def test_failure_is_shown_in_french_where_documents_are_listed(db, django_capture_on_commit_callbacks):
    world = build_world()
    meeting = world.meetings["gec"]
    _attach(meeting, "cassé.pdf", b"%PDF-1.4 nothing", django_capture_on_commit_callbacks)
    client = Client()
    login_as(client, world, "secretariat")
    html = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "non consultable par la recherche : son texte n’a pas pu être lu (fichier endommagé ou inhabituel)" in html


def test_reindex_command_reads_documents_never_read_and_rebuilds_the_index(meeting):
    # A document stored before text extraction existed: never read.
    document = Document.objects.create(meeting=meeting, title="Ancienne note", filename="old.txt",
                                       content_type="text/plain", size=10, file=SimpleUploadedFile(
                                           "old.txt", "Ancienne note sur la décentralisation".encode()))
    SearchEntry.objects.all().delete()
    call_command("reindex_search", stdout=io.StringIO())
    document.refresh_from_db()
    assert document.text_state == Document.TextState.DONE
    entry = SearchEntry.objects.get(kind="document", object_id=document.pk)
    assert "décentralisation" in entry.body
    assert SearchEntry.objects.filter(kind="meeting", object_id=meeting.pk).exists()
    assert SearchEntry.objects.filter(kind="group", object_id=meeting.instance_id).exists()
    before = SearchEntry.objects.count()
    call_command("reindex_search", stdout=io.StringIO())  # idempotent
    assert SearchEntry.objects.count() == before
