"""Meeting documents as PDF, rendered from HTML templates by WeasyPrint (Pango from the system's packages).

The document's language is the meeting's (French unless told otherwise); the reader's clearance decides
what a convocation or minutes may show (A4) and is decided by the caller through the access policy.

Rendering is bounded and done once per version:
- WeasyPrint fetches nothing but images written in `data:` URLs and the portal's own static files
  (`PortalURLFetcher`): no `file:`, no network, whatever a template or a text slipped into the HTML.
- Minutes longer than PDF_MINUTES_MAX_CHARS, or a document whose HTML exceeds PDF_MAX_HTML_CHARS, are refused
  with a message (`DocumentTooLarge`) before WeasyPrint runs.
- The PDF is stored (`RenderedDocument`) under the digest of the HTML it came from, and served again until
  something it shows changes.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import unicodedata
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from meetings.models import Meeting
from secretariat.models import RenderedDocument
from secretariat.reports import documents
from secretariat.reports.documents import ATTENDANCE, CONVOCATION, KINDS, MINUTES  # noqa: F401 (re-exported)

TEMPLATES = {
    CONVOCATION: "secretariat/reports/convocation.html",
    ATTENDANCE: "secretariat/reports/attendance_sheet.html",
    MINUTES: "secretariat/reports/minutes.html",
}


STYLESHEET = Path(__file__).with_name("pdf.css")
# Relative URLs in a document resolve against this (never fetched: the fetcher maps its static paths to files).
BASE_URL = "https://portal.invalid/"
# Bumped when a change of code (not of HTML or stylesheet) changes the PDFs, so stored ones are rendered again.
RENDERING_VERSION = "1"
logger = logging.getLogger(__name__)


class DocumentTooLarge(ValueError):
    """The document would be too long to print; `message()` says why, in the active language."""

    def __init__(self, *, what: str, count: int, limit: int):
        super().__init__(f"{what}: {count} characters, at most {limit}")
        self.what, self.count, self.limit = what, count, limit

    def message(self) -> str:
        numbers = {"count": _number(self.count), "limit": _number(self.limit)}
        if self.what == MINUTES:
            return _("The minutes are too long to be printed (%(count)s characters; at most %(limit)s). Shorten "
                     "them, or add the full text to the meeting as a document.") % numbers
        return _("This document is too long to be printed (%(count)s characters of text and layout; at most "
                 "%(limit)s).") % numbers


class RefusedResource(ValueError):
    """A URL the documents may not load."""


class PortalURLFetcher(URLFetcher):
    """WeasyPrint's fetcher, restricted: images in `data:` URLs and the portal's own static files, nothing else.

    Every refusal is kept in `refused` (WeasyPrint logs it and leaves the resource out of the document).
    """

    def __init__(self):
        super().__init__(timeout=1, allowed_protocols={"data"}, allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url[:5].lower() == "data:":
            media_type = url[5:].split(",", 1)[0].split(";", 1)[0].strip().lower()
            if media_type.startswith("image/"):
                return super().fetch(url, headers)
        else:
            path = self._static_path(url)
            if path is not None:
                media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                return URLFetcherResponse(url, Path(path).read_bytes(), {"Content-Type": media_type})
        self.refused.append(url)
        raise RefusedResource(f"not loaded in a printed document: {url[:200]}")

    @staticmethod
    def _static_path(url: str) -> str | None:
        parts = urlsplit(url)
        prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        if parts.scheme != "https" or parts.netloc != urlsplit(BASE_URL).netloc or parts.query:
            return None
        if not parts.path.startswith(prefix):
            return None
        try:
            found = finders.find(unquote(parts.path[len(prefix):]))
        except SuspiciousFileOperation:  # ../ out of the static directories
            return None
        return found if isinstance(found, str) else None


@lru_cache(maxsize=1)
def _stylesheet() -> CSS:
    return CSS(filename=str(STYLESHEET), url_fetcher=PortalURLFetcher())


@lru_cache(maxsize=1)
def _stylesheet_digest() -> str:
    return hashlib.sha256(STYLESHEET.read_bytes()).hexdigest()


def html_to_pdf(html: str, *, url_fetcher: PortalURLFetcher | None = None) -> bytes:
    """Render HTML with the portal's stylesheet; resources only through a `PortalURLFetcher`."""
    if len(html) > settings.PDF_MAX_HTML_CHARS:
        raise DocumentTooLarge(what="document", count=len(html), limit=settings.PDF_MAX_HTML_CHARS)
    fetcher = url_fetcher or PortalURLFetcher()
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(stylesheets=[_stylesheet()])


def _check_size(kind: str, context: dict) -> None:
    record = context.get("minutes") if kind == MINUTES else None
    if record is not None and len(record.text or "") > settings.PDF_MINUTES_MAX_CHARS:
        raise DocumentTooLarge(what=MINUTES, count=len(record.text), limit=settings.PDF_MINUTES_MAX_CHARS)


def _number(value: int) -> str:
    # Thousands grouped with a narrow no-break space (French) or a comma (English).
    grouped = f"{value:,}"
    return grouped if (translation.get_language() or "").startswith("en") else grouped.replace(",", "\u202f")


def meeting_document_html(meeting: Meeting, kind: str, *, cleared: bool, language: str | None = None) -> str:
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        if kind == ATTENDANCE:
            context = documents.attendance_sheet(meeting)
        elif kind == CONVOCATION:
            context = documents.convocation(meeting, cleared=cleared)
        elif kind == MINUTES:
            context = documents.minutes(meeting, cleared=cleared)
        else:
            raise ValueError(f"unknown document kind: {kind}")
        _check_size(kind, context)
        context["language"] = language
        # French typography: a narrow no-break space before the colon.
        context["colon"] = ":" if language.startswith("en") else "\u202f:"
        return render_to_string(TEMPLATES[kind], context)


def meeting_pdf(meeting: Meeting, kind: str, *, cleared: bool, language: str | None = None) -> tuple[bytes, str]:
    """(the PDF, its French file name) of one of the meeting's documents: the stored one while the document
    would print the same, else rendered now and stored. Raises DocumentTooLarge ."""
    language = language or settings.LANGUAGE_CODE
    html = meeting_document_html(meeting, kind, cleared=cleared, language=language)
    with translation.override(language):
        name = documents.file_name(meeting, kind)
        digest = hashlib.sha256("\n".join([RENDERING_VERSION, _stylesheet_digest(), html]).encode()).hexdigest()
        variant = {"meeting": meeting, "kind": kind, "cleared": cleared, "language": language}
        stored = RenderedDocument.objects.filter(**variant, digest=digest).values_list("pdf", flat=True).first()
        if stored is not None:
            return bytes(stored), name
        body = html_to_pdf(html)
    try:
        with transaction.atomic():
            RenderedDocument.objects.update_or_create(
                **variant, defaults={"digest": digest, "pdf": body, "rendered_at": timezone.now()})
    except IntegrityError:  # another request stored the same variant at the same moment: theirs is as good
        logger.info("document %s of meeting %s stored by a concurrent request", kind, meeting.pk)
    return body, name


def content_disposition(filename: str, *, attachment: bool = True) -> str:
    """RFC 6266: an ASCII `filename` for old clients and the exact UTF-8 name in `filename*` (RFC 8187)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    ascii_name = ascii_name.replace("\\", "").replace('"', "").replace("\r", "").replace("\n", "")
    disposition = "attachment" if attachment else "inline"
    header = f'{disposition}; filename="{ascii_name}"'
    if ascii_name != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header
