"""Changing who a login belongs to is a security event (log, audit page, notice to the previous address), and a
disabled account's sessions end on every path that disables it."""

import logging

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from membership.accounts import services
from membership.accounts.models import AccountEvent
from tests.factories import InstitutionFactory, MandateFactory, PartnerFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", "root@ptf-mali.example.org", "root-password-123")


@pytest.fixture
def root_client(root):
    client = Client()
    client.force_login(root)
    return client


@pytest.fixture
def aissata(db):
    return PersonFactory(first_name="Aïssata", last_name="Keïta", email="aissata.keita@enabel.example",
                         institution=InstitutionFactory(partner=PartnerFactory(name="Belgique")))


def _person_post(person, user):
    return {"last_name": person.last_name, "first_name": person.first_name, "email": person.email,
            "function": person.function, "institution": person.institution_id, "language": person.language,
            "user": user.pk if user else "", "mandates-TOTAL_FORMS": 0, "mandates-INITIAL_FORMS": 0,
            "mandates-MIN_NUM_FORMS": 0, "mandates-MAX_NUM_FORMS": 1000}


def _user_post(user, **changes):
    data = {"username": user.username, "email": user.email, "first_name": user.first_name,
            "last_name": user.last_name, "is_active": "on" if user.is_active else "",
            "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00", "initial-date_joined_0": "2026-01-01",
            "initial-date_joined_1": "09:00:00"}
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_login_link_change_in_the_person_admin_is_logged_audited_and_told_to_both_addresses(
        root_client, root, aissata, commit, caplog):
    old = User.objects.create_user("ancien", "ancien.compte@enabel.example", "old-password-123")
    new = User.objects.create_user("nouveau", "nouveau.compte@enabel.example", "new-password-123")
    aissata.user = old
    aissata.save()
    url = reverse("admin:membership_person_change", args=[aissata.pk])
    with caplog.at_level(logging.WARNING, logger="ptf.security"), commit(execute=True):
        response = root_client.post(url, _person_post(aissata, new))
    assert response.status_code == 302, response.content.decode()[:1500]
    assert "login unlinked user=ancien" in caplog.text and "login linked user=nouveau" in caplog.text
    kinds = set(AccountEvent.objects.filter(person=aissata).values_list("kind", "user__username"))
    assert kinds == {("unlinked", "ancien"), ("linked", "nouveau")}
    notices = {m.to[0]: m for m in mail.outbox}
    assert set(notices) == {"ancien.compte@enabel.example", "nouveau.compte@enabel.example"}
    assert "n'est plus le compte d'Aïssata Keïta" in notices["ancien.compte@enabel.example"].body
    assert "est désormais le compte d'Aïssata Keïta" in notices["nouveau.compte@enabel.example"].body
    audit = root_client.get(reverse("audit"), {"model": "accountevent"}, HTTP_ACCEPT_LANGUAGE="fr")
    labels = [e.label for e in audit.context["entries"]]
    assert any("accès retiré à une personne" in label for label in labels)
    assert any("accès attribué à une personne" in label for label in labels)


def test_login_email_change_in_the_user_admin_is_logged_audited_and_told_to_the_previous_address(
        root_client, aissata, commit, caplog):
    user = User.objects.create_user("aissata", "aissata.keita@enabel.example", "her-password-123",
                                    first_name="Aïssata", last_name="Keïta")
    aissata.user = user
    aissata.save()
    url = reverse("admin:auth_user_change", args=[user.pk])
    with caplog.at_level(logging.WARNING, logger="ptf.security"), commit(execute=True):
        response = root_client.post(url, _user_post(user, email="attaquant@example.net"))
    assert response.status_code == 302, response.content.decode()[:1500]
    assert "login e-mail changed user=aissata from=aissata.keita@enabel.example to=attaquant@example.net" in \
        caplog.text
    event = AccountEvent.objects.get(kind=AccountEvent.Kind.EMAIL_CHANGED)
    assert (event.user, event.person, event.reason) == (user, aissata,
                                                         "aissata.keita@enabel.example → attaquant@example.net")
    assert [m.to for m in mail.outbox] == [["aissata.keita@enabel.example"]]
    assert "attaquant@example.net" in mail.outbox[0].body and "Avis de sécurité" in mail.outbox[0].subject
    audit = root_client.get(reverse("audit"), {"model": "accountevent"}, HTTP_ACCEPT_LANGUAGE="fr")
    entry = next(e for e in audit.context["entries"] if "adresse de connexion modifiée" in e.label)
    assert entry.reason == "aissata.keita@enabel.example → attaquant@example.net"


# -- sessions end with the account ---------------------------------------------------------------------------------

def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get(reverse("secretariat:my_invitations")).status_code == 200
    return client


def _member():
    person = PersonFactory(email="moussa.kone@afd.example")
    MandateFactory(person=person)
    person.user = User.objects.create_user("moussa", person.email, "his-password-123")
    person.save()
    return person.user


def _works_again_after_enabling(user, client) -> bool:
    User.objects.filter(pk=user.pk).update(is_active=True)
    return client.get(reverse("secretariat:my_invitations")).status_code == 200


def test_disable_from_the_admin_user_page_deletes_the_account_s_sessions(root_client, commit):
    user = _member()
    client = _signed_in(user)
    other = _signed_in(User.objects.create_user("autre", "autre@afd.example", "other-password-123"))
    with commit(execute=True):
        response = root_client.post(reverse("admin:auth_user_change", args=[user.pk]), _user_post(user, is_active=""))
    assert response.status_code == 302, response.content.decode()[:1500]
    assert not User.objects.get(pk=user.pk).is_active
    assert AccountEvent.objects.filter(kind=AccountEvent.Kind.DISABLED, user=user).exists()
    assert not _works_again_after_enabling(user, client)  # the old cookie is gone for good
    assert other.get(reverse("secretariat:my_invitations")).status_code == 200  # nobody else's
    assert Session.objects.count() == 2  # the admin's and the other member's


def test_disable_through_the_service_deletes_the_sessions(root, commit):
    user = _member()
    client = _signed_in(user)
    with commit(execute=True):
        services.account_disable(user=user, by_user=root, reason="départ")
    assert not _works_again_after_enabling(user, client)


def test_disable_of_a_lapsed_account_deletes_the_sessions(commit):
    import datetime

    user = _member()
    client = _signed_in(user)
    person = user.person
    person.mandates.update(end=datetime.date(2026, 1, 31))
    with commit(execute=True):
        disabled = services.accounts_disable_lapsed(today=datetime.date(2026, 12, 7), grace_days=30)
    assert disabled == [user]
    assert not _works_again_after_enabling(user, client)


def test_disable_without_it_the_cookie_would_work_again(commit):
    # What the deletion prevents: the same session, once the account is enabled again, signs in as before.
    user = _member()
    client = _signed_in(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(reverse("secretariat:my_invitations")).status_code != 200
    assert _works_again_after_enabling(user, client)
