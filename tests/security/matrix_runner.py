"""Walks the URL resolver and plays one case of the access matrix for every role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.world import ROLES, World, login_as

LOGIN = "login"  # a redirect to the login page
WATCHED_APPS = ("meetings", "secretariat", "inbound", "membership", "instances", "otp_totp", "procedures")


def url_names(patterns=None, namespace: str | None = None) -> set[str]:
    """Every named URL of the project; the Django admin counts as its index alone (covered by is_staff)."""
    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                names.add("admin:index")
                continue
            inner = pattern.namespace if namespace is None else f"{namespace}:{pattern.namespace}"
            names |= url_names(pattern.url_patterns, inner if pattern.namespace else namespace)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"unnamed URL pattern {pattern.pattern}: name it so the matrix can check it"
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


@dataclass(frozen=True)
class Case:
    expect: dict[str, int | str]
    kwargs: Callable[[World], dict] = lambda w: {}
    method: str = "GET"
    data: Callable[[World], dict] = lambda w: {}


def expect(default, **roles) -> dict[str, int | str]:
    """Statuses per role: `default` for the logged-in roles, anonymous sent to login, unless overridden."""
    table = {role: default for role in ROLES}
    table["anonymous"] = LOGIN
    table.update(roles)
    return table


def _watched_models():
    # History rows follow the rows they record: watching the rows themselves is enough.
    return [m for m in apps.get_models()
            if m._meta.app_label in WATCHED_APPS and not m.__name__.startswith("Historical")]


def snapshot() -> dict:
    """Every row of the apps whose data a refused request must not touch."""
    return {model._meta.label: list(model.objects.order_by("pk").values_list()) for model in _watched_models()}


@dataclass
class Outcome:
    status: int | str
    changed: bool = False
    extra: dict = field(default_factory=dict)


def play(world: World, name: str, case: Case, role: str) -> Outcome:
    """One request as one role, rolled back afterwards so every role sees the same world."""
    client = Client(raise_request_exception=False)
    url = reverse(name, kwargs=case.kwargs(world))
    with transaction.atomic():
        login_as(client, world, role)
        before = snapshot() if case.method == "POST" else None
        if case.method == "POST":
            response = client.post(url, case.data(world))
        else:
            response = client.get(url)
        status = response.status_code
        if status == 302 and response["Location"].startswith(reverse("login")):
            status = LOGIN
        changed = before is not None and snapshot() != before
        transaction.set_rollback(True)
    return Outcome(status, changed)
