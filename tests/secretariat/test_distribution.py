"""Distribution lists entry by entry (M2, M4, M5, M6, M8, M10, A5, A7, T5, T7) and their snapshots."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from instances.models import GovernmentInterlocutor, Instance
from membership.models import Partner
from secretariat import services
from secretariat.distribution import build_distribution_list
from secretariat.exports import machine_keys
from tests.factories import TroikaFactory, ga, gec
from tests.secretariat.factories import (
    LONG_AGO,
    at,
    gec_with_members,
    group,
    item,
    meeting,
    partner,
    person,
    proposed,
    seat,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 10)


def by_email(entries):
    return {e.email: e for e in entries}


def test_rule_M2_gec_titular_is_to_and_deputy_is_cc():
    france = partner("France")
    titular, deputy = person(france), person(france)
    seat(titular, gec(), "titular")
    seat(deputy, gec(), "deputy")
    entries = by_email(build_distribution_list(instance=gec(), on_date=TODAY))
    assert entries[titular.email].recipient == "to" and entries[titular.email].role == "titular"
    assert entries[deputy.email].recipient == "cc" and entries[deputy.email].role == "deputy"
    assert entries[titular.email].rule == "M2" and entries[deputy.email].rule == "M2"
    assert entries[titular.email].partner == "France"
    assert len(entries) == 2


def _two_un_agencies(instance):
    undp = partner("PNUD", Partner.Type.UN_SYSTEM, un_coordinating=True)
    unicef = partner("UNICEF", Partner.Type.UN_SYSTEM)
    a, b = person(undp, function="resident_representative"), person(unicef, function="resident_representative")
    seat(a, instance, "titular")
    seat(b, instance, "titular")
    return a, b


def test_rule_M4_advisory_lists_every_un_agency_seat_and_says_why():
    coordinating, other = _two_un_agencies(gec())
    entries = by_email(build_distribution_list(instance=gec(), on_date=TODAY))
    assert {coordinating.email, other.email} <= entries.keys()
    assert "M4" in entries[other.email].rule
    assert "indicative" in entries[other.email].reason  # French: "the One UN policy is advisory"


def test_rule_M4_strict_keeps_only_the_coordinating_agency():
    instance = gec()
    instance.one_un_policy = Instance.OneUNPolicy.STRICT
    instance.save()
    coordinating, other = _two_un_agencies(instance)
    entries = by_email(build_distribution_list(instance=instance, on_date=TODAY))
    assert coordinating.email in entries
    assert other.email not in entries


def test_rule_M5_ga_lists_the_un_system_only_through_the_coordinating_agency():
    coordinating, other = _two_un_agencies(ga())
    france = partner("France")
    ambassador = person(france, function="ambassador")
    seat(ambassador, ga(), "titular")
    entries = by_email(build_distribution_list(instance=ga(), on_date=TODAY))
    assert coordinating.email in entries and "M5" in entries[coordinating.email].rule
    assert other.email not in entries
    assert entries[ambassador.email].recipient == "to"


def test_rule_M6_ga_topic_experts_of_an_item_are_invited():
    france = partner("France")
    ambassador, deputy, expert = person(france, function="ambassador"), person(france), person(france)
    seat(ambassador, ga(), "titular")
    seat(deputy, ga(), "deputy")
    m = meeting(ga())
    item(m, title="Security in the centre", topic_experts=[expert])
    entries = by_email(build_distribution_list(instance=ga(), on_date=m.start.date(), meeting=m))
    assert entries[expert.email].role == "topic_expert"
    assert entries[expert.email].rule == "M6"
    assert "Security in the centre" in entries[expert.email].reason
    assert entries[deputy.email].recipient == "cc"
    # Without the meeting, no topic expert.
    assert expert.email not in by_email(build_distribution_list(instance=ga(), on_date=TODAY))


def test_rule_M10_only_mandates_active_on_the_date_and_each_entry_says_why():
    france = partner("France")
    current, ended, future = person(france), person(france), person(partner("Allemagne"))
    seat(current, gec(), "titular")
    seat(ended, gec(), "deputy", end=TODAY - datetime.timedelta(days=1))
    seat(future, gec(), "titular", start=TODAY + datetime.timedelta(days=1))
    entries = build_distribution_list(instance=gec(), on_date=TODAY)
    assert [e.email for e in entries] == [current.email]
    for e in entries:
        assert e.rule and e.reason and "(M2)" in e.reason


def test_rule_M8_group_experts_to_binomes_cc_and_rule_T7_leaders():
    gt = group()
    mali_partner, other = partner("Canada"), partner("Suisse")
    expert, binome, leader = person(mali_partner), person(mali_partner), person(other)
    expert_seat = seat(expert, gt, "expert")
    seat(binome, gt, "binome", pairs_with=expert_seat)
    gt.leader_person, gt.leader_partner = leader, other
    gt.save()
    entries = by_email(build_distribution_list(instance=gt, on_date=TODAY))
    assert entries[expert.email].recipient == "to" and entries[expert.email].rule == "M8"
    assert entries[binome.email].recipient == "cc" and entries[binome.email].rule == "M8"
    assert entries[leader.email].role == "leader" and entries[leader.email].rule == "T7"


def test_rule_A7_government_interlocutors_only_for_a_dialogue_meeting():
    gt = group()
    # bulk_create: simple-history cannot save a history row for a model with a field named `instance`.
    GovernmentInterlocutor.objects.bulk_create(
        [GovernmentInterlocutor(instance=gt, name="M. Diarra", function="DNS", email="diarra@gouv.ml")])
    with_gov = meeting(gt, with_government=True)
    without = meeting(gt, days=40)
    entries = by_email(build_distribution_list(instance=gt, on_date=TODAY, meeting=with_gov))
    assert entries["diarra@gouv.ml"].person_id is None
    assert entries["diarra@gouv.ml"].rule == "A7" and entries["diarra@gouv.ml"].recipient == "to"
    assert "diarra@gouv.ml" not in by_email(build_distribution_list(instance=gt, on_date=TODAY, meeting=without))


def test_rule_A5_presenting_group_leader_is_invited_and_a_person_appears_once():
    gt = group()
    leader = person(partner("Canada"))
    gt.leader_person = leader
    gt.save()
    france = partner("France")
    titular = person(france)
    seat(titular, gec(), "titular")
    m = meeting(gec())
    item(m, title="Health financing", presenter_group=gt)
    item(m, title="Budget", presenter_person=titular)
    entries = build_distribution_list(instance=gec(), on_date=TODAY, meeting=m)
    emails = [e.email for e in entries]
    assert len(emails) == len(set(emails))
    found = by_email(entries)
    assert found[leader.email].rule == "A5" and found[leader.email].role == "presenter"
    assert found[titular.email].rule == "M2, A5" and found[titular.email].role == "titular"
    assert found[titular.email].recipient == "to"


def test_to_wins_over_cc_when_a_deputy_also_presents():
    france = partner("France")
    deputy = person(france)
    seat(deputy, gec(), "deputy")
    m = meeting(gec())
    item(m, presenter_person=deputy)
    entry = by_email(build_distribution_list(instance=gec(), on_date=TODAY, meeting=m))[deputy.email]
    assert entry.recipient == "to" and entry.role == "deputy"


@pytest.mark.parametrize("instance_getter", [gec, ga])
def test_rule_T5_troika_partners_are_represented_at_the_instance_level(instance_getter):
    instance = instance_getter()
    lead, incoming, outgoing = partner("Lead"), partner("Incoming"), partner("Outgoing")
    TroikaFactory(year=TODAY.year, lead=lead, incoming=incoming, outgoing=outgoing)
    lead_titular = person(lead, function="ambassador" if instance.kind == "GA" else "head_of_cooperation")
    lead_deputy = person(lead)
    seat(lead_titular, instance, "titular")
    seat(lead_deputy, instance, "deputy")
    entries = by_email(build_distribution_list(instance=instance, on_date=TODAY))
    assert "T5" in entries[lead_titular.email].rule
    assert "T5" not in entries[lead_deputy.email].rule
    # A Troïka partner with no seat here is not invented (incoming and outgoing have none).
    assert all(e.partner in ("Lead",) for e in entries.values())


def test_ordered_by_partner_then_role():
    people = gec_with_members(gec(), 3)
    entries = build_distribution_list(instance=gec(), on_date=TODAY)
    assert [e.email for e in entries] == [x.email for _p, t, d in people for x in (t, d)]


def test_constant_number_of_queries_whatever_the_directory_size():
    def count(n):
        Instance.objects.filter(kind="GEC").update(one_un_policy="advisory")
        gec_with_members(gec(), n)
        m = meeting(gec(), days=30 + n)
        item(m, presenter_person=person(partner(f"P{n}")))
        instance = Instance.objects.get(pk=gec().pk)
        with CaptureQueriesContext(connection) as ctx:
            entries = build_distribution_list(instance=instance, on_date=TODAY, meeting=m)
        return len(ctx.captured_queries), len(entries)

    small_queries, small = count(3)
    large_queries, large = count(30)
    assert large > small
    # mandates, Troïka, agenda items, their topic experts; no per-entry query
    assert small_queries == large_queries <= 5


def test_snapshot_diff_after_a_mandate_change_and_frozen_snapshot():
    from membership.models import Mandate

    france, germany = partner("France"), partner("Allemagne")
    titular, leaving = person(france), person(germany)
    seat(titular, gec(), "titular")
    leaving_seat = seat(leaving, gec(), "titular")
    m = proposed(gec())
    first = services.distribution_generate(meeting=m)
    assert services.distribution_diff(None, first)["added"][0].email in {titular.email, leaving.email}

    # update(): simple-history cannot write Mandate history rows yet (field named `instance`), so
    # membership.services.mandate_update fails; reported to the membership owner.
    Mandate.objects.filter(pk=leaving_seat.pk).update(end=LONG_AGO + datetime.timedelta(days=1))
    newcomer = person(germany)
    seat(newcomer, gec(), "titular")
    second = services.distribution_generate(meeting=m)
    diff = services.distribution_diff(services.distribution_previous(second), second)
    assert [e.email for e in diff["added"]] == [newcomer.email]
    assert [e.email for e in diff["removed"]] == [leaving.email]
    assert "M2" in diff["removed"][0].reason
    assert first.history.count() == 1  # django-simple-history on DistributionList

    services.invitations_send(meeting=m)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.is_frozen and not first.is_frozen
    assert services.distribution_latest(m) == second


def test_generation_runs_as_a_celery_task(django_capture_on_commit_callbacks):
    m = proposed(gec())
    seat(person(partner("France")), gec(), "titular")
    with django_capture_on_commit_callbacks(execute=True):
        services.distribution_request_generation(meeting=m)
    snapshot = services.distribution_latest(m)
    assert snapshot is not None and snapshot.entries.count() == 1


def test_command_json_has_exactly_the_keys_in_partner_then_role_order():
    gec_with_members(gec(), 2)
    out = StringIO()
    call_command("distribution_list", "GEC", "--format", "json", "--date", "2026-06-10", stdout=out)
    rows = json.loads(out.getvalue())
    assert len(rows) == 4
    # The *_code keys, then the names they replaced, kept as aliases for one release (CHANGELOG.md, 0.2.0).
    assert all(list(row) == [*machine_keys(), "role", "recipient", "partner_type"] for row in rows)
    assert all((r["role"], r["recipient"], r["partner_type"]) == (r["role_code"], r["recipient_code"],
                                                                   r["partner_type_code"]) for r in rows)
    assert [(r["partner"], r["role_code"]) for r in rows] == [
        ("Bilateral GEC 000", "titular"), ("Bilateral GEC 000", "deputy"),
        ("Bilateral GEC 001", "titular"), ("Bilateral GEC 001", "deputy"),
    ]
    assert rows[0]["recipient_code"] == "to" and rows[1]["recipient_code"] == "cc" and rows[0]["rule"] == "M2"


def test_command_csv_is_the_default_and_bad_arguments_are_command_errors():
    gec_with_members(gec(), 1)
    out = StringIO()
    call_command("distribution_list", "GEC", stdout=out)
    assert out.getvalue().splitlines()[0] == ",".join(f'"{key}"' for key in machine_keys())  # every field quoted
    for args in (["NOPE"], ["GEC", "--date", "10/06/2026"], ["GEC", "--format", "xml"], ["GEC", "--meeting", "x"],
                 ["GEC", "--meeting", "999999"]):
        with pytest.raises(CommandError):
            call_command("distribution_list", *args, stdout=StringIO())


def test_command_for_a_meeting_of_another_instance_is_refused():
    m = meeting(ga())
    with pytest.raises(CommandError, match="GA"):
        call_command("distribution_list", "GEC", "--meeting", str(m.pk), stdout=StringIO())


def test_meeting_date_is_used_for_mandates():
    france = partner("France")
    titular = person(france)
    start = at(30)
    seat(titular, gec(), "titular", start=start.date())
    m = meeting(gec(), start=start)
    assert [e.email for e in build_distribution_list(instance=gec(), on_date=services.meeting_date(m),
                                                       meeting=m)] == [titular.email]
