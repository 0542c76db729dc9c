"""The audit trail: who changed what, when, read from django-simple-history.

One page of one model's history costs a fixed number of queries, whatever its size: the records
(with their user), each record's predecessor found by a subquery and loaded in one query, the
objects named in the labels, and the many-to-many rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history import utils as history_utils

from core.french import long_date, long_datetime

PER_PAGE = 25


@dataclass(frozen=True)
class Audited:
    """A model whose history the secretariat reads, and how to name one of its objects."""

    key: str
    model_label: str
    title: str
    # select_related for the live objects, so that str(obj) needs no query.
    select: tuple[str, ...] = ()
    # A related object named before the object itself (an agenda item's meeting).
    context: str | None = None
    # What names a deleted object, from its history record.
    fallback: str = "id"

    @property
    def model(self):
        return apps.get_model(self.model_label)

    @property
    def history_model(self):
        return self.model.history.model


AUDITED = {
    a.key: a
    for a in [
        Audited("mandate", "membership.Mandate", _("Mandates"), ("person", "instance"), fallback="role"),
        Audited("meeting", "meetings.Meeting", _("Meetings"), ("instance",), fallback="title"),
        Audited("agendaitem", "meetings.AgendaItem", _("Agenda items"), ("meeting__instance",), "meeting", "title"),
        Audited("distributionlist", "secretariat.DistributionList", _("Distribution lists"), ("meeting__instance",),
                fallback="on_date"),
        Audited("invitation", "secretariat.Invitation", _("Invitations and answers"), ("meeting__instance",),
                "meeting", "name"),
        Audited("instance", "instances.Instance", _("Instances"), fallback="code"),
        Audited("person", "membership.Person", _("People"), ("institution__partner",), fallback="last_name"),
        Audited("accountevent", "membership.AccountEvent", _("Portal accounts"), ("person", "user"), fallback="kind"),
        Audited("procedure", "procedures.Procedure", _("Written procedures"), ("body",), fallback="title"),
        Audited("procedureanswer", "procedures.ProcedureAnswer", _("Written procedures: answers"),
                ("seat__partner",), fallback="answer"),
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


# Codes stored without a choices list on the model, read through the labels of the code that writes them.
CODED_FIELDS = {
    ("meetings.Meeting", "chair_role"): {
        "leader": _("group leader"), "co_lead": _("co-lead"), "lead": _("Troïka lead"),
        "incoming": _("incoming Troïka lead"), "outgoing": _("outgoing Troïka lead"), "titular": _("titular"),
        "deputy": _("deputy"), "expert": _("expert"),
    },
}


# What str() of a referenced object reads, loaded with it.
NAME_NEEDS = {"meetings.Meeting": ("instance",), "membership.Mandate": ("person", "instance"),
              "membership.Institution": ("partner",), "meetings.AgendaItem": ()}


def _display(model, name: str, value, names: dict | None = None) -> str:
    """A field value as a person reads it: choice labels, the name of a related object (`names`, loaded in
    bulk), dates in the reader's language and time zone, '—' for empty."""
    if value is None or value == "" or value == set():
        return "—"
    try:
        model_field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001  (a field gone from the model since: show the raw value)
        return str(value)
    if isinstance(value, set):
        return ", ".join(sorted(_related_name(model_field, v, names) for v in value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    coded = CODED_FIELDS.get((model._meta.label, name))
    if coded is not None:
        return str(coded.get(value, value))
    if model_field.is_relation:
        return _related_name(model_field, value, names)
    if isinstance(value, datetime.datetime):
        return long_datetime(value)
    if isinstance(value, datetime.date):
        return long_date(value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def _related_name(model_field, pk, names: dict | None) -> str:
    target = model_field.related_model
    obj = (names or {}).get(target, {}).get(pk)
    return str(obj) if obj is not None else _("%(thing)s no. %(id)s (deleted)") % {
        "thing": target._meta.verbose_name, "id": pk}


def _referenced(audited: Audited, pairs, m2m: dict) -> dict:
    """The objects the changed foreign keys and many-to-many fields point to: one query per target model."""
    model = audited.model
    wanted: dict = defaultdict(set)
    for record, previous in pairs:
        if previous is None:
            continue
        for change in record.diff_against(previous, excluded_fields=set(m2m)).changes:
            field = _field(model, change.field)
            if field is not None and field.is_relation and field.related_model is not None:
                wanted[field.related_model].update(v for v in (change.old, change.new) if v is not None)
    for name, by_record in m2m.items():
        field = _field(model, name)
        if field is not None:
            for ids in by_record.values():
                wanted[field.related_model].update(ids)
    return {target: target._base_manager.select_related(*NAME_NEEDS.get(target._meta.label, ())).in_bulk(ids)
            for target, ids in wanted.items() if ids}


def _field(model, name: str):
    try:
        return model._meta.get_field(name)
    except Exception:  # noqa: BLE001
        return None


def _live_objects(audited: Audited, records) -> dict:
    """The objects the records are about, when they still exist (one query)."""
    ids = {r.id for r in records}
    return audited.model._base_manager.select_related(*audited.select).in_bulk(ids) if ids else {}


def _label(audited: Audited, record, live: dict) -> str:
    obj = live.get(record.id)
    if obj is None:
        display = getattr(record, f"get_{audited.fallback}_display", None)
        name = display() if display else getattr(record, audited.fallback, record.id)
        return _("%(name)s (deleted)") % {"name": name}
    if audited.context:
        return f"{getattr(obj, audited.context)} — {obj}"
    return str(obj)


def _m2m_values(audited: Audited, history_ids) -> dict[str, dict[int, set]]:
    """Many-to-many values of each history record, per field (one query per field)."""
    values: dict[str, dict[int, set]] = {}
    history_model = audited.history_model
    for m2m_field in getattr(history_model, "_history_m2m_fields", []):
        through = apps.get_model(history_model._meta.app_label, f"{history_model.__name__}_{m2m_field.name}")
        target = history_utils.get_m2m_reverse_field_name(m2m_field)
        by_record = defaultdict(set)
        rows = through.objects.filter(history_id__in=history_ids).values_list("history_id", f"{target}_id")
        for history_id, target_id in rows:
            by_record[history_id].add(target_id)
        values[m2m_field.name] = by_record
    return values


def _changes(audited: Audited, record, previous, m2m: dict[str, dict[int, set]], names: dict) -> list[Change]:
    model = audited.model
    if previous is None:
        return []
    delta = record.diff_against(previous, excluded_fields=set(m2m))
    changes = [
        Change(_field_title(model, c.field), _display(model, c.field, c.old, names),
               _display(model, c.field, c.new, names))
        for c in delta.changes
    ]
    for name, by_record in m2m.items():
        old, new = by_record.get(previous.history_id, set()), by_record.get(record.history_id, set())
        if old != new:
            changes.append(Change(_field_title(model, name), _display(model, name, old, names),
                                  _display(model, name, new, names)))
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
    live = _live_objects(audited, records)
    m2m = _m2m_values(audited, [r.history_id for r in records] + previous_ids) if records else {}
    names = _referenced(audited, [(r, previous.get(r.previous_id)) for r in records], m2m)
    entries = [
        AuditEntry(
            when=r.history_date,
            who=(r.history_user.get_full_name() or r.history_user.get_username()) if r.history_user else "—",
            action=str(HISTORY_TYPES.get(r.history_type, r.history_type)),
            history_type=r.history_type,
            reason=r.history_change_reason or "",
            object_id=r.id,
            label=_label(audited, r, live),
            changes=_changes(audited, r, previous.get(r.previous_id), m2m, names),
        )
        for r in records
    ]
    return page, entries
