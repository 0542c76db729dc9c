"""What an uploaded document really is, judged on its content (magic bytes), not on its name alone."""

from __future__ import annotations

import os
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
CSV = "text/csv"
TXT = "text/plain"

EXTENSIONS = {
    ".pdf": PDF, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG, ".docx": DOCX, ".xlsx": XLSX, ".pptx": PPTX,
    ".odt": ODT, ".ods": ODS, ".csv": CSV, ".txt": TXT,
}
# The main part's content type in [Content_Types].xml: macro-enabled variants (docm…) do not match.
OOXML_MAIN = {
    DOCX: b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    PPTX: b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
MAX_ZIP_MEMBERS = 10_000
TEXT_SAMPLE = 64 * 1024


def _refuse(message: str):
    raise ValidationError(message, code="invalid_upload")


def _read(uploaded_file, size: int | None = None) -> bytes:
    uploaded_file.seek(0)
    data = uploaded_file.read(size) if size else uploaded_file.read()
    uploaded_file.seek(0)
    return data


def _zip_type(uploaded_file) -> str | None:
    try:
        uploaded_file.seek(0)
        with zipfile.ZipFile(uploaded_file) as archive:
            names = archive.namelist()
            if len(names) > MAX_ZIP_MEMBERS:
                return None
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].strip()
                return {ODT.encode(): ODT, ODS.encode(): ODS}.get(mimetype)
            if "[Content_Types].xml" in names:
                info = archive.getinfo("[Content_Types].xml")
                if info.file_size > 1024 * 1024:
                    return None
                types = archive.read("[Content_Types].xml")
                for content_type, main in OOXML_MAIN.items():
                    if main in types:
                        return content_type
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError):
        return None
    finally:
        uploaded_file.seek(0)
    return None


def _is_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        return all(ch.isprintable() or ch in "\t\r\n\f" for ch in text)
    return False


def sniff(uploaded_file) -> str | None:
    """The content type the bytes show, or None when they are none of the accepted kinds."""
    head = _read(uploaded_file, 8)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(uploaded_file)
    if _is_text(_read(uploaded_file, TEXT_SAMPLE)):
        return TXT
    return None


def validate_upload(uploaded_file) -> str:
    """Check size, name and content; return the content type to store. Raises ValidationError."""
    limit = settings.DOCUMENT_MAX_BYTES
    if uploaded_file.size is None or uploaded_file.size == 0:
        _refuse(_("The file is empty."))
    if uploaded_file.size > limit:
        _refuse(_("The file is too large (%(size)s); the limit is %(limit)s.")
                % {"size": filesizeformat(uploaded_file.size), "limit": filesizeformat(limit)})
    extension = os.path.splitext(uploaded_file.name or "")[1].lower()
    expected = EXTENSIONS.get(extension)
    if expected is None:
        _refuse(_("This kind of file is not accepted. Accepted: PDF, DOCX, XLSX, PPTX, ODT, ODS, PNG, JPEG, CSV, TXT."))
    found = sniff(uploaded_file)
    if found == TXT and expected in (CSV, TXT):
        return expected
    if found != expected:
        _refuse(_("The content of “%(name)s” does not match its type (%(extension)s).")
                % {"name": os.path.basename(uploaded_file.name), "extension": extension})
    return found
