"""Read a PDF back as text (pypdf), with the no-break spaces of French typography made plain."""

import io

from pypdf import PdfReader


def pdf_pages(body: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(body))
    return [" ".join((page.extract_text() or "").replace("\u202f", " ").replace("\u00a0", " ").split())
            for page in reader.pages]


def pdf_text(body: bytes) -> str:
    return " ".join(pdf_pages(body))
