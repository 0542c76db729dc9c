"""Reads of the secretariat that several pages, e-mails and commands share."""

from __future__ import annotations

from django.db.models import Count

from secretariat.models import Invitation


def invitation_progress(meeting_ids) -> dict[int, dict]:
    """{meeting_id: {"sent", "failed", "pending", "total", "percent"...}} in one query; pending counts sending."""
    out: dict[int, dict] = {}
    rows = (Invitation.objects.filter(meeting_id__in=list(meeting_ids))
            .values("meeting_id", "state").annotate(n=Count("id")))
    for row in rows:
        counts = out.setdefault(row["meeting_id"], {"sent": 0, "failed": 0, "pending": 0})
        key = "pending" if row["state"] in (Invitation.State.PENDING, Invitation.State.SENDING) else row["state"]
        counts[key] = counts.get(key, 0) + row["n"]
    for counts in out.values():
        total = counts["sent"] + counts["failed"] + counts["pending"]
        counts["total"] = total
        for key in ("sent", "failed", "pending"):
            # Bar widths in steps of 5 %: CSS classes, since inline styles are forbidden by the CSP.
            counts[f"{key}_w"] = f"w{round(counts[key] * 20 / total) * 5}" if total else "w0"
        counts["done"] = counts["pending"] == 0
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
