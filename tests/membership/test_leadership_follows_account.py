"""T7: a GT/GD leader manages the group's meetings through their login account, whatever way the account and the
person get linked, unlinked, disabled or enabled; one function (`membership.services.person_account_changed`)
moves the grant, and no other code writes a person's account."""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from instances.services import instance_set_leadership
from meetings.models import Meeting
from membership.accounts import services as account_services
from membership.importer import import_directory
from membership.models import Person
from membership.roles import load_user
from membership.services import person_link_account
from tests.accounts.helpers import issue_link
from tests.factories import GroupFactory, PersonFactory, UserFactory
from tests.membership.import_factories import GROUP_COLUMNS, MEMBER_COLUMNS, group, member, write_csv

pytestmark = pytest.mark.django_db
PASSWORD = "Baobab-de-Ségou-2026"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def led_ids(user):
    return load_user(user.pk).__dict__["_ptf_role_facts"].managed_group_ids


@pytest.fixture
def health():
    """GT-SANTE led by Elena, who has no account yet."""
    group = GroupFactory(code="GT-SANTE")
    elena = PersonFactory(first_name="Elena", last_name="Andersen", email="elena@example.org")
    instance_set_leadership(instance=group, leader_partner=elena.institution.partner, leader_person=elena)
    return group, elena


def test_activation_gives_the_leader_her_group_and_lands_on_my_groups(client, health):
    group, elena = health
    other = GroupFactory(code="GT-EDUC")
    Meeting.objects.create(instance=group, title="Revue sectorielle", start=timezone.now() + datetime.timedelta(days=9),
                           end=timezone.now() + datetime.timedelta(days=9, hours=2))
    token = issue_link(elena)
    client.get(reverse("membership:activate", args=[token]))
    response = client.post(reverse("membership:activate_password"),
                           {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302 and "next=%2Fmeetings%2Fmy-groups%2F" in response["Location"]
    user = User.objects.get(person=elena)
    assert led_ids(user) == {group.pk}
    client.force_login(user)
    page = client.get(reverse("meetings:my_groups"))
    html = page.content.decode()
    assert "GT-SANTE" in html and "Revue sectorielle" in html and "GT-EDUC" not in html
    assert f'href="/meetings/new/?instance={group.pk}"' in html
    assert client.get(reverse("meetings:create"), {"instance": group.pk}).status_code == 200
    form = client.get(reverse("meetings:create")).context["form"]
    assert list(form.fields["instance"].queryset) == [group] and other not in form.fields["instance"].queryset


def test_activation_of_an_account_the_seg_linked_before_syncs_too(health):
    group, elena = health
    user = UserFactory(username="elena", email=elena.email)
    Person.objects.filter(pk=elena.pk).update(user=user)  # a link written behind the services' back
    elena.refresh_from_db()
    assert led_ids(user) == frozenset()
    invitation = account_services.invitation_open(person=elena)
    invitation.expires_at = timezone.now() + datetime.timedelta(days=1)
    invitation.save()
    account_services.invitation_accept(invitation=invitation, password=PASSWORD)
    assert led_ids(user) == {group.pk}


def test_a_non_leader_lands_on_her_invitations(client, db):
    person = PersonFactory()
    token = issue_link(person)
    client.get(reverse("membership:activate", args=[token]))
    response = client.post(reverse("membership:activate_password"),
                           {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert "my-groups" not in response["Location"]


def test_admin_person_page_links_and_unlinks_the_leadership(admin_client, health):
    group, elena = health
    user = UserFactory(username="elena")
    url = reverse("admin:membership_person_change", args=[elena.pk])
    data = admin_client.get(url).context["adminform"].form.initial
    post = {k: ("" if v is None else v) for k, v in data.items() if k not in ("id",)}
    post.update({"institution": elena.institution_id, "user": user.pk, "mandates-TOTAL_FORMS": 0,
                 "mandates-INITIAL_FORMS": 0})
    post = {k: (v.pk if hasattr(v, "pk") else v) for k, v in post.items()}
    response = admin_client.post(url, post)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert led_ids(user) == {group.pk}
    post["user"] = ""
    assert admin_client.post(url, post).status_code == 302
    assert led_ids(user) == frozenset()


def test_admin_user_page_disabling_and_enabling_moves_the_leadership(admin_client, health):
    group, elena = health
    user = UserFactory(username="elena")
    person_link_account(person=elena, user=user)
    url = reverse("admin:auth_user_change", args=[user.pk])
    form = admin_client.get(url).context["adminform"].form
    post = {k: v for k, v in form.initial.items() if k in ("username", "first_name", "last_name", "email",
                                                           "date_joined", "last_login")}
    post.update({"date_joined_0": "2026-01-01", "date_joined_1": "10:00:00", "is_active": ""})
    post.pop("date_joined", None)
    post.pop("last_login", None)
    assert admin_client.post(url, post).status_code == 302
    assert led_ids(user) == frozenset()
    post["is_active"] = "on"
    assert admin_client.post(url, post).status_code == 302
    assert led_ids(user) == {group.pk}


def test_reenabling_a_lapsed_account_gives_the_group_back(health, secretariat_user):
    group, elena = health
    user = UserFactory(username="elena", date_joined=timezone.now() - datetime.timedelta(days=400))
    person_link_account(person=elena, user=user)
    assert led_ids(user) == {group.pk}
    assert account_services.accounts_disable_lapsed(grace_days=30) == [user]
    assert led_ids(user) == frozenset()
    account_services.account_enable(person=elena, by_user=secretariat_user)
    assert led_ids(user) == {group.pk}


def test_changing_the_groups_leader_moves_the_grant(health):
    group, elena = health
    elena_user = UserFactory(username="elena")
    person_link_account(person=elena, user=elena_user)
    moussa = PersonFactory(institution=elena.institution)
    moussa_user = UserFactory(username="moussa")
    person_link_account(person=moussa, user=moussa_user)
    instance_set_leadership(instance=group, leader_partner=elena.institution.partner, leader_person=moussa)
    assert (led_ids(elena_user), led_ids(moussa_user)) == (frozenset(), {group.pk})


def test_the_importer_gives_the_group_to_the_account_of_its_new_leader(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    members = write_csv(tmp_path / "members.csv", [member("ann@fr.org", instance="GT-X", role="expert")],
                        MEMBER_COLUMNS)

    def run(leader):
        groups = write_csv(tmp_path / "groups.csv", [group("GT-X", leader=leader)], GROUP_COLUMNS)
        result = import_directory(members=members, groups=groups)
        assert result.ok, [str(e) for e in result.errors]

    run("")
    ann = Person.objects.get(email="ann@fr.org")
    user = UserFactory(username="ann")
    person_link_account(person=ann, user=user)
    assert led_ids(user) == frozenset()
    run("France")
    assert led_ids(user) == {Person.objects.get(pk=ann.pk).led_instances.get().pk}


def test_no_code_but_the_service_writes_a_persons_account():
    """A future path cannot forget the leadership: whoever links an account goes through person_link_account."""
    pattern = re.compile(r"update_fields=\[\s*[\"']user[\"']\s*\]|\.update\(\s*user=")
    offenders = []
    for package in ("core", "instances", "membership", "meetings", "secretariat", "ptf_portal"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if pattern.search(text) and path != ROOT / "membership" / "services.py":
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
