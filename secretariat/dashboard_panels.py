"""The dashboard's extension point: apps above `secretariat` add cards to it without `secretariat` importing them.

A provider is a function `(*, user, instances, secretariat) -> dict | None` (`instances`: the bodies the user
manages); the dict names the template to include (`"template"`) and carries its context. Providers register
from their app's `AppConfig.ready()` (the written procedures' counters and objections).
"""

from __future__ import annotations

from collections.abc import Callable

DashboardProvider = Callable[..., dict | None]
_providers: list[DashboardProvider] = []


def register_dashboard_panel(provider: DashboardProvider) -> DashboardProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def dashboard_panels(*, user, instances, secretariat: bool) -> list[dict]:
    panels = []
    for provider in _providers:
        panel = provider(user=user, instances=instances, secretariat=secretariat)
        if panel:
            panels.append(panel)
    return panels
