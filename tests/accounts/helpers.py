"""Helpers of the account tests: links read back from the e-mails, a link issued directly."""

from __future__ import annotations

import datetime
import re

from django.core import mail
from django.utils import timezone

from membership.accounts import services
from membership.accounts.tokens import new_token, token_digest

ACTIVATION = re.compile(r"https?://[^\s]+/people/access/activate/([A-Za-z0-9_\-]+)/")
RESET = re.compile(r"https?://[^\s]+/people/password-reset/[^\s/]+/[^\s/]+/")


def links_by_address(pattern=ACTIVATION) -> dict[str, str]:
    """Recipient → the link in their last message."""
    found = {}
    for message in mail.outbox:
        match = pattern.search(message.body)
        if match:
            found[message.to[0].lower()] = match.group(0)
    return found


def issue_link(person=None, *, user=None) -> str:
    """An invitation sent without e-mail: its token, for tests that only need a valid link."""
    invitation = services.invitation_open(person=person, user=user)
    token = new_token()
    invitation.token_hash = token_digest(token)
    invitation.sent_at = timezone.now()
    invitation.expires_at = timezone.now() + datetime.timedelta(days=3)
    invitation.save()
    return token
