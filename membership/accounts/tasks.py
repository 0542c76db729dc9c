"""Thin Celery tasks of portal accounts: load by id, call a service. Safe to run twice."""

import logging

from celery import shared_task

from membership.accounts import resets, services, slowdown

logger = logging.getLogger(__name__)


@shared_task(name="membership.accounts.tasks.send_account_invitation", autoretry_for=(OSError,),
             retry_backoff=60, max_retries=5)
def send_account_invitation(invitation_id: int) -> str:
    """Mint and e-mail the link of one invitation; an SMTP error rolls back and retries with backoff."""
    return services.invitation_send(invitation_id=invitation_id)


@shared_task(name="membership.accounts.tasks.disable_lapsed_accounts")
def disable_lapsed_accounts() -> int:
    """Beat, daily: disable accounts whose person has held no active mandate for ACCOUNT_GRACE_DAYS."""
    disabled = services.accounts_disable_lapsed()
    logger.info("lapsed accounts disabled: %d", len(disabled))
    return len(disabled)


@shared_task(name="membership.accounts.tasks.requeue_account_invitations")
def requeue_account_invitations(older_than_seconds: int = 300) -> int:
    """Beat: send again the invitations whose e-mail never left."""
    return services.invitations_requeue(older_than_seconds=older_than_seconds)


@shared_task(name="membership.accounts.tasks.send_password_reset", autoretry_for=(OSError,),
             retry_backoff=30, max_retries=5)
def send_password_reset(request_id: int) -> str:
    """E-mail one password reset link; an SMTP error rolls back and retries with backoff."""
    return resets.password_reset_send(request_id=request_id)


@shared_task(name="membership.accounts.tasks.requeue_password_resets")
def requeue_password_resets(older_than_seconds: int = 120) -> int:
    """Beat: send again the reset requests whose e-mail never left, while their link would still be useful."""
    return resets.password_resets_requeue(older_than_seconds=older_than_seconds)


@shared_task(name="membership.accounts.tasks.forget_old_login_failures")
def forget_old_login_failures() -> int:
    """Beat, hourly: forget the failed sign-ins whose slow-down window has passed."""
    return slowdown.forget_old()
