"""Roles exist from migrate; admins add and remove secretariat staff in the browser; everything is audited."""

import io
import logging

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from membership.accounts import services
from membership.accounts.models import AccountEvent
from membership.roles import SECRETARIAT_GROUP, is_secretariat
from tests.accounts.helpers import links_by_address

pytestmark = pytest.mark.django_db
PASSWORD = "Fleuve-Niger-2026!"


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def superuser():
    out = io.StringIO()
    call_command("createsuperuser", interactive=False, username="root", email="root@ptf-mali.example.org",
                 stdout=out)
    user = User.objects.get(username="root")
    user.set_password(PASSWORD)
    user.save()
    return user


def test_the_secretariat_group_exists_after_migrate_with_permissions():
    group = Group.objects.get(name=SECRETARIAT_GROUP)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"view_person", "change_mandate", "add_meeting", "view_invitation"} <= codenames
    assert not any(c.startswith("delete_") for c in codenames)


def test_admin_adds_a_secretariat_member_who_chooses_a_password(client, superuser, commit, caplog):
    caplog.set_level(logging.INFO)
    client.force_login(superuser)
    with commit(execute=True):
        response = client.post(reverse("membership:secretariat_staff"), {
            "first_name": "Oumou", "last_name": "Sangaré", "email": "Oumou.Sangare@seg-mali.example.org"})
    assert response.status_code == 302
    user = User.objects.get(email="Oumou.Sangare@seg-mali.example.org")
    assert is_secretariat(user) and not user.has_usable_password()
    link = links_by_address()["oumou.sangare@seg-mali.example.org"]
    assert "secrétariat (SEG)" in mail.outbox[0].body
    client.logout()
    client.get(link)
    client.post(reverse("membership:activate_password"), {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert client.login(username="oumou.sangare@SEG-MALI.example.org", password=PASSWORD)
    assert "role granted role=secretariat" in caplog.text
    assert link.rstrip("/").rsplit("/", 1)[-1] not in caplog.text


def test_a_new_secretariat_member_enrols_totp_at_first_sign_in(client, superuser, commit, settings):
    settings.REQUIRE_2FA_FOR_STAFF = True
    with commit(execute=True):
        services.secretariat_member_add(first_name="Oumou", last_name="Sangaré", email="oumou@seg-mali.example.org",
                                        by_user=superuser)
    client.get(links_by_address()["oumou@seg-mali.example.org"])
    client.post(reverse("membership:activate_password"), {"new_password1": PASSWORD, "new_password2": PASSWORD})
    response = client.post(reverse("login"), {"username": "oumou@seg-mali.example.org", "password": PASSWORD},
                           follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor_setup"))


def test_admin_removes_a_member(client, superuser, secretariat_user):
    client.force_login(superuser)
    client.post(reverse("membership:secretariat_staff_remove", kwargs={"pk": secretariat_user.pk}))
    assert not User.objects.get(pk=secretariat_user.pk).groups.filter(name=SECRETARIAT_GROUP).exists()
    assert AccountEvent.objects.filter(user=secretariat_user, kind="role_removed", by=superuser).exists()


def test_secretariat_staff_cannot_change_the_secretariat(client, secretariat_user):
    client.force_login(secretariat_user)
    response = client.post(reverse("membership:secretariat_staff"), {
        "first_name": "Ali", "last_name": "Touré", "email": "ali@example.org"})
    assert response.status_code == 403 and not User.objects.filter(email="ali@example.org").exists()


def test_existing_account_is_added_without_a_new_password(client, superuser):
    existing = User.objects.create_user("awa", "awa@seg-mali.example.org", PASSWORD)
    client.force_login(superuser)
    client.post(reverse("membership:secretariat_staff"), {"first_name": "Awa", "last_name": "Keïta",
                                                          "email": "AWA@seg-mali.example.org"})
    assert is_secretariat(User.objects.get(pk=existing.pk)) and mail.outbox == []


def test_account_events_are_in_the_audit_page(client, superuser, commit):
    client.force_login(superuser)
    with commit(execute=True):
        client.post(reverse("membership:secretariat_staff"), {
            "first_name": "Oumou", "last_name": "Sangaré", "email": "oumou@seg-mali.example.org"})
    response = client.get(reverse("audit"), {"model": "accountevent"})
    labels = [e.label for e in response.context["entries"]]
    assert any("ajouté au secrétariat" in label for label in labels)
    assert any("invitation envoyée" in label for label in labels)
    assert {e.who for e in response.context["entries"]} == {"root"}


def test_secretariat_page_queries_do_not_grow_with_its_members(client, superuser):
    group = Group.objects.get(name=SECRETARIAT_GROUP)

    def add(n):
        for _ in range(n):
            user = User.objects.create_user(f"seg{User.objects.count()}", f"seg{User.objects.count()}@example.org")
            user.groups.add(group)

    client.force_login(superuser)
    add(1)
    client.get(reverse("membership:secretariat_staff"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("membership:secretariat_staff"))
    add(5)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("membership:secretariat_staff"))
    assert len(large) == len(small)
