"""Stable Message-IDs for invitation messages, and reading them back from bounces and replies.

One invitation message (invitation, kind, calendar sequence) keeps one Message-ID across retries and
resends, so receiving systems can collapse repeats (RFC 1047: SMTP is at-least-once) and the inbound
mailbox can tie a bounce or a reply to its invitation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

_PATTERN = re.compile(r"<?ptf\.invitation\.(\d+)\.([a-z]+)\.(\d+)@([^>\s]+)>?", re.IGNORECASE)


@dataclass(frozen=True)
class MessageRef:
    invitation_id: int
    kind: str
    sequence: int


def message_id_domain() -> str:
    """MESSAGE_ID_DOMAIN, else the host of SITE_URL (never 'localhost' in production: check --deploy warns)."""
    configured = getattr(settings, "MESSAGE_ID_DOMAIN", "")
    return configured or (urlsplit(settings.SITE_URL).hostname or "ptf-portal.invalid")


def make_message_id(*, invitation_id: int, kind: str, sequence: int) -> str:
    return f"<ptf.invitation.{invitation_id}.{kind}.{sequence}@{message_id_domain()}>"


def parse_message_id(value: str) -> MessageRef | None:
    """The invitation a Message-ID (or a References/In-Reply-To list) points to, or None."""
    match = _PATTERN.search(value or "")
    if match is None:
        return None
    return MessageRef(invitation_id=int(match.group(1)), kind=match.group(2).lower(), sequence=int(match.group(3)))
