"""The written procedures' card on the dashboards: what is open, and objections at once.

Its figures are columns of the bodies' row (scalar subqueries registered with `register_instance_columns`): the
SEG's dashboard reads them with its bodies, in the query it makes anyway, so the card costs it nothing; a
leader's dashboard reads its bodies with these columns in one query. Per body: the open procedures and the
drafts counted, the one closing first, and the standing objections of open silence procedures counted, with the
latest one's reason, partner and author.
"""

from __future__ import annotations

from django.db.models import F, Func, IntegerField, OuterRef, Subquery

from instances.models import Instance
from membership.models import Person
from procedures.models import Procedure, ProcedureAnswer
from secretariat.dashboard_panels import register_dashboard_panel, register_instance_columns

PREFIX = "procedures_"


def _count(queryset):
    return Subquery(queryset.order_by().values(n=Func(F("pk"), function="COUNT")), output_field=IntegerField())


def _first(queryset, field):
    return Subquery(queryset.values(field)[:1])


def columns() -> dict:
    of_body = Procedure.objects.filter(body_id=OuterRef("pk"))
    open_ = of_body.filter(state=Procedure.State.OPEN).order_by("deadline", "pk")
    objections = ProcedureAnswer.objects.filter(
        seat__procedure__body_id=OuterRef("pk"), seat__procedure__state=Procedure.State.OPEN,
        seat__procedure__mode=Procedure.Mode.SILENCE, answer=ProcedureAnswer.Answer.OBJECT,
    ).order_by("-answered_at", "-pk")
    return {
        f"{PREFIX}open": _count(open_),
        f"{PREFIX}drafts": _count(of_body.filter(state=Procedure.State.DRAFT)),
        f"{PREFIX}next_id": _first(open_, "pk"),
        f"{PREFIX}next_title": _first(open_, "title"),
        f"{PREFIX}next_deadline": _first(open_, "deadline"),
        f"{PREFIX}objections": _count(objections),
        f"{PREFIX}objection_procedure": _first(objections, "seat__procedure_id"),
        f"{PREFIX}objection_title": _first(objections, "seat__procedure__title"),
        f"{PREFIX}objection_reason": _first(objections, "reason"),
        f"{PREFIX}objection_partner": _first(objections, "seat__partner__name"),
        f"{PREFIX}objection_first_name": _first(objections, "person__first_name"),
        f"{PREFIX}objection_last_name": _first(objections, "person__last_name"),
    }


COLUMN_NAMES = tuple(f"{PREFIX}{name}" for name in (
    "open", "drafts", "next_id", "next_title", "next_deadline", "objections", "objection_procedure",
    "objection_title", "objection_reason", "objection_partner", "objection_first_name", "objection_last_name"))


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
        figures = {name[len(PREFIX):]: getattr(body, name) for name in COLUMN_NAMES}
        if not (figures["open"] or figures["drafts"]):
            continue
        figures["body_code"], figures["body_id"] = body.code, body.pk
        figures["objection_person"] = (Person.name_of(figures["objection_first_name"], figures["objection_last_name"])
                                       if figures["objections"] else "")
        figures["other_objections"] = max((figures["objections"] or 0) - 1, 0)
        rows.append(figures)
    return {"template": "procedures/_dashboard.html", "bodies": rows,
            "open_count": sum(r["open"] or 0 for r in rows), "drafts": sum(r["drafts"] or 0 for r in rows),
            "objections": sum(r["objections"] or 0 for r in rows)}


register_instance_columns(columns)
register_dashboard_panel(procedures_card)
