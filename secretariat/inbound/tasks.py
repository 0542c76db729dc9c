"""Beat: read the secretariat's mailbox every INBOUND_POLL_SECONDS (only when INBOUND_IMAP_HOST is set)."""

from __future__ import annotations

import logging

from celery import shared_task

from core.heartbeats import mark
from secretariat.inbound.imap import MailboxError, poll

logger = logging.getLogger(__name__)
MAILBOX_HEARTBEAT = "inbound-poll"


@shared_task(name="secretariat.inbound.tasks.poll_mailbox")
def poll_mailbox() -> int:
    """Process the unread messages; safe to run twice (each message is keyed). Returns how many were read."""
    try:
        read = len(poll())
    except MailboxError as exc:  # the mailbox is down or refuses us: the next beat tries again
        logger.warning("Secretariat mailbox not read: %s", exc)
        return 0
    mark(MAILBOX_HEARTBEAT)  # monitoring: the mailbox was read
    return read
