"""The same stand-in whichever path asks (M8, M3/M6): two possible stand-ins that tie on last name and start
(an expert's two binômes) come in one explicit order — the mandate's start, then its id — from the prepared
seat rows (the answers, secretariat/answers.py) and from the ORM (the attendance register, meetings)."""

import datetime

import pytest
from django.utils import timezone

from instances.models import Instance
from meetings import services as meeting_services
from membership import rules
from membership.models import Mandate
from secretariat.answers import _seats
from tests.factories import InstitutionFactory, PartnerFactory, PersonFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_rule_M8_tied_stand_ins_come_in_start_then_id_order_whatever_the_input_order():
    expert = rules.SeatFact(key=1, person_key="e", partner_key="p", role=rules.EXPERT)
    later = rules.SeatFact(key=2, person_key="a", partner_key="p", role=rules.BINOME, pairs_with_key=1,
                           start=D(2026, 3, 1))
    tie_high = rules.SeatFact(key=9, person_key="b", partner_key="p", role=rules.BINOME, pairs_with_key=1,
                              start=D(2026, 1, 1))
    tie_low = rules.SeatFact(key=5, person_key="c", partner_key="p", role=rules.BINOME, pairs_with_key=1,
                             start=D(2026, 1, 1))
    for seats in ([expert, later, tie_high, tie_low], [tie_low, expert, tie_high, later]):
        assert [s.key for s in rules.stand_ins(rules.GT, [expert], seats)] == [5, 9, 2]


def test_rule_M3_tied_deputies_come_in_the_same_order():
    titular = rules.SeatFact(key=1, person_key="t", partner_key="p", role=rules.TITULAR)
    deputies = [rules.SeatFact(key=k, person_key=f"d{k}", partner_key="p", role=rules.DEPUTY, start=D(2025, 1, 1))
                for k in (7, 3)]
    assert [s.key for s in rules.stand_ins(rules.GEC, [titular], deputies)] == [3, 7]


def test_rule_M8_the_prepared_read_and_the_orm_pick_the_same_stand_in_when_two_binomes_tie():
    partner = PartnerFactory(name="France")
    institution = InstitutionFactory(partner=partner)
    group = Instance.objects.create(kind=Instance.Kind.GT, code="GT-TIE", name_fr="Groupe", name_en="Group")
    expert = PersonFactory(institution=institution, last_name="Diallo", first_name="Ada")
    twins = [PersonFactory(institution=institution, last_name="Traoré", first_name=name) for name in ("Awa", "Binta")]
    start = D(2020, 1, 1)
    [expert_seat] = Mandate.objects.bulk_create([Mandate(person=expert, instance=group, role="expert", start=start)])
    binomes = Mandate.objects.bulk_create([Mandate(person=p, instance=group, role="binome", start=start,
                                                   pairs_with=expert_seat) for p in twins])
    first = min(binomes, key=lambda m: m.pk)
    day = (timezone.localtime() + datetime.timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)
    meeting = meeting_services.meeting_create(instance=group, title="Session", start=day,
                                              end=day + datetime.timedelta(hours=2))

    seats = _seats(meeting)  # the prepared seat rows
    prepared = rules.stand_ins(group.kind, [s for s in seats if s.person_key == expert.pk], seats)
    # The ORM path, fed in the opposite order to what the database happens to return for a tie.
    for order in ("pk", "-pk"):
        orm = meeting_services.stand_ins_by_person(meeting, Mandate.objects.filter(instance=group)
                                                   .select_related("person__institution").order_by(order))
        assert [p.pk for p in orm[expert.pk]] == [first.person_id, *(m.person_id for m in binomes if m != first)]
    assert prepared[0].key == first.pk
