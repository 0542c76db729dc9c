"""Sections that upper layers add to the meeting page, without the meetings app importing them.

An app registers a panel in its AppConfig.ready(); the meeting page asks each panel for a template and its
context (or None: nothing to show to this user for this meeting).
"""

from __future__ import annotations

from collections.abc import Callable

from django.template.loader import render_to_string

MeetingPanel = Callable[..., tuple[str, dict] | None]
_PANELS: list[MeetingPanel] = []


def register(panel: MeetingPanel) -> MeetingPanel:
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def collect(request, meeting, *, manage: bool) -> list[str]:
    """The HTML of every registered panel with something to show."""
    shown = []
    for panel in _PANELS:
        result = panel(request, meeting, manage=manage)
        if result is not None:
            template, context = result
            shown.append(render_to_string(template, context, request=request))
    return shown
