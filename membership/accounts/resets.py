"""Password reset requests: throttled in the request, e-mailed by the worker.

The request only writes a row (when the address is an account's) and queues its task after commit, so the
answer takes the same time whether or not the address exists and a slow mail server never holds it. The row
is the truth: a task run twice sends once, and rows the broker lost are published again by the beat.

Three limits, each within PASSWORD_RESET_WINDOW seconds: requests per client address (the real one,
`core.client_ip`), per address typed, and reset e-mails per account (counted on the rows, so no spelling of
the address and no cache flush gets around it). Whatever happens the page answers the same.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.addresses import address_key_or_empty, normalise_address, same_address
from core.queue import enqueue_on_commit, publish
from core.throttle import hit
from membership.accounts.emails import password_reset_message
from membership.accounts.models import PasswordResetRequest
from membership.accounts.services import password_reset_recorded

security_log = logging.getLogger("ptf.security")
User = get_user_model()
SEND_RESET_TASK = "membership.accounts.tasks.send_password_reset"


def _accounts(email: str) -> list:
    """The active accounts with a usable password whose address is this one (compared by key, not by the
    database's case folding, as Django's own reset form does)."""
    forms = {email.strip()}
    try:
        forms.add(normalise_address(email))
    except ValueError:
        pass
    candidates = User._default_manager.none()
    for form in forms:
        candidates = candidates | User._default_manager.filter(email__iexact=form, is_active=True)
    return [user for user in candidates.distinct() if user.has_usable_password() and same_address(user.email, email)]


@transaction.atomic
def password_reset_request(*, email: str, client_ip: str) -> list[PasswordResetRequest]:
    """Queue a reset e-mail to each account of this address, unless a limit is reached. Returns the rows."""
    ip = client_ip or "-"
    window = settings.PASSWORD_RESET_WINDOW
    by_ip = hit("password-reset", f"ip:{ip}", window) > settings.PASSWORD_RESET_PER_IP
    key = address_key_or_empty(email) or email.strip().lower()
    by_address = hit("password-reset", f"address:{key}", window) > settings.PASSWORD_RESET_PER_ADDRESS
    if by_ip or by_address:
        security_log.warning("password reset throttled ip=%s by=%s", ip, "ip" if by_ip else "address")
        return []
    now = timezone.now()
    since = now - datetime.timedelta(seconds=window)
    rows = []
    for user in _accounts(email):
        recent = PasswordResetRequest.objects.filter(user=user, created_at__gte=since).count()
        if recent >= settings.PASSWORD_RESET_PER_ACCOUNT:
            security_log.warning("password reset throttled ip=%s by=account user=%s", ip, user.get_username())
            continue
        row = PasswordResetRequest(user=user, created_at=now, client_ip=ip[:45])
        row.full_clean()
        row.save()
        enqueue_on_commit(SEND_RESET_TASK, row.pk)
        rows.append(row)
    return rows


def _still_wanted(row: PasswordResetRequest, now) -> bool:
    user = row.user
    fresh = row.created_at > now - datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    return fresh and user.is_active and user.has_usable_password()


def password_reset_send(*, request_id: int) -> str:
    """E-mail the link of one request, in the person's language, all or nothing. Safe to run twice: a row
    already sent is left alone; a request older than a link's life, or of an account since disabled, is dropped."""
    with transaction.atomic():
        row = (PasswordResetRequest.objects.select_for_update(of=("self",)).select_related("user")
               .filter(pk=request_id).first())
        now = timezone.now()
        if row is None or row.sent_at is not None or not _still_wanted(row, now):
            return "skipped"
        row.sent_at = now
        row.save(update_fields=["sent_at"])
        message = password_reset_message(row.user)
        password_reset_recorded(user=row.user, requested=True)
        # Sending inside the transaction: if the server refuses, no row says "sent" and the task retries.
        message.send()
    return "sent"


def password_resets_requeue(*, older_than_seconds: int = 300) -> int:
    """Publish again the requests whose e-mail never left (broker down at commit) while a link would still help."""
    now = timezone.now()
    ids = list(PasswordResetRequest.objects.filter(
        sent_at__isnull=True,
        created_at__lt=now - datetime.timedelta(seconds=older_than_seconds),
        created_at__gt=now - datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
    ).values_list("pk", flat=True))
    return sum(1 for pk in ids if publish(SEND_RESET_TASK, pk))
