"""Password reset from the login page: same answer for every address, throttled, single-use, short-lived."""

import datetime
import logging
from unittest import mock

import pytest
from celery import current_app
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from membership.accounts import resets, tasks
from membership.accounts.models import AccountEvent, PasswordResetRequest
from ptf_portal.celery_config import beat_schedule
from tests.accounts.helpers import RESET
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
OLD, NEW = "Ancien-mot-de-passe-2026", "Nouveau-Baobab-2026!"


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member():
    person = PersonFactory(first_name="Aïssata", last_name="Ouédraogo", email="aissata.ouedraogo@union-europeenne.example.org",
                           language="en")
    person.user = User.objects.create_user(person.email, person.email, OLD)
    person.save()
    return person


@pytest.fixture
def ask(client, commit):
    """Ask for a reset, then run what the request queued after commit (the worker's e-mail, eager Celery)."""
    def _ask(email, ip="192.0.2.10", **meta):
        with commit(execute=True):
            return client.post(reverse("membership:password_reset"), {"email": email}, REMOTE_ADDR=ip, **meta)
    return _ask


def test_login_page_offers_the_reset(client):
    html = client.get(reverse("login")).content.decode()
    assert reverse("membership:password_reset") in html and "Mot de passe oublié" in html


def test_same_answer_whether_or_not_the_address_exists(client, member, ask):
    known, unknown = ask(member.email.upper()), ask("personne@nulle-part.example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("membership:password_reset_done")
    assert [m.to for m in mail.outbox] == [[member.email]]
    # In the person's language.
    assert "Choose it by following this link" in mail.outbox[0].body


def test_reset_sets_a_new_password_once(client, member, caplog, ask):
    caplog.set_level(logging.DEBUG)
    ask(member.email)
    link = RESET.search(mail.outbox[0].body).group(0)
    set_password = client.get(link)
    assert set_password.status_code == 302  # to the same URL without the token, as Django does
    response = client.post(set_password["Location"], {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302 and response["Location"] == reverse("membership:password_reset_complete")
    assert client.login(username=member.email, password=NEW)
    client.logout()
    # Single-use: the same link no longer works and changes nothing.
    again = client.get(link, follow=True)
    assert again.status_code == 200 and "link-invalid" in again.content.decode()
    assert set(AccountEvent.objects.filter(user=member.user).values_list("kind", flat=True)) == {
        "reset_requested", "reset"}
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert "password reset requested" in caplog.text and token not in caplog.text


@pytest.mark.parametrize("spoil", ["expired", "altered"])
def test_expired_and_altered_reset_links_get_a_clear_page_and_change_nothing(client, member, settings, spoil, ask):
    ask(member.email)
    link = RESET.search(mail.outbox[0].body).group(0)
    if spoil == "expired":
        settings.PASSWORD_RESET_TIMEOUT = -1
    else:
        link = link[:-4] + "zzz/"
    password = User.objects.get(pk=member.user_id).password
    response = client.get(link, follow=True)
    assert response.status_code == 200 and "link-invalid" in response.content.decode()
    assert User.objects.get(pk=member.user_id).password == password


def test_disabled_accounts_get_no_reset(client, member, ask):
    User.objects.filter(pk=member.user_id).update(is_active=False)
    assert ask(member.email).status_code == 302
    assert mail.outbox == []


def test_a_link_sent_before_the_account_was_disabled_no_longer_works(client, member, ask):
    ask(member.email)
    link = RESET.search(mail.outbox[0].body).group(0)
    User.objects.filter(pk=member.user_id).update(is_active=False)
    response = client.get(link, follow=True)
    assert "link-invalid" in response.content.decode()


def test_requests_are_throttled_per_address(client, member, settings, ask):
    settings.PASSWORD_RESET_PER_ADDRESS = 2
    answers = [ask(member.email, ip=f"192.0.2.{n}") for n in range(4)]
    assert {a["Location"] for a in answers} == {reverse("membership:password_reset_done")}
    assert len(mail.outbox) == 2


def test_requests_are_throttled_per_ip(client, settings, ask):
    settings.PASSWORD_RESET_PER_IP = 3
    people = []
    for n in range(5):
        person = PersonFactory(email=f"expert{n}@banque-mondiale.example.org")
        person.user = User.objects.create_user(person.email, person.email, OLD)
        person.save()
        people.append(person)
    for person in people:
        ask(person.email, ip="198.51.100.7")
    assert len(mail.outbox) == 3
    ask(people[4].email, ip="198.51.100.8")
    assert len(mail.outbox) == 4


PROXY = "10.0.0.1"


def test_requests_are_counted_per_real_client_behind_the_proxy(client, member, settings, ask, caplog):
    """Behind nginx REMOTE_ADDR is the proxy: ten strangers must not use up everyone's resets."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PASSWORD_RESET_PER_IP = 3
    caplog.set_level(logging.INFO, logger="ptf.security")
    for n in range(6):  # six different clients, all through the proxy, asking for unknown addresses
        ask(f"personne{n}@nulle-part.example.org", ip=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    ask(member.email, ip=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert PasswordResetRequest.objects.get(email=member.email).client_ip == "198.51.100.20"
    # One client through the proxy is still throttled, and the log names it, not the proxy.
    for _ in range(4):
        ask("personne@nulle-part.example.org", ip=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.99")
    throttled = [r.getMessage() for r in caplog.records if "throttled" in r.getMessage()]
    assert throttled == ["password reset throttled ip=203.0.113.99 by=ip"]


def test_resets_are_limited_per_account_whatever_the_spelling_client_or_cache(client, member, settings, ask):
    settings.PASSWORD_RESET_PER_ADDRESS = 100
    settings.PASSWORD_RESET_PER_ACCOUNT = 2
    for n, spelling in enumerate([member.email, member.email.upper(), member.email.title(), member.email]):
        cache.clear()  # the account's count lives in the database, not in the cache
        ask(spelling, ip=f"192.0.2.{n + 50}")
    assert len(mail.outbox) == 2
    assert PasswordResetRequest.objects.count() == 4  # four requests, two links
    assert AccountEvent.objects.filter(user=member.user, kind="reset_requested").count() == 2


def test_the_request_sends_no_mail_the_worker_does_once(client, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("membership:password_reset"), {"email": member.email})
    assert response.status_code == 302
    assert mail.outbox == []  # nothing left during the request
    row = PasswordResetRequest.objects.get()
    assert row.email == member.email and row.processed_at is None
    assert len(queued) == 1
    queued[0]()  # after commit: the task, eager as in every non-services test
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert RESET.search(mail.outbox[0].body)
    # Run twice (the broker delivered it again, the requeue raced it): still one e-mail.
    assert tasks.send_password_reset(row.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_an_unknown_address_takes_the_same_path_and_the_worker_sends_nothing(
        client, member, django_assert_num_queries, django_capture_on_commit_callbacks):
    answers = {}
    for address in ["personne@nulle-part.example.org", member.email]:
        with django_capture_on_commit_callbacks(execute=False) as queued:
            with django_assert_num_queries(1):  # the INSERT of the request, known address or not
                answers[address] = client.post(reverse("membership:password_reset"), {"email": address})
        assert len(queued) == 1
        assert mail.outbox == []  # the unknown one's worker sent nothing; the known one's has not run yet
        queued[0]()
    assert {r["Location"] for r in answers.values()} == {reverse("membership:password_reset_done")}
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert sorted(PasswordResetRequest.objects.values_list("email", "sent")) == [
        (member.email, 1), ("personne@nulle-part.example.org", 0)]


def test_a_slow_mail_server_does_not_hold_the_answer(client, member, django_capture_on_commit_callbacks):
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=AssertionError("sent in the request")):
        with django_capture_on_commit_callbacks(execute=False):
            response = client.post(reverse("membership:password_reset"), {"email": member.email})
    assert response.status_code == 302


def test_nothing_is_lost_when_the_broker_is_down(client, member, django_capture_on_commit_callbacks):
    with mock.patch("core.queue.publish_all", return_value=0):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("membership:password_reset"), {"email": member.email})
    assert mail.outbox == [] and PasswordResetRequest.objects.get().processed_at is None
    assert tasks.requeue_password_resets(older_than_seconds=0) == 1
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert PasswordResetRequest.objects.get().processed_at is not None
    assert resets.password_resets_requeue(older_than_seconds=0) == 0


def test_a_request_older_than_a_link_is_not_sent_late(member, settings):
    row = resets.password_reset_request(email=member.email, client_ip="192.0.2.1")
    settings.PASSWORD_RESET_TIMEOUT = -1
    assert resets.password_reset_send(request_id=row.pk) == "nothing to send"
    assert mail.outbox == []


def test_requests_are_forgotten_after_a_day(member):
    row = resets.password_reset_request(email=member.email, client_ip="192.0.2.1")
    PasswordResetRequest.objects.filter(pk=row.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    resets.password_resets_requeue()
    assert not PasswordResetRequest.objects.exists()


def test_reset_and_slowdown_tasks_are_registered_and_in_the_beat_schedule():
    scheduled = {e["task"] for e in beat_schedule.values()}
    assert {"membership.accounts.tasks.requeue_password_resets",
            "membership.accounts.tasks.forget_old_login_failures"} <= scheduled
    # Registered when Django starts (MembershipConfig.ready), so the request can queue them by name.
    assert {"membership.accounts.tasks.send_password_reset", "membership.accounts.tasks.requeue_password_resets",
            "membership.accounts.tasks.forget_old_login_failures"} <= set(current_app.tasks)
