"""An activation link opens only the account it was made for: never a look-alike's, never a privileged account,
never one someone uses; the address of a login is matched by its key everywhere (login, reset, invitations)."""

import logging

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, User
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from membership.accounts import services
from membership.accounts.forms import ThrottledPasswordResetForm
from membership.accounts.models import AccountEvent
from membership.importer import import_directory
from membership.models import Person
from membership.roles import SECRETARIAT_GROUP
from tests.accounts.helpers import issue_link, links_by_address
from tests.factories import InstitutionFactory, MandateFactory, PartnerFactory, PersonFactory
from tests.membership.import_factories import MEMBER_COLUMNS, member, write_csv

pytestmark = pytest.mark.django_db
PASSWORD = "Baobab-de-Ségou-2026"
SEG_PASSWORD = "seg-Password-de-Kayes-2026"
SEG_ADDRESS = "nouveau.seg@ptf-mali.example.org"
DOTLESS = "nouveau.seg@ptf-mal\u0131.example.org"  # "ı", U+0131: PostgreSQL's UPPER() folds it to "I"


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seg_account(db):
    """A new secretariat member who has not linked a Person (the SEG is not in the directory)."""
    user = User.objects.create_user("nouveau.seg", SEG_ADDRESS, SEG_PASSWORD, first_name="Nouveau", last_name="SEG")
    user.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)
    return user


def _snapshot(user):
    user = User.objects.get(pk=user.pk)
    return (user.password, user.email, user.is_active,
            list(TOTPDevice.objects.filter(user=user).values_list("key", "confirmed")))


def _person(email, **extra):
    mali = PartnerFactory(name="Mali-Partenaires")
    person = PersonFactory(email=email, first_name="Intrus", last_name="Malin",
                           institution=InstitutionFactory(partner=mali), **extra)
    MandateFactory(person=person)
    return person


def _open_link(client, link, password=PASSWORD):
    client.get(link)
    return client.post(reverse("membership:activate_password"), {"new_password1": password,
                                                                 "new_password2": password})


def _takeover_through_the_access_page(client, secretariat_user, seg_account, commit, caplog):
    """Import refused; the person then entered otherwise; invited from "Accès au portail"; the link opened."""
    before = _snapshot(seg_account)
    person = _person(DOTLESS)
    client.force_login(secretariat_user)
    with commit(execute=True):
        response = client.post(reverse("membership:access_invite"), {"people": [person.pk], "scope": "selected"})
    assert response.status_code == 302
    client.logout()
    assert [m.to for m in mail.outbox] == [[DOTLESS]], [(m.to, m.body[:300]) for m in mail.outbox]
    link = links_by_address()[DOTLESS.lower()]
    with caplog.at_level(logging.WARNING, logger="ptf.security"):
        response = _open_link(client, link)
    assert response.status_code == 200 and "link-invalid" in response.content.decode()
    assert _snapshot(seg_account) == before  # password, e-mail and second factor untouched
    assert authenticate(username=SEG_ADDRESS, password=SEG_PASSWORD) == seg_account
    assert authenticate(username=DOTLESS, password=PASSWORD) is None
    person.refresh_from_db()
    assert person.user is None
    assert "account link refused" in caplog.text and "nouveau.seg" in caplog.text
    refused = AccountEvent.objects.filter(kind=AccountEvent.Kind.LINK_REFUSED, person=person, user=seg_account)
    assert refused.exists()
    return person


@pytest.mark.services
def test_dotless_i_takeover_end_to_end_on_postgresql(client, postgres_database, tmp_path, secretariat_user,
                                                     seg_account, commit, caplog):
    from django.db import connection

    from ptf_portal.celery import app

    app.conf.task_always_eager = True  # the database is what is tested here, not the broker (restored after)

    with connection.cursor() as cursor:  # the database indeed calls the two addresses one
        cursor.execute("SELECT UPPER(%s) = UPPER(%s)", [DOTLESS, SEG_ADDRESS])
        assert cursor.fetchone()[0] is True
    # The import refuses the look-alike of a secretariat domain, with its line.
    result = import_directory(members=write_csv(tmp_path / "members.csv", [member(DOTLESS)], MEMBER_COLUMNS))
    assert [(e.line, e.column) for e in result.errors] == [(2, "email")]
    assert not Person.objects.exists()
    # Entered otherwise (a path that skips the directory's checks): the link still opens nothing.
    _takeover_through_the_access_page(client, secretariat_user, seg_account, commit, caplog)


