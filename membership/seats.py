"""Instances' mandates as plain rows: what the delegation rules (M3, M6, M8) read on every partner's home page.

Written in SQL and prepared (core.prepared) because the home page runs it on every visit: the ORM spent
~0.6 ms compiling it and the database ~0.25 ms planning it, for a few dozen rows read by id.
"""

from __future__ import annotations

import functools

from django.db import connection

from core.prepared import column, fetch_prepared, table
from membership.models import Institution, Mandate, Person

# The columns, in order, of each row.
SEAT_COLUMNS = ("pk", "person_id", "partner_id", "role", "pairs_with_id", "instance_id", "start", "end",
                "first_name", "last_name")


@functools.cache
def _seat_sql(placeholders: str) -> str:
    m = {name: f"m.{column(Mandate, name)}" for name in ("id", "person", "role", "pairs_with", "instance",
                                                          "start", "end")}
    return f"""
        SELECT {m["id"]}, {m["person"]}, i.{column(Institution, "partner")}, {m["role"]}, {m["pairs_with"]},
            {m["instance"]}, {m["start"]}, {m["end"]}, p.{column(Person, "first_name")},
            p.{column(Person, "last_name")}
        FROM {table(Mandate)} m
            INNER JOIN {table(Person)} p ON p.{column(Person, "id")} = {m["person"]}
            INNER JOIN {table(Institution)} i ON i.{column(Institution, "id")} = p.{column(Person, "institution")}
        WHERE {m["instance"]} {placeholders}
        ORDER BY p.{column(Person, "last_name")}, {m["start"]}, {m["id"]}
    """  # noqa: S608 (model table and column names only)


def seat_rows(instance_ids) -> list[tuple]:
    """Every mandate of these instances, past and future included, as SEAT_COLUMNS tuples, in the mandates'
    default order within an instance (last name, start), then by id, so that equal rows come in one order.
    Whoever reads stand-ins from them gets them in `rules.stand_in_order` (start, then id), as the ORM path."""
    ids = sorted(set(instance_ids))
    if not ids:
        return []
    if connection.vendor == "postgresql":  # one prepared statement for any number of instances
        return fetch_prepared("ptf_seat_rows", _seat_sql("= ANY(%s)"), [ids])
    return fetch_prepared("ptf_seat_rows", _seat_sql("IN (" + ", ".join(["%s"] * len(ids)) + ")"), ids)
