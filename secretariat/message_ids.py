"""Stable Message-IDs for invitation messages, and reading them back from bounces and replies.

One invitation message (invitation, kind, calendar sequence) keeps one Message-ID across retries and
resends, so receiving systems can collapse repeats (RFC 1047: SMTP is at-least-once) and the inbound
mailbox can tie a bounce or a reply to its invitation.

The identifier also carries a MAC of the message (an HMAC of invitation, kind and sequence under
SECRET_KEY, 80 bits): only the recipient of that message (and the servers it passed) know it, so a
bounce that names it was caused by that message, while anyone can write the numbers. The form of 0.1
without the MAC (`<ptf.invitation.ID.KIND.SEQ@…>`) is still read, as *unverified*: what it says is held
for the secretariat, never applied.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

_PATTERN = re.compile(r"<?ptf\.invitation\.(\d+)\.([a-z]+)\.(\d+)(?:\.([a-z2-7]{16}))?@([^>\s]+)>?", re.IGNORECASE)
_SALT = "secretariat.message_ids"


@dataclass(frozen=True)
class MessageRef:
    invitation_id: int
    kind: str
    sequence: int
    # Whether the identifier carries the MAC of this very message: only then was it really sent by the portal.
    verified: bool = False


def message_id_domain() -> str:
    """MESSAGE_ID_DOMAIN, else the host of SITE_URL (never 'localhost' in production: check --deploy warns)."""
    configured = getattr(settings, "MESSAGE_ID_DOMAIN", "")
    return configured or (urlsplit(settings.SITE_URL).hostname or "ptf-portal.invalid")


def _mac(invitation_id: int, kind: str, sequence: int, secret=None) -> str:
    digest = salted_hmac(_SALT, f"{invitation_id}.{kind.lower()}.{sequence}", secret=secret,
                         algorithm="sha256").digest()
    return base64.b32encode(digest[:10]).decode("ascii").lower()


def make_message_id(*, invitation_id: int, kind: str, sequence: int) -> str:
    mac = _mac(invitation_id, kind, sequence)
    return f"<ptf.invitation.{invitation_id}.{kind}.{sequence}.{mac}@{message_id_domain()}>"


def _mac_matches(invitation_id: int, kind: str, sequence: int, mac: str) -> bool:
    """Against SECRET_KEY, then SECRET_KEY_FALLBACKS: a rotated key keeps recognising the messages it signed."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(constant_time_compare(_mac(invitation_id, kind, sequence, secret), mac.lower()) for secret in secrets)


def parse_message_id(value: str) -> MessageRef | None:
    """The invitation a Message-ID (or a References/In-Reply-To list) points to, or None.

    `verified` says whether it carries the right MAC; an identifier with a wrong MAC is not the portal's (None).
    """
    for match in _PATTERN.finditer(value or ""):
        invitation_id, kind, sequence = int(match.group(1)), match.group(2).lower(), int(match.group(3))
        mac = match.group(4)
        if mac is None:
            return MessageRef(invitation_id=invitation_id, kind=kind, sequence=sequence, verified=False)
        if _mac_matches(invitation_id, kind, sequence, mac):
            return MessageRef(invitation_id=invitation_id, kind=kind, sequence=sequence, verified=True)
    return None