def test_dotless_i_takeover_is_refused_and_logged(client, secretariat_user, seg_account, commit, caplog):
    _takeover_through_the_access_page(client, secretariat_user, seg_account, commit, caplog)


def test_account_for_never_hands_a_privileged_account_with_the_same_address(seg_account):
    person = _person(SEG_ADDRESS.upper())
    with pytest.raises(services.AccountLinkRefused) as refused:
        services.account_for(person)
    assert refused.value.account == seg_account


@pytest.mark.parametrize("privilege", ["is_staff", "is_superuser"])
def test_account_for_never_hands_a_staff_or_superuser_account(client, privilege):
    admin = User.objects.create_user("admin", "admin@ptf-mali.example.org", **{privilege: True})
    admin.set_unusable_password()
    admin.save()
    person = _person("Admin@PTF-Mali.example.org")
    response = _open_link(client, f"/people/access/activate/{issue_link(person)}/")
    assert "link-invalid" in response.content.decode()
    admin.refresh_from_db()
    assert admin.email == "admin@ptf-mali.example.org" and not admin.has_usable_password()
    assert Person.objects.get(pk=person.pk).user is None


def test_account_for_never_hands_an_account_someone_uses(client):
    used = User.objects.create_user("ami", "ami@ptf-mali.example.org", "their-own-password-123")
    person = _person("AMI@ptf-mali.example.org")
    response = _open_link(client, f"/people/access/activate/{issue_link(person)}/")
    assert "link-invalid" in response.content.decode()
    assert User.objects.get(pk=used.pk).check_password("their-own-password-123")


def test_account_for_links_an_ordinary_unused_account_with_exactly_the_address_without_changing_its_email(
        client, commit):
    unused = User.objects.create_user("prepared", "Awa.Diarra@ptf-mali.example.org")  # no password yet
    person = _person("awa.diarra@PTF-Mali.example.org")
    with commit(execute=True):
        response = _open_link(client, f"/people/access/activate/{issue_link(person)}/")
    assert response.status_code == 302
    person.refresh_from_db()
    unused.refresh_from_db()
    assert person.user == unused and unused.check_password(PASSWORD)
    assert unused.email == "Awa.Diarra@ptf-mali.example.org"  # never overwritten by a link
    assert AccountEvent.objects.filter(kind=AccountEvent.Kind.LINKED, person=person, user=unused).exists()
    assert [m.to for m in mail.outbox] == [["Awa.Diarra@ptf-mali.example.org"]]  # told to the account's address


def test_account_for_a_lookalike_address_with_no_privileged_twin_gets_its_own_new_account(client):
    ordinary = User.objects.create_user("voisin", SEG_ADDRESS)  # an ordinary, unused account
    person = _person(DOTLESS)
    response = _open_link(client, f"/people/access/activate/{issue_link(person)}/")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.user != ordinary and person.user.email == "nouveau.seg@xn--ptf-mal-xfb.example.org"
    assert not User.objects.get(pk=ordinary.pk).has_usable_password()


def test_login_by_email_matches_by_key_never_a_lookalike(seg_account):
    assert authenticate(username="Nouveau.SEG@PTF-Mali.example.org", password=SEG_PASSWORD) == seg_account
    assert authenticate(username=DOTLESS, password=SEG_PASSWORD) is None
    assert authenticate(username="nouveau.seg@ptf-m\u0430li.example.org", password=SEG_PASSWORD) is None


def test_password_reset_matches_by_key_never_a_lookalike(seg_account):
    form = ThrottledPasswordResetForm()
    assert list(form.get_users("NOUVEAU.SEG@ptf-mali.example.org")) == [seg_account]
    assert list(form.get_users(DOTLESS)) == []


def test_secretariat_member_add_finds_the_account_by_key_only(seg_account, secretariat_user):
    user, _invitation = services.secretariat_member_add(email=DOTLESS, first_name="X", last_name="Y",
                                                        by_user=secretariat_user)
    assert user != seg_account and user.email == "nouveau.seg@xn--ptf-mal-xfb.example.org"


def test_account_for_a_link_opens_nothing_once_the_person_s_login_changed_since_it_was_sent(client, seg_account):
    person = _person("fatou.diallo@enabel.example")
    link = f"/people/access/activate/{issue_link(person)}/"  # made for a new account
    before = _snapshot(seg_account)
    person.user = seg_account  # later, the admin links another account (say, by mistake)
    person.save()
    response = _open_link(client, link)
    assert "link-invalid" in response.content.decode()
    assert _snapshot(seg_account) == before
    assert AccountEvent.objects.filter(kind=AccountEvent.Kind.LINK_REFUSED, person=person).exists()
