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


# Columns a higher app adds to the SEG dashboard's read of the bodies (scalar subqueries, one per body row), so
# that its card costs no query of its own: a function `() -> {name: expression}` registered from `ready()`.
InstanceColumns = Callable[[], dict]
_columns: list[InstanceColumns] = []


def register_instance_columns(columns: InstanceColumns) -> InstanceColumns:
    if columns not in _columns:
        _columns.append(columns)
    return columns


def instance_columns() -> dict:
    merged: dict = {}
    for columns in _columns:
        merged.update(columns())
    return merged
