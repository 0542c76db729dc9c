"""Printed documents are bounded: WeasyPrint loads only images in data: URLs and the portal's static files,
over-long minutes get a message instead of 189 pages, and each version of a document is rendered once."""

import base64
import http.server
import threading
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from meetings import services as meeting_services
from secretariat.models import RenderedDocument
from secretariat.reports import pdf
from tests.reports.pdftext import pdf_text

pytestmark = pytest.mark.django_db
# A 1×1 transparent PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


@pytest.fixture
def listener():
    """A real HTTP server on localhost that counts the requests it receives."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def test_pdf_fetcher_refuses_files_the_network_and_non_image_data(listener, tmp_path):
    base, hits = listener
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    png_data = "data:image/png;base64," + base64.b64encode(PNG).decode()
    html = f"""<html><head>
      <link rel="stylesheet" href="{base}/style.css">
      <style>@import url("file:///etc/passwd"); body {{ background: url("{base}/bg.png"); }}</style></head><body>
      <img src="file:///etc/passwd"><img src="file://{secret}"><img src="{base}/pixel.png">
      <img src="https://example.org/x.png"><img src="/../../../../etc/passwd"><img src="/static/../manage.py">
      <iframe src="data:text/html,<img src='file:///etc/passwd'>"></iframe>
      <object data="data:application/pdf;base64,JVBERi0="></object>
      <img src="{png_data}"><img src="/static/favicon.svg"><p>Corps du document</p></body></html>"""
    fetcher = pdf.PortalURLFetcher()
    body = pdf.html_to_pdf(html, url_fetcher=fetcher)
    assert "Corps du document" in pdf_text(body)
    assert hits == []  # nothing reached the network
    refused = " ".join(fetcher.refused)
    for url in ["file:///etc/passwd", f"file://{secret}", f"{base}/pixel.png", f"{base}/style.css",
                "https://example.org/x.png", "portal.invalid/etc/passwd"]:
        assert url in refused, url
    # The portal's own static file and the image written in the page were loaded.
    assert png_data not in fetcher.refused
    assert not any("favicon.svg" in url for url in fetcher.refused)


def test_pdf_fetcher_refuses_what_an_svg_image_asks_for(listener):
    base, hits = listener
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
           f'<image href="file:///etc/passwd" width="5" height="5"/><image href="{base}/a.png" width="5" height="5"/></svg>')
    fetcher = pdf.PortalURLFetcher()
    pdf.html_to_pdf(f'<img src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}"><p>x</p>',
                    url_fetcher=fetcher)
    assert fetcher.refused == ["file:///etc/passwd", f"{base}/a.png"] and hits == []


def test_pdf_fetcher_answers_directly():
    fetcher = pdf.PortalURLFetcher()
    for url in ["file:///etc/passwd", "http://127.0.0.1:9/x.png", "ftp://example.org/a", "data:text/plain,hello",
                "https://portal.invalid/static/../../manage.py", "https://evil.example/static/favicon.svg"]:
        with pytest.raises(pdf.RefusedResource):
            fetcher.fetch(url)
    assert fetcher.fetch("https://portal.invalid/static/favicon.svg").content_type == "image/svg+xml"
    assert fetcher.fetch("data:image/png;base64," + base64.b64encode(PNG).decode()).read() == PNG


def test_pdf_minutes_text_cannot_load_anything(world):
    """The minutes' text is printed as text: an <img> in it is shown, never fetched."""
    meeting_services.minutes_save(meeting=world.held, text='Voir <img src="file:///etc/passwd"> et http://127.0.0.1:9/')
    with mock.patch.object(pdf.PortalURLFetcher, "fetch", side_effect=AssertionError("fetched")):
        text = pdf_text(pdf.meeting_pdf(world.held, pdf.MINUTES, cleared=True)[0])
    assert 'Voir <img src="file:///etc/passwd">' in text


def test_pdf_oversized_minutes_get_a_french_message_not_a_pdf(client, world, secretariat_user, settings):
    settings.PDF_MINUTES_MAX_CHARS = 5_000
    meeting_services.minutes_save(meeting=world.held, text="Compte rendu très détaillé. " * 400)  # 11 200
    client.force_login(secretariat_user)
    with mock.patch.object(pdf, "html_to_pdf", wraps=pdf.html_to_pdf) as render:
        response = client.get(reverse("secretariat:report_minutes", args=[world.held.pk]))
    assert render.call_count == 0
    assert response.status_code == 422 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert ("Le compte rendu est trop long pour être imprimé (11\u202f200\u00a0caractères\u202f; au plus "
            "5\u202f000)") in html
    assert reverse("meetings:detail", args=[world.held.pk]) in html
    with pytest.raises(CommandError, match="trop long"):
        call_command("meeting_pdf", str(world.held.pk), "--kind", "minutes", "--output", "/dev/null")


def test_pdf_oversized_message_in_english(client, world, secretariat_user, settings):
    settings.PDF_MINUTES_MAX_CHARS = 5_000
    meeting_services.minutes_save(meeting=world.held, text="x" * 5_001)
    client.force_login(secretariat_user)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("secretariat:report_minutes", args=[world.held.pk])).content.decode()
    assert "The minutes are too long to be printed (5,001 characters; at most 5,000)" in html


def test_pdf_any_document_whose_html_is_too_long_is_refused(world, settings):
    settings.PDF_MAX_HTML_CHARS = 1_000
    with pytest.raises(pdf.DocumentTooLarge) as refusal:
        pdf.meeting_pdf(world.upcoming, pdf.ATTENDANCE, cleared=True)
    with translation.override("fr"):
        assert refusal.value.message().startswith("Ce document est trop long pour être imprimé (3")


def test_pdf_each_version_is_rendered_once(client, world, secretariat_user):
    client.force_login(secretariat_user)
    url = reverse("secretariat:report_minutes", args=[world.held.pk])
    with mock.patch.object(pdf, "html_to_pdf", wraps=pdf.html_to_pdf) as render:
        first = client.get(url)
        second = client.get(url)
        assert render.call_count == 1  # the second GET is served from the stored PDF
        assert first.content == second.content and first["Content-Type"] == "application/pdf"
        assert RenderedDocument.objects.filter(meeting=world.held).count() == 1
        # Another document, or another reader's variant, is a version of its own.
        client.get(reverse("secretariat:report_convocation", args=[world.held.pk]))
        assert render.call_count == 2
        # A change to the meeting renders again, and only once.
        meeting_services.minutes_save(meeting=world.held, text="La revue conjointe est reportée au second semestre.")
        third = client.get(url)
        assert render.call_count == 3 and "reportée au second semestre" in pdf_text(third.content)
        client.get(url)
        assert render.call_count == 3
        convocation = reverse("secretariat:report_convocation", args=[world.upcoming.pk])
        client.get(convocation)
        meeting_services.meeting_reschedule(meeting=world.upcoming, start=world.upcoming.start,
                                            end=world.upcoming.end, place="Salle Niger (changée)")
        assert "Salle Niger (changée)" in pdf_text(client.get(convocation).content)
        assert render.call_count == 5
    # One stored row per variant, replaced in place.
    assert RenderedDocument.objects.filter(meeting=world.held, kind=pdf.MINUTES).count() == 1
