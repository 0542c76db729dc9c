"""What the secretariat adds to the meeting page (through `meetings.panels`)."""

from __future__ import annotations

from meetings.panels import register_meeting_panel
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
    return {"template": "secretariat/answers/_panel.html", "meeting": meeting, **selectors.answers_overview(meeting)}
