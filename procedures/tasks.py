"""Thin Celery tasks of the written procedures: each calls a service and is safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from procedures import mail, services
from secretariat import outbox


@shared_task(name="procedures.tasks.send_procedure_mail_batch", time_limit=settings.INVITATION_BATCH_TIME_LIMIT)
def send_procedure_mail_batch(mail_ids: list[int]) -> dict:
    """The due messages among these, through the secretariat's outbox (claimed once, sent once)."""
    return outbox.send_batch(mail_ids, kind=mail.PROCEDURE_MAILS)


@shared_task(name="procedures.tasks.close_due_procedures")
def close_due_procedures() -> int:
    """Beat: close the procedures whose deadline has passed (each exactly once)."""
    return services.close_due()


@shared_task(name="procedures.tasks.send_procedure_reminders")
def send_procedure_reminders() -> int:
    """Beat (hourly): approval mode, remind the seats without an answer before the deadline."""
    return services.reminders_send()
