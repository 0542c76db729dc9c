"""Password reset from the login page: same answer for every address, throttled, single-use, short-lived."""

import logging

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from membership.accounts.models import AccountEvent
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


def ask(client, email, ip="192.0.2.10"):
    return client.post(reverse("membership:password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_login_page_offers_the_reset(client):
    html = client.get(reverse("login")).content.decode()
    assert reverse("membership:password_reset") in html and "Mot de passe oublié" in html


def test_same_answer_whether_or_not_the_address_exists(client, member):
    known, unknown = ask(client, member.email.upper()), ask(client, "personne@nulle-part.example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("membership:password_reset_done")
    assert [m.to for m in mail.outbox] == [[member.email]]
    # In the person's language.
    assert "Choose it by following this link" in mail.outbox[0].body


def test_reset_sets_a_new_password_once(client, member, caplog):
    caplog.set_level(logging.DEBUG)
    ask(client, member.email)
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
def test_expired_and_altered_reset_links_get_a_clear_page_and_change_nothing(client, member, settings, spoil):
    ask(client, member.email)
    link = RESET.search(mail.outbox[0].body).group(0)
    if spoil == "expired":
        settings.PASSWORD_RESET_TIMEOUT = -1
    else:
        link = link[:-4] + "zzz/"
    password = User.objects.get(pk=member.user_id).password
    response = client.get(link, follow=True)
    assert response.status_code == 200 and "link-invalid" in response.content.decode()
    assert User.objects.get(pk=member.user_id).password == password


def test_disabled_accounts_get_no_reset(client, member):
    User.objects.filter(pk=member.user_id).update(is_active=False)
    assert ask(client, member.email).status_code == 302
    assert mail.outbox == []


def test_a_link_sent_before_the_account_was_disabled_no_longer_works(client, member):
    ask(client, member.email)
    link = RESET.search(mail.outbox[0].body).group(0)
    User.objects.filter(pk=member.user_id).update(is_active=False)
    response = client.get(link, follow=True)
    assert "link-invalid" in response.content.decode()


def test_requests_are_throttled_per_address(client, member, settings):
    settings.PASSWORD_RESET_PER_ADDRESS = 2
    answers = [ask(client, member.email, ip=f"192.0.2.{n}") for n in range(4)]
    assert {a["Location"] for a in answers} == {reverse("membership:password_reset_done")}
    assert len(mail.outbox) == 2


def test_requests_are_throttled_per_ip(client, settings):
    settings.PASSWORD_RESET_PER_IP = 3
    people = []
    for n in range(5):
        person = PersonFactory(email=f"expert{n}@banque-mondiale.example.org")
        person.user = User.objects.create_user(person.email, person.email, OLD)
        person.save()
        people.append(person)
    for person in people:
        ask(client, person.email, ip="198.51.100.7")
    assert len(mail.outbox) == 3
    ask(client, people[4].email, ip="198.51.100.8")
    assert len(mail.outbox) == 4
