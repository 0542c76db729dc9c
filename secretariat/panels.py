"""What the secretariat adds to the meeting page (through `meetings.panels`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from meetings.models import Meeting
from meetings.panels import register_meeting_panel
from membership.access import can_view_confidential, needs_clearance
from secretariat import selectors
from secretariat.selectors import invitation_progress


@register_meeting_panel
def sending_progress(*, meeting, user, manage: bool) -> dict | None:
    """The sending progress of the invitations, for those who manage the meeting."""
    if not manage:
        return None
    progress = invitation_progress([meeting.pk]).get(meeting.pk)
    if progress is None:
        return None
    return {"template": "secretariat/invitations/_progress_card.html", "meeting": meeting, "progress": progress}


@register_meeting_panel
def answers(*, meeting, user, manage: bool) -> dict | None:
    """Who is coming: counts by partner, the chair the answers announce, the link to the roster."""
    if not manage or meeting.status == "draft":
        return None
    return {"template": "secretariat/answers/_panel.html", "meeting": meeting, **selectors.answers_summary(meeting)}


@register_meeting_panel
def printed_documents(*, meeting, user, manage: bool) -> dict | None:
    """Convocation, attendance sheet and minutes as PDF, each link shown only to who may download it (A4)."""
    links = printable_documents(meeting=meeting, user=user, manage=manage)
    if not links:
        return None
    return {"template": "secretariat/reports/_meeting_panel.html", "meeting": meeting, "links": links}


def printable_documents(*, meeting, user, manage: bool) -> list[dict]:
    """The PDFs this reader may download from the meeting page (the page itself is already permission-checked)."""
    links = [{"kind": "convocation", "label": _("Convocation (PDF)"),
              "url": reverse("secretariat:report_convocation", args=[meeting.pk])}]
    if manage and meeting.status != Meeting.Status.CANCELLED:
        links.append({"kind": "attendance", "label": _("Attendance sheet (PDF)"),
                      "url": reverse("secretariat:report_attendance", args=[meeting.pk])})
    try:
        record = meeting.minutes
    except Meeting.minutes.RelatedObjectDoesNotExist:
        record = None
    if record is not None and (manage or not needs_clearance(meeting, record.confidential)
                               or can_view_confidential(user, meeting)):
        links.append({"kind": "minutes", "label": _("Minutes (PDF)"),
                      "url": reverse("secretariat:report_minutes", args=[meeting.pk])})
    return links
