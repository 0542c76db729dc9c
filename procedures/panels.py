"""The written procedures' card on the secretariat's dashboard: what is open, and objections at once."""

from __future__ import annotations

from procedures.models import Procedure, ProcedureAnswer
from secretariat.dashboard_panels import register_dashboard_panel


def procedures_card(*, user, instances, secretariat: bool) -> dict | None:
    """Counters of the managed bodies' procedures (drafts, open, closing within a day) and every standing
    objection of an open silence procedure, with its reason (three queries)."""
    body_ids = [body.pk for body in instances]
    if not body_ids:
        return None
    open_rows = list(Procedure.objects.filter(body_id__in=body_ids, state=Procedure.State.OPEN)
                     .select_related("body").order_by("deadline")[:20])
    drafts = Procedure.objects.filter(body_id__in=body_ids, state=Procedure.State.DRAFT).count()
    objections = list(ProcedureAnswer.objects.filter(
        seat__procedure__body_id__in=body_ids, seat__procedure__state=Procedure.State.OPEN,
        seat__procedure__mode=Procedure.Mode.SILENCE, answer=ProcedureAnswer.Answer.OBJECT)
        .select_related("seat__partner", "seat__procedure__body", "person").order_by("-answered_at")[:20])
    return {"template": "procedures/_dashboard.html", "open": open_rows, "drafts": drafts,
            "objections": objections}


register_dashboard_panel(procedures_card)
