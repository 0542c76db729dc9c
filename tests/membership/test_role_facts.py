"""The request's role facts (one query) answer as guardian and the groups table would, one by one."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.shortcuts import assign_perm, get_objects_for_user

from instances.models import Instance, InstanceUserObjectPermission
from instances.permissions import MANAGE_MEETINGS
from membership.access import can_manage_instance, managed_instances, manages_meetings
from membership.models import Person
from membership.roles import (
    FACTS_KEY,
    SECRETARIAT_GROUP,
    forget_roles,
    is_secretariat,
    load_user,
    person_id_of,
    person_of,
    role_facts,
)
from tests.factories import PartnerFactory, UserFactory, gec
from tests.portal.factories import login_person

pytestmark = pytest.mark.django_db


def _group(code, **kwargs):
    return Instance.objects.create(kind=kwargs.pop("kind", "GT"), code=code, name_fr=code, name_en=code, **kwargs)


def _guardian_view(user) -> set[int]:
    """What managed_instances answered before the facts: guardian's own listing."""
    ids = get_objects_for_user(user, MANAGE_MEETINGS, klass=Instance, accept_global_perms=False)
    return set(Instance.objects.filter(pk__in=ids.values("pk"), is_active=True, kind__in=["GT", "GD"])
               .values_list("pk", flat=True))


def test_managed_groups_match_guardian_for_grants_to_the_account_and_to_its_groups():
    user = UserFactory(username="leader")
    own, by_team, dormant, other = _group("GT-A"), _group("GD-B", kind="GD"), _group("GT-C", is_active=False), \
        _group("GT-D")
    team = Group.objects.create(name="équipe")
    user.groups.add(team)
    assign_perm(MANAGE_MEETINGS, user, own)
    assign_perm(MANAGE_MEETINGS, team, by_team)
    assign_perm(MANAGE_MEETINGS, user, dormant)
    assign_perm(MANAGE_MEETINGS, user, gec())  # a stray grant on a political body counts for nothing
    assign_perm("instances.change_instance", user, other)  # another permission on a group: not management

    assert _guardian_view(user) == {own.pk, by_team.pk}
    assert set(managed_instances(user).values_list("pk", flat=True)) == {own.pk, by_team.pk}
    for instance in (own, by_team, dormant, other, gec()):
        assert can_manage_instance(user, instance) == (instance.is_group and user.has_perm(MANAGE_MEETINGS, instance))
    assert manages_meetings(user) and not is_secretariat(user)


def test_secretariat_and_person_facts_come_with_the_same_single_query():
    person = login_person("staff", PartnerFactory())
    user = person.user
    user.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    with CaptureQueriesContext(connection) as queries:
        assert is_secretariat(user) and manages_meetings(user)
        assert person_id_of(user) == person.pk
        role_facts(user)
    assert len(queries.captured_queries) == 1
    assert person_of(user) == person


def test_an_account_without_roles_has_none_and_forgetting_reads_them_again():
    user = UserFactory(username="nobody")
    assert not is_secretariat(user) and person_id_of(user) is None and not manages_meetings(user)
    user.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    assert not is_secretariat(user)  # read once per request
    forget_roles(user)
    assert is_secretariat(user)


def test_a_signed_in_request_reads_the_account_and_its_roles_in_one_query(client):
    """The authentication backend reads the account with its facts: no second query for the roles, and the
    page still knows the account is a person of the directory (its navigation)."""
    person = login_person("member", PartnerFactory())
    client.force_login(person.user)
    user_table = get_user_model()._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("membership:my_mandates"))
    assert response.status_code == 200
    reading_the_account = [q["sql"] for q in queries.captured_queries if user_table in q["sql"]
                           or "ptf_user_roles" in q["sql"]]
    role_tables = [Person._meta.db_table, "auth_user_groups", InstanceUserObjectPermission._meta.db_table]
    assert len(reading_the_account) == 1
    if connection.vendor != "postgresql":  # on PostgreSQL the statement is prepared: EXECUTE ptf_user_roles(…)
        assert all(table in reading_the_account[0] for table in role_tables)
    assert reverse("secretariat:my_invitations") in response.content.decode()


def test_an_account_made_inactive_is_signed_out_at_its_next_request(client):
    person = login_person("leaving", PartnerFactory())
    client.force_login(person.user)
    assert client.get(reverse("membership:my_mandates")).status_code == 200
    type(person.user).objects.filter(pk=person.user.pk).update(is_active=False)
    response = client.get(reverse("membership:my_mandates"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_load_user_gives_the_account_with_its_facts_or_none():
    leader = UserFactory(username="lead")
    group = _group("GT-L")
    assign_perm(MANAGE_MEETINGS, leader, group)
    assign_perm(MANAGE_MEETINGS, leader, _group("GT-M", is_active=False))
    loaded = load_user(leader.pk)
    assert loaded == leader and loaded.username == "lead" and loaded.date_joined == leader.date_joined
    assert loaded.__dict__[FACTS_KEY].managed_group_ids == {group.pk}
    assert len(loaded.__dict__[FACTS_KEY].granted_group_ids) == 2
    assert load_user(leader.pk + 1000) is None


def test_todays_instances_come_with_the_facts_and_match_the_mandates_of_the_day():
    """A mandate ended yesterday or starting tomorrow does not count today; another day is still read from
    the mandates."""
    import datetime

    from django.utils import timezone

    from membership.access import active_instance_ids
    from membership.models import Mandate
    from tests.factories import ga, gec

    person = login_person("member-today", PartnerFactory())
    today = timezone.localdate()
    group = _group("GT-T")
    Mandate.objects.create(person=person, instance=gec(), role="titular", start=today)
    Mandate.objects.create(person=person, instance=ga(), role="titular", start=today - datetime.timedelta(days=30),
                           end=today - datetime.timedelta(days=1))
    Mandate.objects.create(person=person, instance=group, role="expert", start=today + datetime.timedelta(days=1))
    user = load_user(person.user.pk)
    council = gec().pk
    with CaptureQueriesContext(connection) as queries:
        assert active_instance_ids(user) == {council}
    assert not queries.captured_queries
    assert active_instance_ids(user, today + datetime.timedelta(days=1)) == {gec().pk, group.pk}
    assert active_instance_ids(user, today - datetime.timedelta(days=1)) == {ga().pk}
