"""Advisory warnings for the secretariat (M4, I4, T7, M8, T1 advisory, mandates ending soon)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from instances.models import Instance
from instances.services import instance_set_leadership
from meetings import services as meeting_services
from meetings.compliance import compliance
from membership import services
from membership.compliance import EXPIRY, INFO, WARNING, Warning
from membership.models import Mandate, Partner, Person
from tests.factories import GroupFactory, PartnerFactory, PersonFactory, ga, gec

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 11)
START = datetime.date(2025, 1, 1)


def warnings_for(rule, on_date=TODAY):
    with translation.override("en"):
        return [w for w in compliance(on_date) if w.rule == rule]


def seat(partner, instance, role=Mandate.Role.TITULAR, function=Person.Function.HEAD_OF_COOPERATION, start=START,
         end=None, pairs_with=None, **person):
    person = PersonFactory(institution__partner=partner, function=function, **person)
    return services.mandate_create(person=person, instance=instance, role=role, start=start, end=end,
                                   pairs_with=pairs_with)


def expert(partner, group, **kwargs):
    return seat(partner, group, role=Mandate.Role.EXPERT, function=Person.Function.EXPERT, **kwargs)


def un_agency(name, coordinating=False):
    return PartnerFactory(name=name, partner_type=Partner.Type.UN_SYSTEM, un_coordinating=coordinating)


# -- M4 ----------------------------------------------------------------------------------------------------------


def test_rule_M4_warns_when_several_un_agencies_hold_separate_gec_seats():
    seat(un_agency("UNICEF"), gec(), function=Person.Function.RESIDENT_REPRESENTATIVE)
    assert warnings_for("M4") == []
    seat(un_agency("PNUD", coordinating=True), gec(), function=Person.Function.RESIDENT_REPRESENTATIVE)
    [warning] = warnings_for("M4")
    assert "UNICEF" in warning.message and "PNUD" in warning.message
    assert warning.severity == WARNING
    assert (warning.model, warning.object_id) == ("instances.instance", gec().pk)
    assert warning.url == reverse("admin:instances_instance_change", args=[gec().pk])


def test_rule_M4_no_advisory_warning_under_the_strict_policy():
    seat(un_agency("UNICEF"), gec(), function=Person.Function.RESIDENT_REPRESENTATIVE)
    seat(un_agency("PNUD", coordinating=True), gec(), function=Person.Function.RESIDENT_REPRESENTATIVE)
    Instance.objects.filter(kind="GEC").update(one_un_policy=Instance.OneUNPolicy.STRICT)
    assert warnings_for("M4") == []


# -- I4 ----------------------------------------------------------------------------------------------------------


def ga_meeting(month):
    start = timezone.make_aware(datetime.datetime(2026, month, 10, 10, 0))
    return meeting_services.meeting_create(instance=ga(), title=f"GA {month}", start=start,
                                           end=start + datetime.timedelta(hours=2))


def test_rule_I4_warns_when_the_ga_meets_fewer_than_twice_in_the_year():
    [warning] = warnings_for("I4")
    assert "0" in warning.message and "2026" in warning.message
    ga_meeting(4)
    assert len(warnings_for("I4")) == 1
    ga_meeting(9)
    assert warnings_for("I4") == []


def test_rule_I4_cancelled_meetings_do_not_count():
    ga_meeting(3)
    meeting_services.meeting_cancel(meeting=ga_meeting(9), reason="quorum")
    assert len(warnings_for("I4")) == 1


def test_rule_I4_warns_when_the_ga_meets_more_than_four_times():
    for month in (4, 6, 8, 10):
        ga_meeting(month)
    assert warnings_for("I4") == []
    ga_meeting(12)
    [warning] = warnings_for("I4")
    assert "5" in warning.message


def test_rule_I4_counts_only_the_year_of_the_date():
    ga_meeting(3)
    ga_meeting(9)
    assert len(warnings_for("I4", on_date=datetime.date(2027, 1, 15))) == 1


# -- T7 ----------------------------------------------------------------------------------------------------------


def test_rule_T7_warns_about_a_group_without_leader():
    group = GroupFactory(code="GT-SANTE")
    [warning] = warnings_for("T7")
    assert "GT-SANTE" in warning.message
    assert warning.url == reverse("admin:instances_instance_change", args=[group.pk])


def test_rule_T7_warns_about_a_leader_partner_without_a_person():
    group = GroupFactory(code="GT-SANTE")
    instance_set_leadership(instance=group, leader_partner=PartnerFactory(name="Canada"))
    [warning] = warnings_for("T7")
    assert "Canada" in warning.message


def test_rule_T7_warns_when_the_leader_holds_no_mandate_in_the_group():
    group = GroupFactory(code="GT-SANTE")
    canada = PartnerFactory(name="Canada")
    leader = expert(canada, group, end=datetime.date(2026, 1, 31), first_name="Lea", last_name="Roy")
    instance_set_leadership(instance=group, leader_partner=canada, leader_person=leader.person)
    assert warnings_for("T7", on_date=datetime.date(2026, 1, 15)) == []
    [warning] = warnings_for("T7")
    assert "Lea Roy" in warning.message


# -- M8 ----------------------------------------------------------------------------------------------------------


def test_rule_M8_warns_about_an_expert_without_an_active_binome():
    group = GroupFactory(code="GT-SANTE")
    france = PartnerFactory(name="France")
    lone = expert(france, group, first_name="Ada", last_name="Diallo")
    [warning] = warnings_for("M8")
    assert "Ada Diallo" in warning.message and "GT-SANTE" in warning.message
    assert (warning.model, warning.object_id) == ("membership.mandate", lone.pk)
    assert warning.url == reverse("admin:membership_mandate_change", args=[lone.pk])
    seat(france, group, role=Mandate.Role.BINOME, function=Person.Function.EXPERT, pairs_with=lone,
         end=datetime.date(2026, 2, 28))
    assert warnings_for("M8", on_date=datetime.date(2026, 2, 1)) == []
    assert len(warnings_for("M8")) == 1  # the binôme has ended by TODAY


# -- T1 advisory ---------------------------------------------------------------------------------------------------


def test_rule_T1_warns_when_no_troika_is_recorded_for_the_year():
    [warning] = warnings_for("T1")
    assert "2026" in warning.message
    assert warning.url == reverse("admin:instances_troika_changelist")


def test_rule_T1_warns_when_the_troika_is_not_two_bilateral_and_one_multilateral():
    a, b, c = (PartnerFactory(name=n) for n in ("Canada", "France", "Suède"))
    troika = services.troika_save(year=2026, lead=a, incoming=b, outgoing=c)
    [warning] = warnings_for("T1")
    assert "3" in warning.message
    assert warning.url == reverse("admin:instances_troika_change", args=[troika.pk])
    eu = PartnerFactory(name="UE", partner_type=Partner.Type.MULTILATERAL)
    services.troika_save(year=2026, lead=a, incoming=b, outgoing=eu)
    assert warnings_for("T1") == []


def test_rule_T1_warns_when_the_troika_does_not_slide_from_last_year():
    canada, france, sweden = (PartnerFactory(name=n) for n in ("Canada", "France", "Suède"))
    eu = PartnerFactory(name="UE", partner_type=Partner.Type.MULTILATERAL)
    services.troika_save(year=2025, lead=canada, incoming=eu, outgoing=france)
    services.troika_save(year=2026, lead=eu, incoming=sweden, outgoing=canada)
    assert warnings_for("T1") == []
    services.troika_save(year=2026, lead=sweden, incoming=eu, outgoing=france)
    messages = [w.message for w in warnings_for("T1")]
    assert len(messages) == 2
    assert any("Suède" in m and "UE" in m for m in messages)  # lead is not last year's incoming
    assert any("France" in m and "Canada" in m for m in messages)  # outgoing is not last year's lead


# -- mandates ending soon ----------------------------------------------------------------------------------------


def test_mandate_ending_within_60_days_is_reported():
    france = PartnerFactory(name="France")
    soon = seat(france, gec(), end=TODAY + datetime.timedelta(days=60), first_name="Ada", last_name="Diallo")
    seat(france, ga(), function=Person.Function.AMBASSADOR, end=TODAY + datetime.timedelta(days=61))
    [warning] = warnings_for(EXPIRY)
    assert warning.object_id == soon.pk and warning.severity == INFO
    assert "Ada Diallo" in warning.message and "GEC" in warning.message


# -- the whole check ---------------------------------------------------------------------------------------------


def build_directory(size: int):
    """`size` partners, each with a GEC titular, a group with a lone expert, and a mandate ending soon."""
    for n in range(size):
        partner = PartnerFactory(name=f"Partner {size}-{n}")
        group = GroupFactory(code=f"GT-{size}-{n}")
        seat(partner, gec(), end=TODAY + datetime.timedelta(days=10))
        expert(partner, group)
        instance_set_leadership(instance=group, leader_partner=partner)


def test_compliance_reads_a_constant_number_of_queries():
    build_directory(2)
    with CaptureQueriesContext(connection) as small:
        small_count = len(compliance(TODAY))
    build_directory(12)
    with CaptureQueriesContext(connection) as large:
        large_count = len(compliance(TODAY))
    assert large_count > small_count
    assert len(large.captured_queries) == len(small.captured_queries) <= 6


def test_compliance_returns_warnings_with_a_rule_a_message_and_a_link():
    result = compliance(TODAY)
    assert result and all(isinstance(w, Warning) for w in result)
    assert all(w.rule and w.message and w.url.startswith("/admin/") for w in result)
