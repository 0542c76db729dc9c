"""No address answers 500: every URL pattern of the project with a number in it, walked with the numbers that
are not ids — 0, −1, 2³¹, 2⁶³ and beyond — answers 404 for every role, on PostgreSQL (where an out-of-range
value reaching a prepared statement was a "bigint out of range" error). The `id` path converter
(core/converters.py) refuses them at resolution."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from core.converters import ID_MAX, IdConverter
from tests.security.world import ROLES, build_world, login_as

# Beyond an id's range: refused at resolution, 404 whoever asks.
OUT_OF_RANGE = ["0", "-1", str(2**63), "1" + "0" * 20]
# Within the range (bigint) but no such row: never a 500; 404, or the refusal a role meets before any lookup.
ABSENT = [str(2**31), str(2**63 - 1)]
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
NUMERIC_IN_ADMIN = {"object_id"}  # the admin's `<path:object_id>`: a primary key in practice


def routes(patterns=None, prefix="", admin=False):
    """(full route, is the admin) of every pattern reachable through path() routes."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if not isinstance(pattern.pattern, RoutePattern):
            continue  # the admin's app-list regex: no number in it
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route, admin or pattern.namespace == "admin")
        elif isinstance(pattern, URLPattern):
            yield route, admin


def numeric(converter, name, admin) -> bool:
    return converter in ("id", "int") or (admin and name in NUMERIC_IN_ADMIN)


def with_value(route: str, admin: bool, value: str) -> str:
    def fill(match):
        converter, name = match.group("converter") or "str", match.group("name")
        return value if numeric(converter, name, admin) else "x"
    return "/" + PARAMETER.sub(fill, route)


def numeric_routes():
    found = []
    for route, admin in routes():
        parameters = PARAMETER.findall(route)
        if any(numeric(converter or "str", name, admin) for converter, name in parameters):
            found.append((route, admin))
    return found


def test_the_id_converter_takes_exactly_the_range_of_a_primary_key():
    converter = IdConverter()
    assert converter.to_python("1") == 1 and converter.to_python(str(ID_MAX)) == ID_MAX
    for value in ("0", str(ID_MAX + 1), "99999999999999999999"):
        with pytest.raises(ValueError):
            converter.to_python(value)
    assert not re.fullmatch(IdConverter.regex, "-1")


def test_no_project_url_uses_the_unbounded_int_converter():
    unbounded = [route for route, admin in routes() if not admin and "<int:" in route]
    assert unbounded == [], unbounded


def test_every_url_with_a_number_answers_404_for_every_role_with_values_that_are_not_ids(postgres_database, db):
    world = build_world()
    walked = numeric_routes()
    assert len([r for r, admin in walked if not admin]) >= 30  # the walk sees the project's patterns
    wrong, requests = [], 0
    for role in ROLES:
        if role in ("leader_b", "gt_member"):
            continue  # the same pages as leader_a and ga_member: the walk stays within a minute
        client = Client(raise_request_exception=False)
        login_as(client, world, role)
        for route, admin in walked:
            if admin and role != "admin":
                continue  # the admin sends everyone else to its login page, whatever the path
            for value in OUT_OF_RANGE + ABSENT:
                url = with_value(route, admin, value)
                with transaction.atomic():
                    response = client.get(url)
                    if response.status_code == 405:  # a form's action: the POST is what would look it up
                        response = client.post(url)
                    transaction.set_rollback(True)
                requests += 1
                if admin:  # Django's admin redirects a missing object to its list, with a message
                    allowed = {302, 404}
                elif value in OUT_OF_RANGE:
                    allowed = {404}
                else:  # the admin sends a missing object back to its list; a role may be refused first
                    allowed = {302, 403, 404}
                if response.status_code not in allowed:
                    wrong.append(f"{url} as {role}: {response.status_code}")
    assert requests > 1000, requests
    assert wrong == [], "\n".join(wrong[:50])
