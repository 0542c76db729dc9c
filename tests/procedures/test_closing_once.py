"""The beat closes a procedure exactly once: two closers at the same moment (real PostgreSQL), a closer that
dies midway (its transaction rolls back: the next beat closes it, once)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from instances.models import Instance
from meetings.models import Decision
from procedures import rules as results
from procedures import services
from procedures.models import Procedure, ProcedureMail
from tests.procedures.helpers import cast, launched

WAIT_SECONDS = 3


def _gec():
    # A transactional test flushes the tables afterwards, the data migration's GEC with them.
    return Instance.objects.get_or_create(code="GEC", defaults={"kind": "GEC", "name_fr": "GEC", "name_en": "GEC"})[0]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_beats_closing_at_once_give_one_result_one_decision_one_round_of_mails(postgres_database, monkeypatch):
    cast(_gec())
    procedure = launched(_gec())
    counted = threading.Barrier(2)
    original = results.tally

    def tally_then_wait(*args, **kwargs):
        # Without the row lock both closers would count here before either commits.
        counts = original(*args, **kwargs)
        try:
            counted.wait(timeout=WAIT_SECONDS)
        except threading.BrokenBarrierError:
            pass
        return counts

    monkeypatch.setattr(results, "tally", tally_then_wait)
    outcomes = []

    def close():
        try:
            outcomes.append(services.procedure_close(procedure_id=procedure.pk, now=procedure.deadline))
        finally:
            connection.close()

    threads = [threading.Thread(target=close) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == [False, True]
    assert Procedure.objects.get(pk=procedure.pk).state == "closed"
    assert Decision.objects.filter(source="written").count() == 1
    assert ProcedureMail.objects.filter(kind="result").count() == 6  # five seat holders and the SEG, once


@pytest.mark.django_db
def test_a_closer_dying_midway_leaves_nothing_and_the_next_beat_closes_once(monkeypatch):
    cast(_gec())
    procedure = launched(_gec())
    original = services.meeting_services.decision_record_written

    def record_then_die(**kwargs):
        original(**kwargs)
        raise SystemExit("worker killed")  # after the decision row was written, inside the transaction

    monkeypatch.setattr(services.meeting_services, "decision_record_written", record_then_die)
    with pytest.raises(SystemExit):
        services.close_due(now=procedure.deadline)
    assert Procedure.objects.get(pk=procedure.pk).state == "open"
    assert not Decision.objects.filter(source="written").exists()
    assert not ProcedureMail.objects.filter(kind="result").exists()
    monkeypatch.setattr(services.meeting_services, "decision_record_written", original)
    assert services.close_due(now=procedure.deadline) == 1
    assert services.close_due(now=procedure.deadline) == 0
    assert Decision.objects.filter(source="written").count() == 1
    assert ProcedureMail.objects.filter(kind="result").count() == 6
