"""Signed, expiring RSVP links: a token binds one invitation, its person and its meeting."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from secretariat.models import Invitation

SALT = "secretariat.rsvp.v1"


class RsvpLinkError(Exception):
    """The link is altered, expired, or names something that does not match."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "expired" or "invalid"


@dataclass(frozen=True)
class RsvpClaim:
    invitation_id: int
    person_id: int | None
    meeting_id: int


class _IssuedAtSigner(signing.TimestampSigner):
    """Signs with a given issue time instead of now: the same message always carries the same link."""

    def __init__(self, *, issued_at, **kwargs):
        super().__init__(**kwargs)
        self._issued_at = int(issued_at.timestamp())

    def timestamp(self):
        return signing.b62_encode(self._issued_at)


def make_token(invitation, *, issued_at=None) -> str:
    """The link's token; with `issued_at` (the message's time) a resend of one message repeats its link."""
    payload = {"i": invitation.pk, "p": invitation.person_id or 0, "m": invitation.meeting_id}
    if issued_at is None:
        return signing.dumps(payload, salt=SALT, compress=True)
    return _IssuedAtSigner(issued_at=issued_at, salt=SALT).sign_object(payload, compress=True)


def read_token(token: str) -> RsvpClaim:
    max_age = settings.RSVP_LINK_MAX_AGE_DAYS * 24 * 3600
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise RsvpLinkError("expired")
    except (signing.BadSignature, ValueError, TypeError):
        raise RsvpLinkError("invalid")
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in ("i", "p", "m")):
        raise RsvpLinkError("invalid")
    return RsvpClaim(invitation_id=data["i"], person_id=data["p"] or None, meeting_id=data["m"])


def invitation_for_token(token: str):
    """The invitation the token was made for; refuses a token whose person or meeting no longer match."""
    claim = read_token(token)
    invitation = (
        Invitation.objects.select_related("meeting__instance", "person__institution__partner")
        .filter(pk=claim.invitation_id).first()
    )
    if (invitation is None or invitation.person_id != claim.person_id
            or invitation.meeting_id != claim.meeting_id):
        raise RsvpLinkError("invalid")
    return invitation


def rsvp_url(invitation, *, issued_at=None) -> str:
    return settings.SITE_URL + reverse("secretariat:rsvp", args=[make_token(invitation, issued_at=issued_at)])
