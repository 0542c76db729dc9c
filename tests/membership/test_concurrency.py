"""M2 under concurrency, on real PostgreSQL: the partner row lock serialises the seat count."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from instances.models import Instance
from membership import services
from membership.models import Mandate
from tests.factories import PartnerFactory, PersonFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

CHECK_WAIT_SECONDS = 3


def race_two_titulars(monkeypatch):
    """Two threads, each with its own connection, create a GEC titular for the same partner.

    After its rule check each thread waits (up to CHECK_WAIT_SECONDS) for the other to have checked
    too, so without a lock both check before either commits. With the lock the second thread
    cannot check until the first commits: the wait times out and the first goes on alone.
    """
    partner = PartnerFactory(name="France")
    people = [PersonFactory(institution__partner=partner) for _ in range(2)]
    # A transactional test flushes the tables afterwards, the data migration's GEC with them.
    instance = Instance.objects.get_or_create(code="GEC", defaults={"kind": "GEC", "name_fr": "GEC", "name_en": "GEC"})[0]
    checked = threading.Barrier(2)
    original = services._related_facts

    def related_facts_then_wait(*args, **kwargs):
        facts = original(*args, **kwargs)
        try:
            checked.wait(timeout=CHECK_WAIT_SECONDS)
        except threading.BrokenBarrierError:
            pass
        return facts

    monkeypatch.setattr(services, "_related_facts", related_facts_then_wait)
    outcomes = {}

    def create(person):
        try:
            services.mandate_create(person=person, instance=instance, role=Mandate.Role.TITULAR,
                                    start=datetime.date(2026, 1, 1))
            outcomes[person.pk] = "created"
        except ValidationError as exc:
            outcomes[person.pk] = " ".join(exc.messages)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def test_rule_M2_two_concurrent_titulars_of_one_partner_cannot_both_be_created(postgres_database, monkeypatch):
    outcomes = race_two_titulars(monkeypatch)
    assert sorted(o == "created" for o in outcomes.values()) == [False, True]
    refused = next(o for o in outcomes.values() if o != "created")
    assert "M2" in refused
    assert Mandate.objects.filter(instance__code="GEC", role="titular").count() == 1


def test_without_the_partner_lock_the_race_breaks_M2(postgres_database, monkeypatch):
    """The control: it shows the race above is real and that the lock is what prevents it."""
    monkeypatch.setattr(services, "lock_partner", lambda partner_id: None)
    outcomes = race_two_titulars(monkeypatch)
    assert list(outcomes.values()) == ["created", "created"]
    assert Mandate.objects.filter(instance__code="GEC", role="titular").count() == 2
