"""Reminders to those who have not answered: claimed one by one (sent once), sent over one SMTP connection.

A reminder is claimed by setting `reminded_at` (null → now) while the person has still not answered; one that
cannot be sent is released (`reminded_at` back to null), and the next beat tries it again.
"""

from __future__ import annotations

import logging

from django.core.mail import get_connection
from django.db.models import F
from django.utils import timezone

from secretariat.emails import reminder_message
from secretariat.models import Invitation

logger = logging.getLogger(__name__)


def _claim(ids) -> list[int]:
    now = timezone.now()
    return [pk for pk in ids if Invitation.objects.filter(
        pk=pk, reminded_at__isnull=True, rsvp=Invitation.Rsvp.NONE).update(reminded_at=now)]


def _release(pk: int) -> None:
    Invitation.objects.filter(pk=pk).update(reminded_at=None)


def send_reminder_batch(ids) -> int:
    """Send the reminders still due among `ids` over one connection; returns how many went out."""
    claimed = _claim(ids)
    if not claimed:
        return 0
    rows = list(Invitation.objects.filter(pk__in=claimed).select_related("meeting__instance").order_by("pk"))
    sent = 0
    backend = get_connection()
    try:
        backend.open()
    except Exception:
        for row in rows:
            _release(row.pk)
        logger.warning("Reminders %s not sent: the mail server cannot be reached", claimed, exc_info=True)
        return 0
    try:
        for row in rows:
            try:
                delivered = backend.send_messages([reminder_message(row)])
            except Exception:
                delivered = 0
                logger.warning("Reminder for invitation %s not sent", row.pk, exc_info=True)
            if delivered:
                Invitation.objects.filter(pk=row.pk).update(messages_sent=F("messages_sent") + 1)
                sent += 1
            else:
                _release(row.pk)
    finally:
        backend.close()
    return sent
