"""The login is the e-mail address, in any case; django-axes still locks out repeated failures."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

pytestmark = pytest.mark.django_db
PASSWORD = "Fleuve-Niger-2026!"


@pytest.fixture
def member(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return User.objects.create_user("eloise.ouedraogo@ue.example.org", "Eloise.Ouedraogo@ue.example.org", PASSWORD)


def login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="192.0.2.1")


@pytest.mark.parametrize("typed", ["eloise.ouedraogo@ue.example.org", "ELOISE.OUEDRAOGO@UE.EXAMPLE.ORG",
                                   " Eloise.Ouedraogo@ue.example.org"])
def test_sign_in_with_the_email_in_any_case(client, member, typed):
    assert login(client, typed).status_code == 302


def test_two_accounts_with_one_address_sign_in_by_neither_address(client, member):
    User.objects.create_user("other", "ELOISE.ouedraogo@ue.example.org", PASSWORD)
    assert login(client, "Eloise.OUEDRAOGO@ue.example.org").status_code == 200  # ambiguous: refused
    assert login(client, "other").status_code == 302  # the username still works


def test_a_disabled_account_cannot_sign_in_by_email(client, member):
    User.objects.filter(pk=member.pk).update(is_active=False)
    assert login(client, member.email).status_code == 200


def test_axes_locks_out_failures_whatever_the_case_of_the_address(client, member, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    settings.AXES_LOCKOUT_PARAMETERS = ["username"]  # only the login, so the case is what is tested
    assert login(client, "eloise.ouedraogo@ue.example.org", "wrong-1").status_code == 200
    assert login(client, "ELOISE.OUEDRAOGO@ue.example.org", "wrong-2").status_code == 200
    assert login(client, "Eloise.Ouedraogo@UE.example.org", "wrong-3").status_code == 429
    assert login(client, "eloise.ouedraogo@ue.example.org").status_code == 429
