"""Statements prepared once per PostgreSQL connection (core.prepared), and the rows read through them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.prepared import _numbered, prepared
from membership.models import Mandate
from membership.seats import seat_rows
from tests.factories import PartnerFactory, ga, gec
from tests.portal.factories import login_person, seat

pytestmark = pytest.mark.django_db

SQL = "SELECT %s::int + 1 WHERE %s::int > 0"


def test_placeholders_are_numbered_and_a_stray_percent_sign_is_refused():
    assert _numbered(SQL) == "SELECT $1::int + 1 WHERE $2::int > 0"
    with pytest.raises(ValueError):
        _numbered("SELECT %s WHERE name LIKE 'a%'")
    if connection.vendor == "postgresql":
        with pytest.raises(ValueError):
            prepared("bad name", SQL)


def _run(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)  # the connection is closed in the middle: no test transaction around
def test_a_statement_is_prepared_once_per_connection_and_again_after_a_reconnection(postgres_database):
    with CaptureQueriesContext(connection) as first:
        assert _run(prepared("ptf_test_plus_one", SQL), [41, 1]) == 42
        assert _run(prepared("ptf_test_plus_one", SQL), [1, 1]) == 2
    assert [q["sql"].split()[0] for q in first.captured_queries] == ["PREPARE", "EXECUTE", "EXECUTE"]
    connection.close()  # a new session has no prepared statement: it is prepared again rather than failing
    with CaptureQueriesContext(connection) as second:
        assert _run(prepared("ptf_test_plus_one", SQL), [2, 1]) == 3
    assert [q["sql"].split()[0] for q in second.captured_queries] == ["PREPARE", "EXECUTE"]


def test_elsewhere_the_statement_runs_as_written():
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL prepares it")
    assert prepared("ptf_test_plus_one", "SELECT %s + 1") == "SELECT %s + 1"


def test_seat_rows_are_the_mandates_as_the_orm_reads_them():
    """The hand-written statement and the ORM agree, row for row and in order, on two instances."""
    partner = PartnerFactory()
    titular, deputy = login_person("titulaire", partner), login_person("suppleant", partner)
    seat(titular, gec())
    seat(deputy, gec(), role=Mandate.Role.DEPUTY)
    seat(titular, ga())
    Mandate.objects.create(person=deputy, instance=ga(), role=Mandate.Role.DEPUTY,
                           start=datetime.date(2020, 1, 1), end=datetime.date(2021, 1, 1))
    orm = list(Mandate.objects.filter(instance_id__in=[gec().pk, ga().pk])
               .order_by("person__last_name", "start", "pk")
               .values_list("pk", "person_id", "person__institution__partner_id", "role", "pairs_with_id",
                            "instance_id", "start", "end", "person__first_name", "person__last_name"))
    assert len(orm) == 4
    assert [tuple(row) for row in seat_rows([ga().pk, gec().pk, gec().pk])] == orm
    assert seat_rows([]) == []

