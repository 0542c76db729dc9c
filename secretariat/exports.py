"""A distribution list as CSV (spreadsheet-safe) and as vCard (for a mail client)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.csv_export import csv_text
from secretariat.distribution import ROW_KEYS


def rows_as_csv(rows: list[dict], *, delimiter: str = ",") -> str:
    """Every field quoted and formula starts neutralised, safe with `,` and `;` spreadsheets (CSV injection)."""
    return csv_text(ROW_KEYS, ([row[key] for key in ROW_KEYS] for row in rows), delimiter=delimiter)


def _vcard_escape(text: str) -> str:
    return (str(text).replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
            .replace("\r", "").replace("\n", "\\n"))


def rows_as_vcard(rows: list[dict]) -> str:
    cards = []
    for row in rows:
        cards.append("\r\n".join([
            "BEGIN:VCARD",
            "VERSION:3.0",
            f"FN:{_vcard_escape(row['name'])}",
            f"N:{_vcard_escape(row['name'])};;;;",
            f"EMAIL;TYPE=INTERNET:{_vcard_escape(row['email'])}",
            f"ORG:{_vcard_escape(row['partner'])};{_vcard_escape(row['institution'])}",
            f"NOTE:{_vcard_escape(_('%(role)s, %(recipient)s: %(reason)s') % row)}",
            "END:VCARD",
        ]))
    return "\r\n".join(cards) + "\r\n"


def snapshot_rows(snapshot) -> list[dict]:
    return [
        {"email": e.email, "name": e.name, "partner": e.partner, "partner_type": e.partner_type,
         "institution": e.institution, "instance": e.instance_code, "role": e.role, "recipient": e.recipient,
         "reason": e.reason, "rule": e.rule}
        for e in snapshot.entries.all()
    ]


def dicts_as_csv(rows: list[dict], keys, *, delimiter: str = ",") -> str:
    """Any list of rows as CSV, with the same quoting and neutralisation of formula cells."""
    return csv_text(keys, ([row[key] for key in keys] for row in rows), delimiter=delimiter)
