"""The text of an uploaded document, for the search: bounded in size, pages and time; never raises for a bad file.

PDF with pypdf, .docx with python-docx, .odt with odfpy, plain text and CSV as they are; other kinds (images,
spreadsheets, slides) have no text to extract. A failure is a sentence stored on the document, never an error
for the person who uploaded it.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass

import docx
from odf import teletype
from odf.opendocument import load
from odf.text import H, P
from pypdf import PdfReader

from meetings import uploads

MAX_FILE_BYTES = 20 * 1024 * 1024  # files larger than this are not read at all
MAX_PAGES = 200
MAX_TEXT_CHARS = 500_000  # what is kept of a document's text
TIME_BUDGET_SECONDS = 20.0
EXTRACTABLE = frozenset({uploads.PDF, uploads.DOCX, uploads.ODT, uploads.TXT, uploads.CSV})


class ExtractionError(Exception):
    """The file's text could not be read; the message says why, in the portal's words."""


@dataclass(frozen=True)
class Extracted:
    text: str
    truncated: bool


class _Budget:
    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds

    def check(self):
        if time.monotonic() > self.deadline:
            raise ExtractionError("time")


def _clean(text: str) -> str:
    # NUL cannot be stored in PostgreSQL text; other control characters are noise for the index.
    return "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)


def _pdf(data: bytes, budget: _Budget) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception:
            raise ExtractionError("encrypted")
    parts = []
    for number, page in enumerate(reader.pages):
        if number >= MAX_PAGES:
            break
        budget.check()
        parts.append(page.extract_text() or "")
    return parts


def _docx(data: bytes, budget: _Budget) -> list[str]:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        budget.check()
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells))
    return parts


def _odt(data: bytes, budget: _Budget) -> list[str]:
    document = load(io.BytesIO(data))
    parts = []
    for element_type in (H, P):
        for element in document.getElementsByType(element_type):
            budget.check()
            parts.append(teletype.extractText(element))
    return parts


def _plain(data: bytes, budget: _Budget) -> list[str]:
    for encoding in ("utf-8", "cp1252"):
        try:
            return [data.decode(encoding)]
        except UnicodeDecodeError:
            continue
    return [data.decode("latin-1")]


READERS = {uploads.PDF: _pdf, uploads.DOCX: _docx, uploads.ODT: _odt, uploads.TXT: _plain, uploads.CSV: _plain}


def extract_text(data: bytes, content_type: str, *, time_budget: float = TIME_BUDGET_SECONDS) -> Extracted:
    """The text of a file of `content_type` (already checked at upload), or ExtractionError saying why not."""
    reader = READERS.get(content_type)
    if reader is None:
        raise ExtractionError("unsupported")
    if len(data) > MAX_FILE_BYTES:
        raise ExtractionError("too_large")
    budget = _Budget(time_budget)
    try:
        parts = reader(data, budget)
    except ExtractionError:
        raise
    except Exception as error:  # a damaged or hostile file: pypdf, python-docx and odfpy raise many kinds
        raise ExtractionError("unreadable") from error
    text = _clean("\n".join(part for part in parts if part)).strip()
    truncated = len(text) > MAX_TEXT_CHARS
    return Extracted(text=text[:MAX_TEXT_CHARS], truncated=truncated)
