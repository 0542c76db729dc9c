"""Helpers shared by the meeting services: refusals, locking, the meeting's local date."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import rules
from meetings.models import Meeting


def fail(message: str, field: str | None = None, code: str = "invalid"):
    raise ValidationError({field: [ValidationError(message, code=code)]} if field else ValidationError(message, code=code))


def status_label(status: str) -> str:
    return str(dict(Meeting.Status.choices).get(status, status))


def lock(meeting: Meeting) -> Meeting:
    """Reload the meeting's row under a lock, so two writers see each other's status change."""
    meeting.refresh_from_db(from_queryset=Meeting.objects.select_for_update())
    return meeting


def meeting_day(meeting: Meeting) -> datetime.date:
    """The meeting's date in Africa/Bamako: mandates and the Troïka are looked up on it."""
    return timezone.localtime(meeting.start).date()


def check_transition(meeting: Meeting, target: str) -> None:
    labels = {value: str(label) for value, label in Meeting.Status.choices}
    message = rules.transition_error(meeting.status, target, labels)
    if message:
        fail(message, code="invalid_transition")


def require_agenda_editable(meeting: Meeting) -> None:
    if meeting.status not in rules.AGENDA_EDITABLE:
        fail(_("The agenda of this meeting can no longer change: it is “%(status)s”.")
             % {"status": status_label(meeting.status)}, code="agenda_closed")


def apply_fields(obj, fields: dict, allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Cannot update {', '.join(sorted(unknown))} here")
    for name, value in fields.items():
        setattr(obj, name, value)
