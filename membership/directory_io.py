"""The directory in and out of the browser: export in the importer's format, preview an import, apply it.

One service for the page and the commands: `export_tables` / `export_csv_files` / `export_xlsx` give the
directory as of a date in exactly the columns `import_directory` reads (so an export re-imported unchanged
changes nothing); `preview_upload` runs the importer as a dry run (its own transaction, rolled back) and keeps
what it would change, grouped for the SEG, with the uploaded files' hash and the directory's fingerprint;
`apply_upload` refuses when either changed since, then imports in one transaction as that user.

Uploads live in DIRECTORY_IMPORT_DIR only for the preview's life: deleted once applied, and after
DIRECTORY_IMPORT_TTL_MINUTES by `purge_expired_uploads` (called on every visit of the import pages).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from core.csv_export import csv_text, neutralise
from instances.models import Instance, Troika
from membership.import_files import read_table
from membership.importer import (
    GROUP_OPTIONAL,
    GROUP_REQUIRED,
    MEMBER_OPTIONAL,
    MEMBER_REQUIRED,
    TROIKA_REQUIRED,
    ImportResult,
    import_directory,
)
from membership.models import Institution, Mandate, Partner, Person

MEMBER_COLUMNS = MEMBER_REQUIRED + MEMBER_OPTIONAL
GROUP_COLUMNS = GROUP_REQUIRED + GROUP_OPTIONAL
TROIKA_COLUMNS = TROIKA_REQUIRED
SHEETS = {"members": "membres", "groups": "groupes", "troika": "troika"}
SLOTS = ("members", "groups", "troika")
HISTORY_MODELS = (Partner, Institution, Person, Mandate, Instance, Troika)


# -- export ------------------------------------------------------------------------------------------


@dataclass
class ExportTables:
    members: list[list[str]]
    groups: list[list[str]]
    troika: list[list[str]]


def _iso(day) -> str:
    return day.isoformat() if day else ""


def export_tables(day: datetime.date | None = None) -> ExportTables:
    """The directory as of `day` (today by default): the mandates running that day, every group, every Troïka."""
    day = day or datetime.date.today()
    mandates = (Mandate.objects.active_on(day)
                .select_related("person__institution__partner", "instance", "pairs_with__person")
                .order_by("person__institution__partner__name", "instance__code", "role", "person__last_name",
                          "person__email", "start"))
    members = []
    for m in mandates:
        person, institution = m.person, m.person.institution
        partner = institution.partner
        values = {
            "partner": partner.name, "partner_type": partner.partner_type, "institution": institution.name,
            "last_name": person.last_name, "first_name": person.first_name, "email": person.email,
            "function": person.function, "instance": m.instance.code, "role": m.role, "start": _iso(m.start),
            "institution_acronym": institution.acronym, "un_coordinating": "yes" if partner.un_coordinating else "no",
            "partner_article": partner.article, "pair_email": m.pairs_with.person.email if m.pairs_with_id else "",
            "end": _iso(m.end), "authority": m.authority, "limits": m.limits, "language": person.language,
        }
        members.append([values[c] for c in MEMBER_COLUMNS])
    groups = []
    for g in (Instance.objects.filter(kind__in=[Instance.Kind.GT, Instance.Kind.GD])
              .select_related("leader_partner", "co_lead_partner").order_by("code")):
        values = {"code": g.code, "kind": g.kind, "name_fr": g.name_fr, "name_en": g.name_en,
                  "secretariat": g.secretariat, "sector": g.sector, "periodicity": g.periodicity,
                  "leader": g.leader_partner.name if g.leader_partner_id else "",
                  "co_lead": g.co_lead_partner.name if g.co_lead_partner_id else ""}
        groups.append([values[c] for c in GROUP_COLUMNS])
    troika = [[str(t.year), t.lead.name, t.incoming.name, t.outgoing.name]
              for t in Troika.objects.select_related("lead", "incoming", "outgoing").order_by("year")]
    return ExportTables(members, groups, troika)


def _csv_bytes(columns, rows) -> bytes:
    # UTF-8 with a BOM so that Excel shows the accents; `;` as a French Excel splits; formula-safe.
    return csv_text(columns, rows, delimiter=";").encode("utf-8-sig")


def export_csv_files(tables: ExportTables, members_path: Path) -> list[Path]:
    """The members file at `members_path`, the groups and Troïka files beside it (stem-groups.csv, stem-troika.csv)."""
    members_path = Path(members_path)
    paths = [members_path, members_path.with_name(f"{members_path.stem}-groups.csv"),
             members_path.with_name(f"{members_path.stem}-troika.csv")]
    for path, (columns, rows) in zip(paths, _tables(tables), strict=True):
        path.write_bytes(_csv_bytes(columns, rows))
    return paths


def _tables(tables: ExportTables):
    return [(MEMBER_COLUMNS, tables.members), (GROUP_COLUMNS, tables.groups), (TROIKA_COLUMNS, tables.troika)]


def export_xlsx(tables: ExportTables) -> bytes:
    """One workbook of three sheets (membres, groupes, troika) that import_directory reads alone."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for slot, (columns, rows) in zip(SLOTS, _tables(tables), strict=True):
        sheet = workbook.create_sheet(SHEETS[slot])
        sheet.append(columns)
        for row in rows:
            # Text cells only (dates as ISO text): a value is never taken for a formula (a leading = is quoted).
            sheet.append([neutralise(v) if str(v)[:1] in ("=", "+", "-", "@") else v for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_zip(tables: ExportTables, stem: str) -> bytes:
    """The three CSV files in one zip, for a browser download."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for suffix, (columns, rows) in zip(("", "-groups", "-troika"), _tables(tables), strict=True):
            archive.writestr(f"{stem}{suffix}.csv", _csv_bytes(columns, rows))
    return out.getvalue()


# -- the directory's state ----------------------------------------------------------------------------


def directory_fingerprint() -> str:
    """Changes whenever a directory record is created, changed or deleted (last history id and row count)."""
    parts = []
    for model in HISTORY_MODELS:
        last = model.history.aggregate(last=Max("history_id"))["last"]
        parts.append(f"{model._meta.label}:{last}:{model.objects.count()}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


# -- uploads ------------------------------------------------------------------------------------------


class UploadRefused(Exception):
    """The file is not one the import can take; the message says why, in the user's language."""


def _upload_dir() -> Path:
    return Path(settings.DIRECTORY_IMPORT_DIR)


def check_upload(name: str, data: bytes) -> None:
    """Refuse by size and by content (never by name): an .xlsx workbook, or CSV text."""
    limit = settings.DIRECTORY_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise UploadRefused(_("%(name)s is too large: at most %(size)s kB.") % {"name": name, "size": limit // 1024})
    if not data.strip():
        raise UploadRefused(_("%(name)s is empty.") % {"name": name})
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "xl/workbook.xml" not in archive.namelist():
                    raise UploadRefused(_("%(name)s is an archive, not an .xlsx workbook.") % {"name": name})
        except zipfile.BadZipFile:
            raise UploadRefused(_("%(name)s cannot be read: the workbook is damaged.") % {"name": name}) from None
        return
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UploadRefused(_("%(name)s is an old Excel workbook (.xls): save it as .xlsx or CSV.") % {"name": name})
    if b"\x00" in data[:4096] or data[:5] == b"%PDF-":
        raise UploadRefused(_("%(name)s is neither a CSV file nor an .xlsx workbook.") % {"name": name})


def _row_count(path: Path, slot: str) -> int:
    required = {"members": MEMBER_REQUIRED, "groups": GROUP_REQUIRED, "troika": TROIKA_REQUIRED}[slot]
    return len(read_table(path, required=required, optional=MEMBER_OPTIONAL + GROUP_OPTIONAL).rows)


def _safe_name(name: str) -> str:
    base = os.path.basename(name or "") or "upload"
    return re.sub(r"[^\w.\- ]", "_", base)[:80] or "upload"


@contextlib.contextmanager
def _opened(paths: dict):
    """The kept files as file objects: errors then name the file as uploaded, not where it is kept."""
    with contextlib.ExitStack() as stack:
        yield {slot: stack.enter_context(open(path, "rb")) for slot, path in paths.items()}


def _file_hash(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def purge_expired_uploads(now: float | None = None) -> int:
    """Delete the uploads older than DIRECTORY_IMPORT_TTL_MINUTES; returns how many."""
    root = _upload_dir()
    if not root.is_dir():
        return 0
    cutoff = (now or time.time()) - settings.DIRECTORY_IMPORT_TTL_MINUTES * 60
    removed = 0
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


# -- the preview --------------------------------------------------------------------------------------


@dataclass
class Preview:
    token: str
    user_id: int
    names: dict  # slot -> file name
    file_hash: str
    fingerprint: str
    errors: list = field(default_factory=list)  # [file, line, column, message, rule]
    warnings: list = field(default_factory=list)
    groups: dict = field(default_factory=dict)  # heading key -> list of lines
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> str:
        return f"created={self.created} updated={self.updated} unchanged={self.unchanged}"


def _folder(token: str) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token or ""):
        raise UploadRefused(_("This preview no longer exists: upload the file again."))
    return _upload_dir() / token


def _paths(folder: Path, names: dict) -> dict:
    return {slot: folder / slot / name for slot, name in names.items()}


def preview_upload(*, user, files: dict) -> Preview:
    """Keep the uploaded files (slot -> UploadedFile or (name, bytes)) and compute what importing them would do."""
    purge_expired_uploads()
    if not files.get("members"):
        raise UploadRefused(_("The members file is required."))
    contents = {}
    for slot in SLOTS:
        upload = files.get(slot)
        if not upload:
            continue
        name, data = upload if isinstance(upload, tuple) else (upload.name, upload.read())
        check_upload(_safe_name(name), data)
        contents[slot] = (_safe_name(name), data)
    token = secrets.token_urlsafe(24)
    folder = _upload_dir() / token
    for slot, (name, data) in contents.items():
        (folder / slot).mkdir(parents=True, exist_ok=True)
        (folder / slot / name).write_bytes(data)
    names = {slot: name for slot, (name, _data) in contents.items()}
    paths = _paths(folder, names)
    try:
        rows = sum(_row_count(path, slot) for slot, path in paths.items())
        if rows > settings.DIRECTORY_IMPORT_MAX_ROWS:
            raise UploadRefused(_("The files hold %(rows)d rows: at most %(limit)d can be imported at once.")
                                % {"rows": rows, "limit": settings.DIRECTORY_IMPORT_MAX_ROWS})
        preview = Preview(token=token, user_id=user.pk, names=names, file_hash=_file_hash(list(paths.values())),
                          fingerprint=directory_fingerprint())
        changes = []
        with _opened(paths) as files:
            result = import_directory(**files, dry_run=True, changes=changes)
        _fill(preview, result, changes)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if not preview.ok:  # nothing can be applied: keep only the list of errors, never the file
        for slot in names:
            shutil.rmtree(folder / slot, ignore_errors=True)
    (folder / "preview.json").write_text(json.dumps(preview.__dict__, default=str))
    return preview


def load_preview(token: str, user) -> Preview:
    purge_expired_uploads()
    try:
        data = json.loads((_folder(token) / "preview.json").read_text())
    except (OSError, ValueError):
        raise UploadRefused(_("This preview no longer exists: upload the file again.")) from None
    preview = Preview(**data)
    if preview.user_id != user.pk:
        raise UploadRefused(_("This preview no longer exists: upload the file again."))
    return preview


def discard_upload(token: str) -> None:
    shutil.rmtree(_folder(token), ignore_errors=True)


class StalePreview(Exception):
    """The directory or the file changed since the preview: preview again."""


def apply_upload(*, token: str, user) -> ImportResult:
    """Import the previewed files in one transaction, as `user`; refuses a stale preview."""
    preview = load_preview(token, user)
    if not preview.ok:
        raise UploadRefused(_("The file has errors: nothing can be imported."))
    folder = _folder(token)
    paths = _paths(folder, preview.names)
    with transaction.atomic():
        # Lock the partners first, as the importer does, so nobody changes the directory between check and write.
        list(Partner.objects.select_for_update().values_list("pk", flat=True))
        if _file_hash(list(paths.values())) != preview.file_hash or directory_fingerprint() != preview.fingerprint:
            raise StalePreview(_("The directory changed since this preview: preview the file again."))
        names = " ".join(preview.names[s] for s in SLOTS if s in preview.names)
        with _opened(paths) as files:
            result = import_directory(**files, user=user,
                                      change_reason=(_("Directory import: %(files)s") % {"files": names})[:100])
    if result.ok:
        discard_upload(token)
    return result


# -- grouping the changes for the SEG -----------------------------------------------------------------


HEADINGS = {
    "partners_created": gettext_lazy("Partners created"), "institutions_created": gettext_lazy("Institutions created"),
    "people_created": gettext_lazy("People created"), "groups_created": gettext_lazy("Groups created"), "people_changed": gettext_lazy("People changed"),
    "mandates_started": gettext_lazy("Mandates that start"), "mandates_ended": gettext_lazy("Mandates that end"),
    "mandates_changed": gettext_lazy("Mandates changed"), "role_changes": gettext_lazy("Changes of role"), "leaders_changed": gettext_lazy("Leaders changed"),
    "troika_changed": gettext_lazy("Troïka changed"), "other_changes": gettext_lazy("Other changes"),
}
PERSON_FIELDS = ("last_name", "first_name", "function", "language", "email", "institution")


def _labels(changes) -> dict:
    """id -> label for the related records a change points at (in the import, or already saved)."""
    labels = defaultdict(dict)
    for change in changes:
        if change.obj.pk is not None:
            labels[change.model][change.obj.pk] = _label(change.model, change.obj)
    return labels


def _label(model, obj) -> str:
    if model is Person:
        return f"{obj.first_name} {obj.last_name} <{obj.email}>"
    if model is Instance:
        return obj.code
    if model is Troika:
        return str(obj.year)
    return getattr(obj, "name", str(obj.pk))


def _related_label(labels, model, pk) -> str:
    if pk is None:
        return "—"
    if pk not in labels[model]:
        obj = model.objects.filter(pk=pk).first()
        labels[model][pk] = _label(model, obj) if obj else str(pk)
    return labels[model][pk]


def _value(labels, name: str, value, model) -> str:
    related = {"institution_id": Institution, "leader_partner_id": Partner, "co_lead_partner_id": Partner,
               "leader_person_id": Person, "co_lead_person_id": Person, "lead_id": Partner, "incoming_id": Partner,
               "outgoing_id": Partner, "partner_id": Partner, "person_id": Person, "instance_id": Instance,
               "pairs_with_id": Mandate}
    if name in related and related[name] is not Mandate:
        return _related_label(labels, related[name], value)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _mandate_text(m, labels, people: dict) -> str:
    who = people.get(m.person_id) or _related_label(labels, Person, m.person_id)
    instance = _related_label(labels, Instance, m.instance_id)
    dates = _("from %(start)s") % {"start": m.start}
    if m.end:
        dates = _("%(start)s → %(end)s") % {"start": m.start, "end": m.end}
    return f"{who} — {instance}, {m.get_role_display()} ({dates})"


def _fill(preview: Preview, result: ImportResult, changes: list) -> None:
    preview.errors = [[e.file, e.line, e.column, e.message, e.rule] for e in result.errors]
    preview.created, preview.updated, preview.unchanged = result.created, result.updated, result.unchanged
    if result.errors:
        preview.created = preview.updated = 0
        return
    labels = _labels(changes)
    groups = defaultdict(list)
    people = {c.obj.pk: _label(Person, c.obj) for c in changes if c.model is Person}
    started, ended = defaultdict(list), defaultdict(list)
    for change in changes:
        obj, model = change.obj, change.model
        if change.created:
            key = {Partner: "partners_created", Institution: "institutions_created", Person: "people_created",
                   Instance: "groups_created", Troika: "troika_changed"}.get(model)
            if model is Mandate:
                started[(obj.person_id, obj.instance_id)].append(change)
                continue
            groups[key].append(_label(model, obj) if model is not Institution
                               else f"{obj.name} ({_related_label(labels, Partner, obj.partner_id)})")
            if model is Partner and not obj.article:
                preview.warnings.append(_("%(name)s has no French article (le, la, les, l’): the texts will say "
                                          "“%(name)s” without one.") % {"name": obj.name})
            continue
        diffs = ", ".join(f"{name.removesuffix('_id')}: {_value(labels, name, old, model)} → "
                          f"{_value(labels, name, new, model)}" for name, (old, new) in change.fields.items())
        if model is Mandate and set(change.fields) == {"end"}:
            ended[(obj.person_id, obj.instance_id)].append(change)
            continue
        key = {Person: "people_changed", Mandate: "mandates_changed", Troika: "troika_changed"}.get(model)
        if model is Instance:
            leaders = {"leader_partner_id", "co_lead_partner_id", "leader_person_id", "co_lead_person_id"}
            key = "leaders_changed" if set(change.fields) & leaders else "other_changes"
        groups[key or "other_changes"].append(f"{_label(model, obj)}: {diffs}")
    for pair in set(started) | set(ended):
        if pair in started and pair in ended:
            old = ended[pair][0].obj
            new = started[pair][0].obj
            groups["role_changes"].append(_("%(who)s — %(instance)s: %(old)s → %(new)s (from %(start)s)") % {
                "who": people.get(old.person_id) or _related_label(labels, Person, old.person_id),
                "instance": _related_label(labels, Instance, old.instance_id), "old": old.get_role_display(),
                "new": new.get_role_display(), "start": new.start})
            started[pair], ended[pair] = started[pair][1:], ended[pair][1:]
        for change in started.get(pair, []):
            groups["mandates_started"].append(_mandate_text(change.obj, labels, people))
        for change in ended.get(pair, []):
            groups["mandates_ended"].append(_mandate_text(change.obj, labels, people))
    preview.warnings += _last_mandate_warnings(ended, started)
    preview.groups = {key: sorted(groups[key]) for key in HEADINGS if groups.get(key)}


def _last_mandate_warnings(ended: dict, started: dict) -> list[str]:
    """People whose every mandate now ends: their account lapses after the grace period."""
    ending = {c.obj.pk: c.obj for changes in ended.values() for c in changes}
    if not ending:
        return []
    person_ids = {m.person_id for m in ending.values()}
    starting = {pair[0] for pair, changes in started.items() if changes}
    today = datetime.date.today()
    still = set(Mandate.objects.filter(person_id__in=person_ids).exclude(pk__in=ending)
                .filter(Q(end__isnull=True) | Q(end__gte=today)).values_list("person_id", flat=True))
    warnings = []
    for pk in sorted(person_ids - still - starting):
        person = Person.objects.filter(pk=pk).first()
        last_end = max(m.end for m in ending.values() if m.person_id == pk)
        warnings.append(_("%(name)s holds no mandate after %(end)s: their portal account will lapse %(days)d days "
                          "later.") % {"name": person.full_name if person else pk, "end": last_end,
                                       "days": settings.ACCOUNT_GRACE_DAYS})
    return warnings
