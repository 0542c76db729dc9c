"""The answers panel of the meeting page: counts by partner, the chair the answers announce, the roster link."""

from __future__ import annotations

from meetings.panels import register
from secretariat import selectors


@register
def answers_panel(request, meeting, *, manage: bool):
    if not manage or meeting.status == "draft":
        return None
    return "secretariat/answers/_panel.html", {"meeting": meeting, **selectors.answers_overview(meeting)}
