"""Agenda scope (A2, A4, A6), presenters (A5), topic experts (M6), proposals, confidentiality (A4)."""

import pytest
from django.core.exceptions import ValidationError

from meetings import rules, services
from meetings.models import AgendaItem
from tests.factories import GroupFactory, PartnerFactory, ga, gec
from tests.meetings.factories import at, item, meeting, person_of, seat

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("category", ["human_rights", "security", "sector_dialogue", "gec_referral"])
def test_rule_A2_gec_refuses_items_outside_its_scope(category):
    m = meeting(gec())
    with pytest.raises(ValidationError) as exc:
        item(m, category=category)
    assert "A2" in str(exc.value)
    assert not m.items.exists()


@pytest.mark.parametrize("category", ["policy_dialogue", "effectiveness", "organisation", "referral_conclusion",
                                      "follow_up"])
def test_rule_A2_gec_accepts_its_scope(category):
    assert item(meeting(gec()), category=category).status == AgendaItem.Status.ACCEPTED


@pytest.mark.parametrize("category", ["policy_dialogue", "sector_dialogue", "referral_conclusion"])
def test_rule_A4_ga_refuses_items_outside_its_scope(category):
    with pytest.raises(ValidationError) as exc:
        item(meeting(ga()), category=category)
    assert "A4" in str(exc.value)


@pytest.mark.parametrize("category", ["human_rights", "democracy", "reconciliation", "rule_of_law", "security",
                                      "gec_referral", "follow_up"])
def test_rule_A4_ga_accepts_its_scope(category):
    item(meeting(ga()), category=category)


@pytest.mark.parametrize("kind", ["GT", "GD"])
def test_rule_A6_groups_refuse_political_items(kind):
    group = GroupFactory(kind=kind)
    with pytest.raises(ValidationError) as exc:
        item(meeting(group), category="security")
    assert "A6" in str(exc.value)
    item(meeting(group, days=40), category="government_dialogue")


def test_rule_A4_ga_items_documents_and_minutes_confidential_by_default():
    ga_item = item(meeting(ga()))
    gec_item = item(meeting(gec()))
    assert ga_item.confidential is True
    assert gec_item.confidential is False
    assert item(meeting(ga(), days=50), confidential=False).confidential is False


def test_rule_A5_presenter_group_must_be_a_thematic_or_dialogue_group():
    m = meeting(gec())
    with pytest.raises(ValidationError) as exc:
        item(m, presenter_group=ga())
    assert "A5" in str(exc.value)


def test_rule_A5_presenting_group_leader_and_co_lead_join_presenters():
    leader, co_lead, speaker = (person_of(PartnerFactory()) for _ in range(3))
    group = GroupFactory(leader_person=leader, co_lead_person=co_lead)
    m = meeting(gec())
    item(m, title="Health sector stakes", presenter_group=group)
    item(m, title="Budget", presenter_person=speaker)
    presenters = services.meeting_presenters(m)
    people = [p for p, _reason in presenters]
    assert people == [leader, co_lead, speaker]
    assert "A5" in presenters[0][1]


def test_rule_A5_presenters_of_rejected_items_are_not_invited():
    member = person_of(PartnerFactory())
    seat(member, gec())
    m = meeting(gec(), proposal_deadline=at(5))
    proposed = services.agenda_item_propose(meeting=m, proposer=member, title="Idea", category="effectiveness",
                                            expected_outcome="information")
    services.agenda_item_update(item=proposed, presenter_person=member)
    services.agenda_item_reject(item=proposed, reason="Out of time")
    assert services.meeting_presenters(m) == []


def test_rule_M6_topic_experts_only_on_ga_items():
    expert = person_of(PartnerFactory())
    ga_item = item(meeting(ga()), topic_experts=[expert])
    assert list(ga_item.topic_experts.all()) == [expert]
    with pytest.raises(ValidationError) as exc:
        item(meeting(gec()), topic_experts=[expert])
    assert "M6" in str(exc.value)


def test_member_proposes_before_deadline_and_secretariat_accepts():
    member = person_of(PartnerFactory())
    seat(member, gec())
    m = meeting(gec(), proposal_deadline=at(5))
    proposed = services.agenda_item_propose(meeting=m, proposer=member, title="Aid data", category="effectiveness",
                                            expected_outcome="orientation")
    assert (proposed.status, proposed.proposed_by) == (AgendaItem.Status.PROPOSED, member)
    services.agenda_item_accept(item=proposed, reason="Relevant")
    proposed.refresh_from_db()
    assert (proposed.status, proposed.decision_reason) == (AgendaItem.Status.ACCEPTED, "Relevant")
    with pytest.raises(ValidationError):
        services.agenda_item_reject(item=proposed, reason="Too late")  # already decided


def test_proposal_after_deadline_is_refused():
    member = person_of(PartnerFactory())
    seat(member, gec())
    m = meeting(gec(), days=10, proposal_deadline=at(-1))
    with pytest.raises(ValidationError):
        services.agenda_item_propose(meeting=m, proposer=member, title="Late", category="effectiveness",
                                     expected_outcome="information")
    assert not m.items.exists()


def test_proposal_by_a_non_member_is_refused():
    outsider = person_of(PartnerFactory())
    seat(outsider, ga())
    m = meeting(gec(), proposal_deadline=at(5))
    with pytest.raises(ValidationError):
        services.agenda_item_propose(meeting=m, proposer=outsider, title="x", category="effectiveness",
                                     expected_outcome="information")


def test_proposal_out_of_scope_is_refused():
    member = person_of(PartnerFactory())
    seat(member, gec())
    m = meeting(gec(), proposal_deadline=at(5))
    with pytest.raises(ValidationError):
        services.agenda_item_propose(meeting=m, proposer=member, title="x", category="security",
                                     expected_outcome="information")


def test_reject_requires_a_reason():
    member = person_of(PartnerFactory())
    seat(member, gec())
    m = meeting(gec(), proposal_deadline=at(5))
    proposed = services.agenda_item_propose(meeting=m, proposer=member, title="x", category="effectiveness",
                                            expected_outcome="information")
    with pytest.raises(ValidationError):
        services.agenda_item_reject(item=proposed, reason="  ")
    proposed.refresh_from_db()
    assert proposed.status == AgendaItem.Status.PROPOSED


def test_reorder_update_and_remove():
    m = meeting(gec())
    a, b, c = item(m, title="A"), item(m, title="B"), item(m, title="C")
    services.agenda_reorder(meeting=m, item_ids=[c.pk, a.pk])
    assert [i.title for i in m.items.all()] == ["C", "A", "B"]
    services.agenda_item_update(item=b, title="B2", duration_minutes=30)
    services.agenda_item_remove(item=a)
    assert [(i.title, i.duration_minutes) for i in m.items.all()] == [("C", 15), ("B2", 30)]
    other = item(meeting(gec(), days=60))
    with pytest.raises(ValidationError):
        services.agenda_reorder(meeting=m, item_ids=[other.pk])


def test_update_cannot_move_an_item_out_of_scope():
    it = item(meeting(gec()))
    with pytest.raises(ValidationError):
        services.agenda_item_update(item=it, category="security")
    it.refresh_from_db()
    assert it.category == "policy_dialogue"


def test_agenda_is_frozen_once_convened():
    from tests.meetings.factories import convened

    m = convened(gec())
    with pytest.raises(ValidationError):
        item(m)
    with pytest.raises(ValidationError):
        services.agenda_item_remove(item=m.items.get())


def test_scope_table_names_only_existing_categories():
    for scope in rules.CATEGORY_SCOPE.values():
        assert scope <= set(AgendaItem.Category.values)
