"""Meeting documents as PDF, rendered from HTML templates by WeasyPrint (Pango from the system's packages).

The document's language is the meeting's (French unless told otherwise); the reader's clearance decides
what a convocation or minutes may show (A4) and is decided by the caller through the access policy.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML

from meetings.models import Meeting
from secretariat.reports import documents
from secretariat.reports.documents import ATTENDANCE, CONVOCATION, KINDS, MINUTES  # noqa: F401 (re-exported)

TEMPLATES = {
    CONVOCATION: "secretariat/reports/convocation.html",
    ATTENDANCE: "secretariat/reports/attendance_sheet.html",
    MINUTES: "secretariat/reports/minutes.html",
}


STYLESHEET = Path(__file__).with_name("pdf.css")


@lru_cache(maxsize=1)
def _stylesheet() -> CSS:
    return CSS(filename=str(STYLESHEET))


def html_to_pdf(html: str) -> bytes:
    # The documents load nothing from outside: no base URL, one local stylesheet.
    return HTML(string=html, base_url=None).write_pdf(stylesheets=[_stylesheet()])


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
        context["language"] = language
        # French typography: a narrow no-break space before the colon.
        context["colon"] = ":" if language.startswith("en") else "\u202f:"
        return render_to_string(TEMPLATES[kind], context)


def meeting_pdf(meeting: Meeting, kind: str, *, cleared: bool, language: str | None = None) -> tuple[bytes, str]:
    """(the PDF, its French file name) of one of the meeting's documents."""
    language = language or settings.LANGUAGE_CODE
    html = meeting_document_html(meeting, kind, cleared=cleared, language=language)
    with translation.override(language):
        name = documents.file_name(meeting, kind)
    return html_to_pdf(html), name


def content_disposition(filename: str, *, attachment: bool = True) -> str:
    """RFC 6266: an ASCII `filename` for old clients and the exact UTF-8 name in `filename*` (RFC 8187)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    ascii_name = ascii_name.replace("\\", "").replace('"', "").replace("\r", "").replace("\n", "")
    disposition = "attachment" if attachment else "inline"
    header = f'{disposition}; filename="{ascii_name}"'
    if ascii_name != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header
