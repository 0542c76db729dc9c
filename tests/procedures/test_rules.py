"""Who speaks for a seat (M2, M3, M6, M8), the seats frozen at launch, the answers and the result."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail as django_mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from meetings.models import Decision
from membership import rules
from membership.models import Mandate
from procedures import rules as results
from procedures import services
from procedures.models import Procedure, ProcedureAnswer, ProcedureMail
from tests.factories import GroupFactory, ga, gec
from tests.procedures.helpers import START, cast, launched, person, seat

pytestmark = pytest.mark.django_db
APPROVE, OBJECT, ABSTAIN = "approve", "object", "abstain"


def answer(procedure, who, value, reason="", now=None):
    return services.answer_record(procedure=procedure, person=who, answer=value, reason=reason, channel="portal",
                                  now=now)


# --- pure rules ---------------------------------------------------------------------------------------------------

def test_M3_the_deputy_speaks_only_when_the_titular_delegated_or_is_absent():
    def speaks(**kw):
        return rules.seat_speaker("GEC", person_key=2, principal_key=1, stand_in_key=2, **kw).allowed
    assert not speaks(delegated=False, principal_absent=False)
    assert speaks(delegated=True, principal_absent=False)
    assert speaks(delegated=False, principal_absent=True)
    assert rules.seat_speaker("GEC", person_key=1, principal_key=1, stand_in_key=2, delegated=True,
                              principal_absent=False).allowed
    assert not rules.seat_speaker("GEC", person_key=3, principal_key=1, stand_in_key=2, delegated=True,
                                  principal_absent=True).allowed


def test_M6_M8_the_rule_cited_follows_the_body():
    assert rules.seat_speaker("GA", person_key=2, principal_key=1, stand_in_key=2, delegated=False,
                              principal_absent=False).rule == "M6"
    assert rules.seat_speaker("GT", person_key=2, principal_key=1, stand_in_key=2, delegated=False,
                              principal_absent=False).rule == "M8"


def test_silence_is_adopted_unless_an_objection_stands():
    assert results.result("silence", results.tally([], seats=5, quorum=None)) == "adopted"
    assert results.result("silence", results.tally([ABSTAIN, APPROVE], seats=5, quorum=None)) == "adopted"
    assert results.result("silence", results.tally([APPROVE, OBJECT], seats=5, quorum=None)) == "not_adopted"


def test_approval_needs_the_quorum_no_objection_and_one_approval():
    assert results.result("approval", results.tally([APPROVE, APPROVE], seats=5, quorum=3)) == "not_adopted"
    assert results.result("approval", results.tally([APPROVE, APPROVE, ABSTAIN], seats=5, quorum=3)) == "adopted"
    assert results.result("approval", results.tally([APPROVE, APPROVE, OBJECT], seats=5, quorum=3)) == "not_adopted"
    assert results.result("approval", results.tally([ABSTAIN] * 3, seats=5, quorum=3)) == "not_adopted"
    assert results.quorum_for(5, 50) == 3 and results.quorum_for(4, 50) == 2 and results.quorum_for(1, 1) == 1


# --- seats frozen at launch ------------------------------------------------------------------------------------------

def test_M2_one_seat_per_partner_from_the_mandates_of_the_launch_date():
    people = cast(gec())
    # A mandate that ended before the launch and one that starts after it give no seat.
    old = person(people["A1"].institution.partner, "former")
    seat(gec(), old, Mandate.Role.DEPUTY, start=START, end=timezone.localdate() - datetime.timedelta(days=1))
    later_partner = person(people["A1"].institution.partner, "later")
    seat(gec(), later_partner, Mandate.Role.DEPUTY, start=timezone.localdate() + datetime.timedelta(days=3))
    procedure = launched(gec())
    seats = {s.partner.name: s for s in procedure.seats.all()}
    assert sorted(seats) == ["Partenaire A", "Partenaire B", "Partenaire C"]
    assert seats["Partenaire A"].titular == people["A1"] and seats["Partenaire A"].deputy == people["A2"]
    assert seats["Partenaire C"].titular == people["C1"] and seats["Partenaire C"].deputy is None


def test_M2_a_mandate_ending_mid_procedure_keeps_the_frozen_seat_and_its_voice():
    people = cast(gec())
    now = timezone.now()
    procedure = launched(gec(), now=now)
    Mandate.objects.filter(person=people["B1"]).update(end=timezone.localdate(now))
    answer(procedure, people["B1"], APPROVE, now=now + datetime.timedelta(days=1))
    assert procedure.seats.count() == 3
    assert ProcedureAnswer.objects.get(seat__partner=people["B1"].institution.partner).person == people["B1"]


def test_M3_a_deputy_answers_after_the_titular_delegated_not_before():
    people = cast(gec())
    procedure = launched(gec())
    with pytest.raises(ValidationError) as refused:
        answer(procedure, people["A2"], OBJECT, reason="Not the right time")
    assert refused.value.code == "not_speaker"
    seat_a = procedure.seats.get(titular=people["A1"])
    services.seat_set_stand_in(seat=seat_a, delegated=True)
    row = answer(procedure, people["A2"], OBJECT, reason="Not the right time")
    assert row.person == people["A2"] and row.role == "deputy"


def test_M3_a_titular_marked_absent_lets_the_deputy_speak():
    people = cast(gec())
    procedure = launched(gec())
    services.seat_set_stand_in(seat=procedure.seats.get(titular=people["B1"]), titular_absent=True)
    assert answer(procedure, people["B2"], APPROVE).role == "deputy"


def test_M3_a_partner_without_deputy_cannot_pass_its_voice():
    people = cast(gec())
    procedure = launched(gec())
    with pytest.raises(ValidationError) as refused:
        services.seat_set_stand_in(seat=procedure.seats.get(titular=people["C1"]), delegated=True)
    assert refused.value.code == "no_deputy"


def test_M6_a_ga_deputy_speaks_only_for_an_absent_ambassador():
    people = cast(ga(), function="ambassador")
    procedure = launched(ga())
    with pytest.raises(ValidationError) as refused:
        answer(procedure, people["A2"], APPROVE)
    assert refused.value.code == "not_speaker"


def test_M8_in_a_group_the_binome_stands_in_for_the_expert():
    group = GroupFactory(code="GT-SANTE")
    people = cast(gec())  # other partners, irrelevant to the group
    expert = people["A1"]
    expert_seat = seat(group, expert, Mandate.Role.EXPERT)
    binome = person(expert.institution.partner, "binome")
    seat(group, binome, Mandate.Role.BINOME, pairs_with=expert_seat)
    procedure = launched(group)
    [group_seat] = procedure.seats.all()
    assert (group_seat.titular, group_seat.deputy) == (expert, binome)
    with pytest.raises(ValidationError) as refused:
        answer(procedure, binome, APPROVE)
    assert refused.value.code == "not_speaker"
    services.seat_set_stand_in(seat=group_seat, delegated=True)
    assert answer(procedure, binome, APPROVE).role == "binome"


def test_M2_one_answer_per_seat_and_the_last_one_stands_with_history():
    people = cast(gec())
    procedure = launched(gec())
    services.seat_set_stand_in(seat=procedure.seats.get(titular=people["A1"]), delegated=True)
    answer(procedure, people["A2"], OBJECT, reason="Paragraph 3 is inaccurate")
    answer(procedure, people["A1"], APPROVE)
    rows = ProcedureAnswer.objects.filter(seat__partner=people["A1"].institution.partner)
    assert rows.count() == 1
    assert (rows.get().answer, rows.get().person) == (APPROVE, people["A1"])
    assert [h.answer for h in rows.get().history.order_by("history_date")] == [OBJECT, APPROVE]


def test_an_objection_states_its_reason():
    people = cast(gec())
    procedure = launched(gec())
    with pytest.raises(ValidationError) as refused:
        answer(procedure, people["A1"], OBJECT, reason="  ")
    assert refused.value.code == "no_reason"


def test_nothing_is_accepted_after_the_deadline_to_the_second():
    people = cast(gec())
    now = timezone.now().replace(microsecond=0)
    procedure = launched(gec(), now=now, hours=1)
    deadline = procedure.deadline
    answer(procedure, people["A1"], APPROVE, now=deadline - datetime.timedelta(microseconds=1))
    for who, value, at in [(people["B1"], APPROVE, deadline),
                           (people["A1"], OBJECT, deadline + datetime.timedelta(seconds=1))]:
        with pytest.raises(ValidationError) as refused:
            answer(procedure, who, value, reason="late", now=at)
        assert refused.value.code == "closed"
    assert ProcedureAnswer.objects.get().answer == APPROVE


def test_someone_without_a_seat_cannot_answer():
    people = cast(gec())
    procedure = launched(gec())
    outsider = person(people["A1"].institution.partner, "outsider")
    with pytest.raises(ValidationError):
        answer(procedure, outsider, APPROVE)


# --- closing ---------------------------------------------------------------------------------------------------------

def _close(procedure):
    assert services.procedure_close(procedure_id=procedure.pk, now=procedure.deadline)
    procedure.refresh_from_db()
    return procedure


def test_silence_adopted_with_no_objection_and_recorded_in_the_register():
    people = cast(gec())
    procedure = launched(gec())
    answer(procedure, people["A1"], ABSTAIN)
    procedure = _close(procedure)
    assert (procedure.state, procedure.result) == ("closed", "adopted")
    decision = procedure.decision
    assert decision.source == Decision.Source.WRITTEN and decision.meeting is None and decision.body == gec()
    assert decision.decided_on == timezone.localdate(procedure.deadline)
    assert "adoptée" in decision.text and "Sièges : 3" in decision.text.replace("\u202f", " ")


def test_silence_not_adopted_when_an_objection_stands_and_the_seg_is_told_at_once():
    people = cast(gec())
    procedure = launched(gec())
    answer(procedure, people["A1"], OBJECT, reason="Paragraph 3 is inaccurate")
    notices = ProcedureMail.objects.filter(kind="objection")
    assert notices.count() == 1 and "Paragraph 3" in notices.get().note
    assert _close(procedure).result == "not_adopted"


def test_approval_without_quorum_is_not_adopted_with_it_adopted():
    people = cast(gec())
    gec().__class__.objects.filter(code="GEC").update(procedure_quorum_percent=60)
    procedure = launched(gec(), mode="approval")
    assert procedure.quorum == 2  # 60 % of three seats, rounded up
    answer(procedure, people["A1"], APPROVE)
    assert _close(procedure).result == "not_adopted"
    second = launched(gec(), mode="approval", title="Lettre au ministre")
    answer(second, people["A1"], APPROVE)
    answer(second, people["B1"], ABSTAIN)
    assert _close(second).result == "adopted"


def test_closing_twice_gives_one_result_one_decision_one_round_of_mails():
    cast(gec())
    procedure = launched(gec())
    assert services.procedure_close(procedure_id=procedure.pk, now=procedure.deadline)
    assert not services.procedure_close(procedure_id=procedure.pk, now=procedure.deadline)
    assert services.close_due(now=procedure.deadline + datetime.timedelta(minutes=1)) == 0
    assert Decision.objects.filter(source="written").count() == 1
    # 5 seat holders + the SEG's mailbox, once.
    assert ProcedureMail.objects.filter(kind="result").count() == 6


def test_not_closed_before_the_deadline():
    cast(gec())
    procedure = launched(gec())
    assert not services.procedure_close(procedure_id=procedure.pk,
                                        now=procedure.deadline - datetime.timedelta(seconds=1))
    assert Procedure.objects.get(pk=procedure.pk).state == "open"


def test_launch_mails_every_titular_and_deputy_in_their_language_through_the_outbox(
        django_capture_on_commit_callbacks):
    cast(gec())
    django_mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        procedure = launched(gec())
    rows = ProcedureMail.objects.filter(procedure=procedure, kind="launch")
    assert rows.count() == 5
    assert set(rows.values_list("state", flat=True)) == {"sent"}  # eager tasks: the outbox sent each once
    subjects = sorted(m.subject for m in django_mail.outbox)
    assert any(s.startswith("Written procedure:") for s in subjects)
    assert any(s.startswith("Procédure écrite") for s in subjects)
    assert all("?answer=approve" in m.body for m in django_mail.outbox)


def test_extend_keeps_answers_and_tells_everyone_withdraw_tells_everyone():
    people = cast(gec())
    procedure = launched(gec())
    answer(procedure, people["A1"], APPROVE)
    procedure = services.procedure_extend(procedure=procedure, deadline=procedure.deadline + datetime.timedelta(days=2))
    assert procedure.round == 1 and ProcedureAnswer.objects.count() == 1
    assert ProcedureMail.objects.filter(kind="extend").count() == 5
    with pytest.raises(ValidationError):
        services.procedure_extend(procedure=procedure, deadline=procedure.deadline - datetime.timedelta(hours=1))
    services.procedure_withdraw(procedure=procedure, reason="Overtaken by events")
    assert ProcedureMail.objects.filter(kind="withdraw").count() == 5
    with pytest.raises(ValidationError) as refused:
        answer(procedure, people["B1"], APPROVE)
    assert refused.value.code == "withdrawn"


def test_reminders_once_per_round_to_seats_without_answer():
    people = cast(gec())
    now = timezone.now()
    procedure = launched(gec(), mode="approval", hours=24, now=now)
    answer(procedure, people["A1"], APPROVE)
    assert services.reminders_send(now=now) == 3  # B1, B2, C1
    assert services.reminders_send(now=now) == 0
