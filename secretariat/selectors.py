"""Reads of the secretariat that several pages, e-mails and commands share."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from secretariat.models import Invitation


def invitation_progress(meeting_ids) -> dict[int, dict]:
    """{meeting_id: {"sent", "failed", "pending", "checking", "resent", "total", "percent"...}} in one query.

    "checking" ("à vérifier"): rows that may already have reached the mail server and wait to be sent again
    (uncertain delivery), or rows whose sending stopped answering (their batch died); they are counted apart
    from "pending". "resent": sent rows that went out again after an uncertain delivery.
    """
    waiting = [Invitation.State.PENDING, Invitation.State.SENDING]
    stale = timezone.now() - datetime.timedelta(seconds=settings.INVITATION_SENDING_TIMEOUT)
    checking = (Q(state__in=waiting, delivery_uncertain=True)
                | Q(state=Invitation.State.SENDING, claimed_at__lt=stale))
    rows = (Invitation.objects.filter(meeting_id__in=list(meeting_ids)).values("meeting_id").annotate(
        sent=Count("id", filter=Q(state=Invitation.State.SENT)),
        failed=Count("id", filter=~Q(state__in=waiting + [Invitation.State.SENT])),
        waiting=Count("id", filter=Q(state__in=waiting)),
        checking=Count("id", filter=checking),
        resent=Count("id", filter=Q(state=Invitation.State.SENT, delivery_uncertain=True)),
    ))
    out: dict[int, dict] = {}
    for row in rows:
        counts = {"sent": row["sent"], "failed": row["failed"], "checking": row["checking"],
                  "pending": row["waiting"] - row["checking"], "resent": row["resent"]}
        total = counts["sent"] + counts["failed"] + row["waiting"]
        counts["total"] = total
        for key in ("sent", "failed", "pending", "checking"):
            # Bar widths in steps of 5 %: CSS classes, since inline styles are forbidden by the CSP.
            counts[f"{key}_w"] = f"w{round(counts[key] * 20 / total) * 5}" if total else "w0"
        counts["done"] = row["waiting"] == 0
        out[row["meeting_id"]] = counts
    return out


def rsvp_summary(meeting_ids) -> dict[int, dict]:
    """{meeting_id: {"attending", "declined", "delegated", "none"}} over the invitations (not updates)."""
    out: dict[int, dict] = {}
    rows = (Invitation.objects.filter(meeting_id__in=list(meeting_ids), kind=Invitation.Kind.REQUEST)
            .values("meeting_id", "rsvp").annotate(n=Count("id")))
    for row in rows:
        out.setdefault(row["meeting_id"], {"attending": 0, "declined": 0, "delegated": 0, "none": 0})[row["rsvp"]] = row["n"]
    return out


def root_invitation(invitation: Invitation) -> Invitation:
    """The request row whose RSVP an e-mail about this invitation records (updates point back to it)."""
    if invitation.kind == Invitation.Kind.REQUEST:
        return invitation
    return (
        Invitation.objects.filter(meeting_id=invitation.meeting_id, email=invitation.email,
                                  kind=Invitation.Kind.REQUEST).order_by("-pk").first()
        or invitation
    )
