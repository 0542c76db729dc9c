"""A distribution list as CSV (spreadsheet-safe) and as vCard (for a mail client)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.csv_export import csv_text
from membership.models import Partner
from secretariat.distribution import ROW_KEYS
from secretariat.models import DistributionEntry, SeatRole

# Machines read codes: their keys say so (the command's CSV and JSON).
MACHINE_KEYS = {"role": "role_code", "recipient": "recipient_code", "partner_type": "partner_type_code"}
# People read labels under headers in their language (the CSV downloaded from the distribution page).
PEOPLE_HEADERS = {
    "email": gettext_lazy("e-mail"), "name": gettext_lazy("name"), "partner": gettext_lazy("partner"),
    "partner_type": gettext_lazy("partner type"), "institution": gettext_lazy("institution"),
    "instance": gettext_lazy("instance"), "role": gettext_lazy("role"), "recipient": gettext_lazy("To / cc"),
    "reason": gettext_lazy("reason"), "rule": gettext_lazy("rules"),
}
LABELS = {
    "role": dict(SeatRole.choices),
    "recipient": dict(DistributionEntry.Recipient.choices),
    "partner_type": {**dict(Partner.Type.choices), "government": gettext_lazy("government")},
}


def machine_row(row: dict) -> dict:
    return {MACHINE_KEYS.get(key, key): row[key] for key in ROW_KEYS}


def machine_keys() -> list[str]:
    return [MACHINE_KEYS.get(key, key) for key in ROW_KEYS]


def rows_for_people_as_csv(rows: list[dict], *, delimiter: str = ",") -> str:
    """The list as a person reads it in a spreadsheet: translated headers, labels instead of codes."""
    return csv_text([str(PEOPLE_HEADERS[key]) for key in ROW_KEYS],
                    ([str(LABELS[key].get(row[key], row[key])) if key in LABELS else row[key] for key in ROW_KEYS]
                     for row in rows), delimiter=delimiter)


def rows_as_csv(rows: list[dict], *, delimiter: str = ",") -> str:
    """For machines: codes, under keys that say so (role_code, recipient_code, partner_type_code); every field
    quoted and formula starts neutralised, safe with `,` and `;` spreadsheets (CSV injection)."""
    return csv_text(machine_keys(), ([row[key] for key in ROW_KEYS] for row in rows), delimiter=delimiter)


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
            f"NOTE:{_vcard_escape(_('%(role)s, %(recipient)s: %(reason)s') % _labelled(row))}",
            "END:VCARD",
        ]))
    return "\r\n".join(cards) + "\r\n"


def _labelled(row: dict) -> dict:
    return {**row, **{key: str(LABELS[key].get(row[key], row[key])) for key in LABELS}}


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
