"""Reads shared by the pages, the PDF record and the `procedure_result` command."""

from __future__ import annotations

from django.utils import timezone

from membership.access import can_manage_procedures, can_view_procedure
from membership.roles import person_id_of
from procedures.models import Procedure, ProcedureSeat

RESULT_FIELDS = ("partner", "person", "role", "answer", "reason", "answered_at", "channel")


def seat_person_ids(procedure: Procedure) -> list[int]:
    return [pid for pair in procedure.seats.values_list("titular_id", "deputy_id") for pid in pair if pid]


def visible_seats(procedure: Procedure, user=None) -> list[ProcedureSeat] | None:
    """The seats a reader may see with their answers: every seat for those who manage the body (and for the
    server's operator, `user` None), their own seat for a titular or deputy, None when the procedure is not
    theirs to read (A4: a GA procedure only to GA members and the SEG)."""
    seats = list(procedure.seats.select_related("partner", "titular", "deputy", "answer__person")
                 .order_by("partner__name", "pk"))
    if user is None or can_manage_procedures(user, procedure.body):
        return seats
    if not can_view_procedure(user, body=procedure.body, draft=procedure.state == Procedure.State.DRAFT,
                              seat_person_ids=seat_person_ids(procedure)):
        return None
    person_id = person_id_of(user)
    return [seat for seat in seats if person_id is not None and person_id in (seat.titular_id, seat.deputy_id)]


def result_rows(seats: list[ProcedureSeat]) -> list[dict]:
    """One row per seat: partner, person, role, answer, reason, answered_at (ISO 8601, Bamako time), channel."""
    rows = []
    for seat in seats:
        answer = getattr(seat, "answer", None) if _has_answer(seat) else None
        rows.append({
            "partner": seat.partner.name,
            "person": answer.person.full_name if answer else "",
            "role": answer.role if answer else "",
            "answer": answer.answer if answer else "",
            "reason": answer.reason if answer else "",
            "answered_at": timezone.localtime(answer.answered_at).isoformat() if answer else "",
            "channel": answer.channel if answer else "",
        })
    return rows


def _has_answer(seat) -> bool:
    try:
        seat.answer  # noqa: B018 (a reverse one-to-one raises when absent)
    except ProcedureSeat.answer.RelatedObjectDoesNotExist:
        return False
    return True
