"""Access ends with the mandate: the daily task disables accounts after ACCOUNT_GRACE_DAYS without mandate."""

import datetime

import pytest
from celery import current_app
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from membership.accounts import services
from membership.accounts.models import AccountEvent
from membership.accounts.tasks import disable_lapsed_accounts
from membership.roles import SECRETARIAT_GROUP
from ptf_portal.celery_config import beat_schedule
from tests.accounts.helpers import issue_link
from tests.factories import MandateFactory, PersonFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def days_ago(n):
    return TODAY - datetime.timedelta(days=n)


def account(*, joined_days_ago=100, mandate_end=None, with_mandate=True, **user_fields):
    person = PersonFactory()
    user = User.objects.create_user(f"u{person.pk}", person.email, "Mot-de-passe-2026", **user_fields)
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - datetime.timedelta(days=joined_days_ago))
    person.user = user
    person.save()
    if with_mandate:
        MandateFactory(person=person, start=days_ago(400), end=mandate_end)
    return person


def is_active(person):
    return User.objects.get(pk=person.user_id).is_active


def test_the_task_is_in_the_beat_schedule_and_registered():
    names = ("membership.accounts.tasks.disable_lapsed_accounts", "membership.accounts.tasks.send_account_invitation",
             "membership.accounts.tasks.requeue_account_invitations")
    assert any(e["task"] == names[0] for e in beat_schedule.values())
    # Registered when Django starts (MembershipConfig.ready), so services can queue them by name.
    assert set(names) <= set(current_app.tasks)


def test_active_mandate_keeps_the_account():
    person = account(mandate_end=None)
    assert disable_lapsed_accounts() == 0 and is_active(person)


def test_no_mandate_at_all_beyond_the_grace_is_disabled():
    person = account(with_mandate=False, joined_days_ago=31)
    assert disable_lapsed_accounts() == 1 and not is_active(person)
    event = AccountEvent.objects.get(person=person, kind="lapsed")
    assert event.since == days_ago(31) and "Aucun mandat actif" in event.reason


def test_no_mandate_at_all_within_the_grace_is_kept():
    person = account(with_mandate=False, joined_days_ago=5)
    assert disable_lapsed_accounts() == 0 and is_active(person)


def test_ended_mandate_within_the_grace_is_kept():
    person = account(mandate_end=days_ago(29))  # first day without mandate: 28 days ago
    assert disable_lapsed_accounts() == 0 and is_active(person)


def test_ended_mandate_beyond_the_grace_is_disabled():
    person = account(mandate_end=days_ago(31))
    assert disable_lapsed_accounts() == 1 and not is_active(person)


def test_grace_days_is_a_setting(settings):
    settings.ACCOUNT_GRACE_DAYS = 60
    person = account(mandate_end=days_ago(31))
    assert disable_lapsed_accounts() == 0 and is_active(person)


def test_a_mandate_that_starts_later_keeps_the_account():
    person = account(mandate_end=days_ago(200))
    MandateFactory(person=person, start=TODAY + datetime.timedelta(days=10), instance=person.mandates.first().instance,
                   role="deputy")
    assert disable_lapsed_accounts() == 0 and is_active(person)


def test_secretariat_staff_are_never_disabled():
    person = account(mandate_end=days_ago(300))
    User.objects.get(pk=person.user_id).groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
    assert disable_lapsed_accounts() == 0 and is_active(person)


def test_admins_are_never_disabled():
    superuser = account(mandate_end=days_ago(300), is_superuser=True)
    staff = account(with_mandate=False, is_staff=True)
    assert disable_lapsed_accounts() == 0 and is_active(superuser) and is_active(staff)


def test_the_seg_enables_again_and_the_task_leaves_it(client, secretariat_user):
    person = account(mandate_end=days_ago(31))
    disable_lapsed_accounts()
    client.force_login(secretariat_user)
    page = client.get(reverse("membership:access"), {"state": "disabled"})
    [row] = page.context["people"]
    assert row.pk == person.pk and row.disabled_since == days_ago(30)
    assert "aucun mandat actif depuis le" in page.content.decode()
    assert client.post(reverse("membership:access_enable", kwargs={"pk": person.pk})).status_code == 302
    assert is_active(person)
    assert disable_lapsed_accounts() == 0 and is_active(person)
    kinds = list(AccountEvent.objects.filter(person=person).order_by("at", "pk").values_list("kind", "by"))
    assert kinds == [("lapsed", None), ("enabled", secretariat_user.pk)]


def test_a_disabled_account_cannot_sign_in(client):
    person = account(mandate_end=days_ago(31))
    services.accounts_disable_lapsed()
    assert not client.login(username=person.email, password="Mot-de-passe-2026")


def test_an_old_invitation_does_not_reopen_a_disabled_account(client):
    person = account(mandate_end=days_ago(31))
    token = issue_link(person)
    User.objects.filter(pk=person.user_id).update(password="!unusable")  # invited again before choosing one
    disable_lapsed_accounts()
    response = client.get(reverse("membership:activate", kwargs={"token": token}))
    assert "link-invalid" in response.content.decode()
    assert not is_active(person)
