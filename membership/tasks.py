"""Celery discovers tasks in `<app>.tasks`: the account tasks live in membership.accounts.tasks."""

from membership.accounts.tasks import disable_lapsed_accounts, requeue_account_invitations, send_account_invitation

__all__ = ["disable_lapsed_accounts", "requeue_account_invitations", "send_account_invitation"]
