"""The written procedures' card on the dashboards: what is open, and objections at once.

Its figures are columns of the bodies' row (scalar subqueries registered with `register_instance_columns`): the
SEG's dashboard reads them with its bodies, in the query it makes anyway, so the card costs it nothing; a
leader's dashboard reads its bodies with these columns in one query. Per body: the open procedures and the
drafts counted, the one closing first, and the standing objections of open silence procedures counted, with the
latest one's reason, partner and author.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Func, IntegerField, JSONField, OuterRef, Q, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from instances.models import Instance
from membership.models import Person
from procedures.models import Procedure, ProcedureAnswer
from secretariat.dashboard_panels import register_dashboard_panel, register_instance_columns

PREFIX = "procedures_"


def _count(queryset):
    return Subquery(queryset.order_by().values(n=Func(F("pk"), function="COUNT")), output_field=IntegerField())


def _first_row(queryset, **fields):
    """The first row's fields as one JSON object: one correlated subquery per row of the bodies rather than one
    per field (each costs the dashboard's query its compiling, planning and running per body)."""
    return Subquery(queryset.values(row=JSONObject(**fields))[:1], output_field=JSONField())


def columns() -> dict:
    of_body = Procedure.objects.filter(body_id=OuterRef("pk"))
    open_ = of_body.filter(state=Procedure.State.OPEN).order_by("deadline", "pk")
    objections = ProcedureAnswer.objects.filter(
        seat__procedure__body_id=OuterRef("pk"), seat__procedure__state=Procedure.State.OPEN,
        seat__procedure__mode=Procedure.Mode.SILENCE, answer=ProcedureAnswer.Answer.OBJECT,
    ).order_by("-answered_at", "-pk")
    counts = of_body.order_by().values("body_id").annotate(row=JSONObject(
        open=Count("pk", filter=Q(state=Procedure.State.OPEN)),
        drafts=Count("pk", filter=Q(state=Procedure.State.DRAFT)))).values("row")
    return {
        f"{PREFIX}counts": Subquery(counts, output_field=JSONField()),
        f"{PREFIX}next": _first_row(open_, id="pk", title="title", deadline="deadline"),
        f"{PREFIX}objections": _count(objections),
        f"{PREFIX}objection": _first_row(
            objections, procedure="seat__procedure_id", title="seat__procedure__title", reason="reason",
            partner="seat__partner__name", first_name="person__first_name", last_name="person__last_name"),
    }


COLUMN_NAMES = tuple(f"{PREFIX}{name}" for name in ("counts", "next", "objections", "objection"))


def _moment(text: str | None) -> datetime.datetime | None:
    """A datetime read back from JSON: ISO with its offset on PostgreSQL, naive UTC text on SQLite."""
    moment = parse_datetime(text) if text else None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return moment


def _figures(body) -> dict:
    counts = getattr(body, f"{PREFIX}counts") or {}
    following = getattr(body, f"{PREFIX}next") or {}
    objection = getattr(body, f"{PREFIX}objection") or {}
    objections = getattr(body, f"{PREFIX}objections") or 0
    return {
        "open": counts.get("open") or 0, "drafts": counts.get("drafts") or 0,
        "next_id": following.get("id"), "next_title": following.get("title"),
        "next_deadline": _moment(following.get("deadline")),
        "objections": objections, "objection_procedure": objection.get("procedure"),
        "objection_title": objection.get("title"), "objection_reason": objection.get("reason"),
        "objection_partner": objection.get("partner"),
        "objection_person": (Person.name_of(objection.get("first_name"), objection.get("last_name"))
                             if objections else ""),
    }


def procedures_card(*, user, instances, secretariat: bool) -> dict | None:
    """The card of the bodies `instances` the user manages (no query when they carry the columns)."""
    bodies = list(instances)
    if not bodies:
        return None
    if not all(hasattr(body, COLUMN_NAMES[0]) for body in bodies):
        bodies = list(Instance.objects.filter(pk__in=[b.pk for b in bodies]).annotate(**columns())
                      .order_by("kind", "code"))
    rows = []
    for body in bodies:
        figures = _figures(body)
        if not (figures["open"] or figures["drafts"]):
            continue
        figures["body_code"], figures["body_id"] = body.code, body.pk
        figures["other_objections"] = max(figures["objections"] - 1, 0)
        rows.append(figures)
    return {"template": "procedures/_dashboard.html", "bodies": rows,
            "open_count": sum(r["open"] for r in rows), "drafts": sum(r["drafts"] for r in rows),
            "objections": sum(r["objections"] for r in rows)}


register_instance_columns(columns)
register_dashboard_panel(procedures_card)
