"""instance_set_leadership: validation (T7) and the leader's object permission on the group."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from instances.models import InstanceUserObjectPermission
from instances.services import instance_set_leadership
from membership import services
from membership.models import Mandate
from tests.factories import GroupFactory, PartnerFactory, PersonFactory, UserFactory, gec

pytestmark = pytest.mark.django_db


def expert(partner, group, **kwargs):
    person = PersonFactory(institution__partner=partner, function="expert", **kwargs)
    services.mandate_create(person=person, instance=group, role=Mandate.Role.EXPERT, start=datetime.date(2025, 1, 1))
    return person


@pytest.fixture
def group():
    return GroupFactory(code="GT-SANTE")


def test_rule_T7_leader_gets_manage_meetings_on_the_group_and_loses_it_when_leadership_moves(group):
    canada, sweden = PartnerFactory(name="Canada"), PartnerFactory(name="Suède")
    alice = expert(canada, group, user=UserFactory(username="alice"))
    bob = expert(sweden, group, user=UserFactory(username="bob"))

    instance_set_leadership(instance=group, leader_partner=canada, leader_person=alice)
    rows = InstanceUserObjectPermission.objects.filter(content_object=group)
    assert [(r.user.username, r.permission.codename) for r in rows] == [("alice", "manage_meetings")]
    assert alice.user.has_perm("instances.manage_meetings", group)

    instance_set_leadership(instance=group, leader_partner=sweden, leader_person=bob)
    rows = InstanceUserObjectPermission.objects.filter(content_object=group)
    assert [r.user.username for r in rows] == ["bob"]
    alice.user = type(alice.user).objects.get(pk=alice.user.pk)  # fresh permission cache
    assert not alice.user.has_perm("instances.manage_meetings", group)


def test_rule_T7_co_lead_gets_the_permission_too(group):
    canada, who = PartnerFactory(name="Canada"), PartnerFactory(name="OMS")
    leader = expert(canada, group, user=UserFactory(username="lead"))
    co_lead = expert(who, group, user=UserFactory(username="colead"))
    instance_set_leadership(instance=group, leader_partner=canada, leader_person=leader,
                            co_lead_partner=who, co_lead_person=co_lead)
    users = set(InstanceUserObjectPermission.objects.filter(content_object=group).values_list("user__username",
                                                                                              flat=True))
    assert users == {"lead", "colead"}


def test_rule_T7_leader_person_must_belong_to_the_leader_partner(group):
    canada, sweden = PartnerFactory(name="Canada"), PartnerFactory(name="Suède")
    swede = expert(sweden, group, user=UserFactory(username="sven"))
    with pytest.raises(ValidationError) as excinfo:
        instance_set_leadership(instance=group, leader_partner=canada, leader_person=swede)
    assert "leader_person" in excinfo.value.message_dict
    assert InstanceUserObjectPermission.objects.count() == 0
    group.refresh_from_db()
    assert group.leader_partner is None


def test_rule_T7_gec_and_ga_have_no_group_leader():
    canada = PartnerFactory(name="Canada")
    with pytest.raises(ValidationError) as excinfo:
        instance_set_leadership(instance=gec(), leader_partner=canada)
    assert "T3" in " ".join(excinfo.value.message_dict["leader_partner"])


def test_rule_T7_co_lead_needs_a_leader_and_another_partner(group):
    canada = PartnerFactory(name="Canada")
    with pytest.raises(ValidationError):
        instance_set_leadership(instance=group, co_lead_partner=canada)
    with pytest.raises(ValidationError):
        instance_set_leadership(instance=group, leader_partner=canada, co_lead_partner=canada)


def test_leadership_can_be_cleared_and_permissions_follow(group):
    canada = PartnerFactory(name="Canada")
    leader = expert(canada, group, user=UserFactory(username="lead"))
    instance_set_leadership(instance=group, leader_partner=canada, leader_person=leader)
    instance_set_leadership(instance=group)
    assert InstanceUserObjectPermission.objects.filter(content_object=group).count() == 0
