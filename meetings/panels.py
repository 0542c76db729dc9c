"""The meeting page's extension point: apps above `meetings` add panels to it without `meetings` importing them.

A panel provider is a function `(*, meeting, user, manage) -> dict | None`; the dict names the template to
include (`"template"`) and carries its context. Providers register from their app's `AppConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Callable

PanelProvider = Callable[..., dict | None]
_providers: list[PanelProvider] = []


def register_meeting_panel(provider: PanelProvider) -> PanelProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def meeting_panels(*, meeting, user, manage: bool) -> list[dict]:
    """The panels to show on this meeting's page for this user, in registration order."""
    panels = []
    for provider in _providers:
        panel = provider(meeting=meeting, user=user, manage=manage)
        if panel:
            panels.append(panel)
    return panels
