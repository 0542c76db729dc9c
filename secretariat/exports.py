"""A distribution list as CSV (spreadsheet-safe) and as vCard (for a mail client)."""

from __future__ import annotations

from django.utils import timezone
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


# The names `distribution_list --format json` used before its codes said so: still emitted beside the new ones
# until 0.3.0 (CHANGELOG.md), so that a script reading them keeps working for one release.
OLD_MACHINE_KEYS = tuple(MACHINE_KEYS)


def machine_row(row: dict, *, with_old_names: bool = False) -> dict:
    out = {MACHINE_KEYS.get(key, key): row[key] for key in ROW_KEYS}
    if with_old_names:
        out |= {key: row[key] for key in OLD_MACHINE_KEYS}
    return out


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


# The answers roster as its page shows it: the page's column titles in the reader's language, labels in the
# cells, and the codes apart in `_code` columns for whoever filters or counts (as `distribution_list` names them).
ANSWER_COLUMNS = (
    (gettext_lazy("Person"), "name"), (gettext_lazy("e-mail"), "email"), (gettext_lazy("partner"), "partner"),
    (gettext_lazy("Role"), "role_label"), (gettext_lazy("To / cc"), "recipient_label"),
    (gettext_lazy("Answer"), "answer_label"), (gettext_lazy("How"), "channel_label"),
    (gettext_lazy("When"), "answered_on"), (gettext_lazy("delegated to"), "delegated_to"),
    (gettext_lazy("Delivery"), "delivery_label"),
)
ANSWER_CODE_COLUMNS = (("role_code", "role"), ("recipient_code", "recipient"), ("answer_code", "answer"),
                       ("channel_code", "channel"), ("delivery_code", "delivery"))


def answers_for_people_as_csv(rows, *, delimiter: str = ",") -> str:
    """The answers roster (`selectors.AnswerRow`s) as a spreadsheet, spreadsheet-safe like every export."""
    def cell(row, attribute):
        if attribute == "answered_on":
            return timezone.localtime(row.answered_at).strftime("%Y-%m-%d %H:%M") if row.answered_at else ""
        return str(getattr(row, attribute))

    headers = [str(title) for title, _attribute in ANSWER_COLUMNS] + [code for code, _attr in ANSWER_CODE_COLUMNS]
    return csv_text(headers, ([cell(row, attribute) for _title, attribute in ANSWER_COLUMNS]
                              + [getattr(row, attribute) for _code, attribute in ANSWER_CODE_COLUMNS]
                              for row in rows), delimiter=delimiter)
