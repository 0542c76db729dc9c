"""Password reset requests: throttled in the request, resolved and e-mailed by the worker.

The request writes the same row and queues the same task whether or not the address is an account's, so both
answer alike and a slow mail server never holds the answer. The worker looks the address up, checks the
per-account limit and sends the link. The row is the truth: a task run twice sends once, and rows the broker
lost are published again by the beat; rows are deleted after a day.

Three limits, each within PASSWORD_RESET_WINDOW seconds: requests per client address (the real one,
`core.client_ip`), per address typed (both counted in the cache, in the request), and reset e-mails per
account (counted on the account's events by the worker, so no spelling of the address and no cache flush gets
around it). Whatever happens the page answers the same.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.addresses import address_key_or_empty
from core.queue import enqueue_on_commit, publish
from core.throttle import hit
from membership.accounts.emails import password_reset_message
from membership.accounts.models import AccountEvent, PasswordResetRequest
from membership.accounts.selectors import accounts_with_address
from membership.accounts.services import password_reset_recorded

security_log = logging.getLogger("ptf.security")
User = get_user_model()
SEND_RESET_TASK = "membership.accounts.tasks.send_password_reset"


def _accounts(email: str) -> list:
    """The active accounts with a usable password whose address is this one (compared by key, not by the
    database's case folding, as Django's own reset form does)."""
    return [user for user in accounts_with_address(email) if user.is_active and user.has_usable_password()]


def password_reset_request(*, email: str, client_ip: str) -> PasswordResetRequest | None:
    """Record the request and queue its e-mail, unless the client or the address asked too often.

    One INSERT, known address or not; the task is published once the row is committed (at once in autocommit).
    """
    ip = client_ip or "-"
    window = settings.PASSWORD_RESET_WINDOW
    by_ip = hit("password-reset", f"ip:{ip}", window) > settings.PASSWORD_RESET_PER_IP
    key = address_key_or_empty(email) or email.strip().lower()
    by_address = hit("password-reset", f"address:{key}", window) > settings.PASSWORD_RESET_PER_ADDRESS
    if by_ip or by_address:
        security_log.warning("password reset throttled ip=%s by=%s", ip, "ip" if by_ip else "address")
        return None
    row = PasswordResetRequest(email=email.strip()[:254], client_ip=ip[:45], created_at=timezone.now())
    row.full_clean()
    row.save()
    enqueue_on_commit(SEND_RESET_TASK, row.pk)
    return row


def _over_account_limit(user, now) -> bool:
    since = now - datetime.timedelta(seconds=settings.PASSWORD_RESET_WINDOW)
    sent = AccountEvent.objects.filter(user=user, kind=AccountEvent.Kind.RESET_REQUESTED, at__gte=since).count()
    return sent >= settings.PASSWORD_RESET_PER_ACCOUNT


def password_reset_send(*, request_id: int) -> str:
    """E-mail a link to each account of the address, in the person's language, all or nothing.

    Safe to run twice: a processed row is left alone. A request older than a link's life is dropped; an
    account that already got PASSWORD_RESET_PER_ACCOUNT links in the window gets none.
    """
    with transaction.atomic():
        row = PasswordResetRequest.objects.select_for_update().filter(pk=request_id).first()
        now = timezone.now()
        if row is None or row.processed_at is not None:
            return "skipped"
        row.processed_at = now
        messages = []
        if row.created_at > now - datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT):
            for user in _accounts(row.email):
                if _over_account_limit(user, now):
                    security_log.warning("password reset throttled ip=%s by=account user=%s", row.client_ip,
                                         user.get_username())
                    continue
                messages.append(password_reset_message(user))
                password_reset_recorded(user=user, requested=True)
        row.sent = len(messages)
        row.save(update_fields=["processed_at", "sent"])
        # Sending inside the transaction: if the server refuses, the row stays unprocessed and the task retries.
        for message in messages:
            message.send()
    return "sent" if messages else "nothing to send"


def password_resets_requeue(*, older_than_seconds: int = 120) -> int:
    """Publish again the requests the broker lost while a link would still help; forget those a day old."""
    now = timezone.now()
    PasswordResetRequest.objects.filter(created_at__lt=now - datetime.timedelta(days=1)).delete()
    ids = list(PasswordResetRequest.objects.filter(
        processed_at__isnull=True,
        created_at__lt=now - datetime.timedelta(seconds=older_than_seconds),
        created_at__gt=now - datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
    ).values_list("pk", flat=True))
    return sum(1 for pk in ids if publish(SEND_RESET_TASK, pk))
