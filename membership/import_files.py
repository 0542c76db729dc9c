"""Reading the secretariat's spreadsheets: CSV (comma or semicolon, UTF-8 with or without BOM, or Windows-1252
as Excel writes it) or .xlsx (its first sheet, or the sheet named for the file: see WORKBOOK_SHEETS).

A table is a header and rows; each row keeps the number a spreadsheet user sees
(the header is line 1), so every error can point at the cell to fix.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from core.text import MULTI_LINE_FORBIDDEN


@dataclass
class Row:
    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass
class Table:
    name: str
    columns: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    # (line, column, message) for problems with the file itself.
    problems: list[tuple[int, str, str]] = field(default_factory=list)


# Control characters (NUL above all, which PostgreSQL refuses in text) have no place in a directory.
CONTROL_CHARACTERS = MULTI_LINE_FORBIDDEN

# An .xlsx is a zip of XML parts: a few hundred kilobytes can inflate to gigabytes. The declared sizes are
# checked before anything is decompressed (zipfile never yields more than a member's declared size).
XLSX_MAX_PART_BYTES = 16 * 1024 * 1024
XLSX_MAX_TOTAL_BYTES = 48 * 1024 * 1024
MAX_CELL_CHARS = 2000
MAX_ROWS = 20000


# One workbook can hold the three files: its sheets are recognised by these names (case and accents ignored).
WORKBOOK_SHEETS = {
    "members": ("membres", "members", "annuaire", "directory"),
    "groups": ("groupes", "groups"),
    "troika": ("troika", "troïka"),
}


class UnreadableWorkbook(Exception):
    """The workbook cannot be read safely: its message says why, in the user's language."""


def file_name(source) -> str:
    """The file name as the user gave it: the path, or the `name` of an uploaded file object."""
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return os.path.basename(getattr(source, "name", "") or "") or "upload"


def _read_bytes(source) -> bytes:
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as fh:
            return fh.read()
    if hasattr(source, "seek"):
        source.seek(0)
    data = source.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        raise UnreadableWorkbook(_("a cell holds more than %(count)d characters") % {"count": MAX_CELL_CHARS})
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_xlsx_sizes(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if any(m.file_size > XLSX_MAX_PART_BYTES for m in members) or \
                sum(m.file_size for m in members) > XLSX_MAX_TOTAL_BYTES:
            raise UnreadableWorkbook(_("unreadable file: the workbook is too large once uncompressed (at most %(size)d MB)")
                                     % {"size": XLSX_MAX_TOTAL_BYTES // (1024 * 1024)})


def _sheet_key(name: str) -> str:
    return name.strip().lower().replace("ï", "i")


def workbook_sheets(source) -> dict[str, str]:
    """For a workbook whose sheets carry the names of WORKBOOK_SHEETS: {"members": sheet, "groups": …}.

    Empty for a CSV, an unreadable file or a workbook without a recognised groups or Troïka sheet.
    """
    try:
        data = _read_bytes(source)
        if data[:4] != b"PK\x03\x04":
            return {}
        _check_xlsx_sizes(data)
        workbook = load_workbook(io.BytesIO(data), read_only=True)
        names = workbook.sheetnames
        workbook.close()
    except Exception:  # noqa: BLE001  (read_table says what is wrong with the file)
        return {}
    found = {}
    for kind, accepted in WORKBOOK_SHEETS.items():
        for name in names:
            if _sheet_key(name) in {_sheet_key(a) for a in accepted}:
                found[kind] = name
                break
    if not (found.get("groups") or found.get("troika")):
        return {}
    found.setdefault("members", names[0])
    return found


def _xlsx_records(data: bytes, sheet_name: str | None = None) -> list[list[str]]:
    _check_xlsx_sizes(data)
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook[sheet_name] if sheet_name else workbook.worksheets[0]
        records = []
        for row in sheet.iter_rows(values_only=True):
            if len(records) >= MAX_ROWS or len(row) > 200:
                raise UnreadableWorkbook(_("unreadable file: the workbook has too many rows or columns (at most %(rows)d rows)")
                                         % {"rows": MAX_ROWS})
            records.append([_cell_text(v) for v in row])
        return records
    finally:
        workbook.close()


def _csv_records(text: str) -> list[list[str]]:
    first_line = text.split("\n", 1)[0]
    # Column names hold neither separator, so the header tells which one Excel used.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return [[cell.strip() for cell in record] for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Excel's plain “CSV” writes it in Western locales."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _unquote_formula(value: str) -> str:
    """Undo the apostrophe a formula-safe export (core.csv_export) puts before = + - @."""
    if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@"):
        return value[1:]
    return value


def read_table(source, *, required: list[str], optional: list[str], sheet: str | None = None) -> Table:
    """Read one file (or one sheet of a workbook) into a Table; missing required and unknown columns are
    problems on line 1."""
    table = Table(name=file_name(source) + (f"[{sheet}]" if sheet else ""))
    try:
        data = _read_bytes(source)
    except OSError as exc:
        table.problems.append((1, "-", _("cannot read the file: %(error)s") % {"error": exc.strerror or exc}))
        return table
    is_xlsx = data[:4] == b"PK\x03\x04" or table.name.lower().endswith(".xlsx")
    try:
        if is_xlsx:
            records = _xlsx_records(data, sheet)
        else:
            records = _csv_records(_decode(data))
    except UnicodeDecodeError:
        table.problems.append((1, "-", _("the file is not UTF-8 text; save it as “CSV UTF-8” or .xlsx")))
        return table
    except UnreadableWorkbook as exc:
        table.problems.append((1, "-", str(exc)))
        return table
    # Broken XML inside the zip (xml.etree's ParseError is a SyntaxError), a broken zip, missing parts, or
    # values openpyxl cannot convert: all mean the same thing to the person who uploaded it.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, TypeError, IndexError, AttributeError,
            OSError, SyntaxError, EOFError, NotImplementedError):
        table.problems.append((1, "-", _("unreadable file: this is not a valid .xlsx workbook")))
        return table
    except csv.Error as exc:
        table.problems.append((1, "-", _("the file is not valid CSV: %(error)s") % {"error": exc}))
        return table
    if not records:
        table.problems.append((1, "-", _("the file is empty")))
        return table
    header = [CONTROL_CHARACTERS.sub("", h).strip() for h in records[0]]
    while header and header[-1] == "":
        header.pop()
    table.columns = header
    known = set(required) | set(optional)
    seen = set()
    for column in header:
        if column in seen:
            table.problems.append((1, column, _("the column appears twice")))
        elif column not in known:
            table.problems.append((1, column or "-", _("unknown column (expected: %(columns)s)")
                                   % {"columns": ", ".join(required + optional)}))
        seen.add(column)
    for column in required:
        if column not in seen:
            table.problems.append((1, column, _("required column missing")))
    for index, record in enumerate(records[1:], start=2):
        if not any(cell for cell in record):
            continue  # blank rows Excel leaves at the end
        values = {column: _unquote_formula(record[i] if i < len(record) else "")
                  for i, column in enumerate(header) if column}
        bad = [column for column, value in values.items() if CONTROL_CHARACTERS.search(value)]
        for column in bad:
            table.problems.append((index, column, _("the cell contains a control character; retype it")))
        too_long = [column for column, value in values.items() if len(value) > MAX_CELL_CHARS]
        for column in too_long:
            table.problems.append((index, column, _("a cell holds more than %(count)d characters")
                                   % {"count": MAX_CELL_CHARS}))
        bad += too_long
        if not bad:
            table.rows.append(Row(line=index, values=values))
    return table
