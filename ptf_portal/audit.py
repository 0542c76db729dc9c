"""The audit trail (issue 7, item 7): who changed what, when, read from django-simple-history.

One page of one model's history costs a fixed number of queries, whatever its size: the records
(with their user), each record's predecessor found by a subquery and loaded in one query, the
objects named in the labels, and the many-to-many rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history import utils as history_utils

PER_PAGE = 25


@dataclass(frozen=True)
class Audited:
    """A model whose history the secretariat reads, and how to name one of its objects."""

    key: str
    model_label: str
    title: str
    label_fields: tuple[str, ...]
    # Foreign keys shown in the label -> select_related of the target, so str() needs no query.
    related: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def model(self):
        return apps.get_model(self.model_label)

    @property
    def history_model(self):
        return self.model.history.model


AUDITED = {
    a.key: a
    for a in [
        Audited("mandate", "membership.Mandate", _("Mandates"), ("person", "instance", "role"),
                {"person": (), "instance": ()}),
        Audited("meeting", "meetings.Meeting", _("Meetings"), ("instance", "title", "start"), {"instance": ()}),
        Audited("agendaitem", "meetings.AgendaItem", _("Agenda items"), ("meeting", "title"),
                {"meeting": ("instance",)}),
        Audited("distributionlist", "secretariat.DistributionList", _("Distribution lists"), ("meeting", "on_date"),
                {"meeting": ("instance",)}),
        Audited("instance", "instances.Instance", _("Instances"), ("code",)),
        Audited("person", "membership.Person", _("People"), ("first_name", "last_name")),
    ]
}
HISTORY_TYPES = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class AuditEntry:
    when: datetime.datetime
    who: str
    action: str
    history_type: str
    reason: str
    object_id: int
    label: str
    changes: list[Change]


def _display(model, name: str, value) -> str:
    """A field value as a person reads it: choice labels, `#id` for a foreign key, '—' for empty."""
    if value is None or value == "":
        return "—"
    try:
        model_field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001  (a field gone from the model since: show the raw value)
        return str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        return f"#{value}"
    if isinstance(value, list | set | tuple):
        return ", ".join(f"#{v}" for v in sorted(value)) or "—"
    return str(value)


def _history_field_names(history_model) -> set[str]:
    return {f.name for f in history_model._meta.get_fields()}


def _related_objects(audited: Audited, records) -> dict[str, dict]:
    """For each label foreign key, its target objects by id (one query each)."""
    present = _history_field_names(audited.history_model)
    found = {}
    for name, select in audited.related.items():
        if name not in present:
            continue
        target = audited.model._meta.get_field(name).related_model
        ids = {getattr(r, f"{name}_id") for r in records} - {None}
        found[name] = target._base_manager.select_related(*select).in_bulk(ids) if ids else {}
    return found


def _label(audited: Audited, record, related: dict[str, dict]) -> str:
    parts = []
    for name in audited.label_fields:
        if name in audited.related:
            if name in related:  # not when the history does not keep that field
                pk = getattr(record, f"{name}_id")
                obj = related[name].get(pk)
                parts.append(str(obj) if obj is not None else f"#{pk}")
        else:
            value = getattr(record, name)
            display = getattr(record, f"get_{name}_display", None)
            if isinstance(value, datetime.datetime):
                value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
            parts.append(str(display() if display else value))
    return " — ".join(p for p in parts if p) or f"#{record.id}"


def _m2m_values(audited: Audited, history_ids) -> dict[str, dict[int, set]]:
    """Many-to-many values of each history record, per field (one query per field)."""
    values: dict[str, dict[int, set]] = {}
    history_model = audited.history_model
    for m2m_field in getattr(history_model, "_history_m2m_fields", []):
        through = history_model._meta.get_field(m2m_field.name).related_model
        target = history_utils.get_m2m_reverse_field_name(m2m_field)
        by_record = defaultdict(set)
        rows = through.objects.filter(history_id__in=history_ids).values_list("history_id", f"{target}_id")
        for history_id, target_id in rows:
            by_record[history_id].add(target_id)
        values[m2m_field.name] = by_record
    return values


def _changes(audited: Audited, record, previous, m2m: dict[str, dict[int, set]]) -> list[Change]:
    model = audited.model
    if previous is None:
        return []
    delta = record.diff_against(previous, excluded_fields=set(m2m))
    changes = [
        Change(_field_title(model, c.field), _display(model, c.field, c.old), _display(model, c.field, c.new))
        for c in delta.changes
    ]
    for name, by_record in m2m.items():
        old, new = by_record.get(previous.history_id, set()), by_record.get(record.history_id, set())
        if old != new:
            changes.append(Change(_field_title(model, name), _display(model, name, old), _display(model, name, new)))
    return changes


def _field_title(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001
        return name


def history_queryset(*, audited: Audited, date_from=None, date_to=None, object_id=None):
    """The records of one model, newest first, each annotated with its predecessor's history id."""
    history = audited.history_model
    previous = (
        history.objects.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    qs = history.objects.select_related("history_user").annotate(previous_id=Subquery(previous))
    zone = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(history_date__gte=datetime.datetime.combine(date_from, datetime.time.min, zone))
    if date_to:
        end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, zone)
        qs = qs.filter(history_date__lt=end)
    if object_id is not None:
        qs = qs.filter(id=object_id)
    return qs.order_by("-history_date", "-history_id")


def audit_page(*, key: str, page_number=1, date_from=None, date_to=None, object_id=None,
               per_page: int = PER_PAGE) -> tuple[Page, list[AuditEntry]]:
    """One page of a model's history as entries with their changed fields."""
    audited = AUDITED[key]
    page = Paginator(
        history_queryset(audited=audited, date_from=date_from, date_to=date_to, object_id=object_id), per_page
    ).get_page(page_number)
    records = list(page.object_list)
    previous_ids = [r.previous_id for r in records if r.previous_id]
    previous = audited.history_model.objects.in_bulk(previous_ids) if previous_ids else {}
    related = _related_objects(audited, records)
    m2m = _m2m_values(audited, [r.history_id for r in records] + previous_ids) if records else {}
    entries = [
        AuditEntry(
            when=r.history_date,
            who=(r.history_user.get_full_name() or r.history_user.get_username()) if r.history_user else "—",
            action=str(HISTORY_TYPES.get(r.history_type, r.history_type)),
            history_type=r.history_type,
            reason=r.history_change_reason or "",
            object_id=r.id,
            label=_label(audited, r, related),
            changes=_changes(audited, r, previous.get(r.previous_id), m2m),
        )
        for r in records
    ]
    return page, entries
