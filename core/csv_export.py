"""CSV that a spreadsheet opens as data, never as formulas, whether it splits on `,` or on `;`.

Every field is quoted, and every place where a spreadsheet could start a cell — the start of the value, or
just after a comma, semicolon, tab or line break inside it (a French-locale spreadsheet splits on `;`, an
English one on `,`, and a reader with the other delimiter cuts a quoted field there) — is neutralised: a
formula start (= + - @) there gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@")
# A cell may begin at the start of the value or after a separator; spaces and quotes in front do not stop it.
_CELL_START = re.compile(r"(^|[,;\t\r\n])([\s\"]*)(?=[=+\-@])")


def neutralise(value) -> str:
    """The value with a quote before every formula start a spreadsheet could see."""
    text = "" if value is None else str(value)
    text = _CELL_START.sub(lambda m: f"{m.group(1)}{m.group(2)}'", text)
    if text[:1] in ("\t", "\r", "\n"):
        text = "'" + text
    return text


def csv_text(header: Iterable[str], rows: Iterable[Iterable], *, delimiter: str = ",") -> str:
    """A whole CSV document: the header, then the rows, every field quoted and neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()
