"""Portal access: the SEG invites people of the directory, each opens their account with a single-use link."""

import datetime
import io
import logging

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from membership.accounts import services
from membership.accounts.models import AccountEvent, AccountInvitation
from membership.accounts.tokens import token_digest
from membership.models import Mandate, Person
from tests.accounts.directory import import_realistic_directory
from tests.accounts.helpers import ACTIVATION, issue_link, links_by_address
from tests.factories import MandateFactory, PersonFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Baobab-de-Ségou-2026"


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def directory(tmp_path):
    import_realistic_directory(tmp_path)
    return Person.objects.all()


def gec_people():
    today = timezone.localdate()
    return Person.objects.filter(mandates__in=Mandate.objects.active_on(today).filter(instance__code="GEC")).distinct()


def _invite_gec_from_page(client, secretariat_user, commit):
    client.force_login(secretariat_user)
    with commit(execute=True):
        return client.post(reverse("membership:access_invite"), {"instance": "GEC", "scope": "shown"})


def test_secretariat_invites_the_gec_from_the_access_page(client, secretariat_user, directory, commit):
    response = _invite_gec_from_page(client, secretariat_user, commit)
    assert response.status_code == 302
    gec = set(gec_people().values_list("email", flat=True))
    assert len(gec) == 60
    assert {m.to[0] for m in mail.outbox} == gec
    assert AccountInvitation.objects.filter(sent_at__isnull=False).count() == 60
    assert AccountEvent.objects.filter(kind="invited").count() == 60
    page = client.get(reverse("membership:access"), {"instance": "GEC", "state": "invited"})
    assert page.context["people"].paginator.count == 60  # fifty a page


def test_invitation_is_in_the_persons_language_and_stores_only_a_digest(directory, commit):
    english = gec_people().filter(language="en").first()
    french = gec_people().filter(language="fr").first()
    with commit(execute=True):
        services.people_invite(people=[english, french])
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "Choose your password" in by_address[english.email].body
    assert "Choisissez votre mot de passe" in by_address[french.email].body
    assert "Ségou" not in by_address[french.email].body
    token = ACTIVATION.search(by_address[french.email].body).group(1)
    invitation = AccountInvitation.objects.get(person=french)
    assert invitation.token_hash == token_digest(token) and token not in invitation.token_hash
    assert invitation.expires_at - invitation.sent_at == datetime.timedelta(days=3)


def test_invitation_days_is_a_setting(directory, settings, commit):
    settings.ACCOUNT_INVITATION_DAYS = 7
    person = gec_people().first()
    with commit(execute=True):
        services.people_invite(people=[person])
    invitation = AccountInvitation.objects.get(person=person)
    assert invitation.expires_at - invitation.sent_at == datetime.timedelta(days=7)


def test_reinviting_replaces_the_old_link(client, directory, commit):
    person = gec_people().first()
    with commit(execute=True):
        services.people_invite(people=[person])
    with commit(execute=True):
        services.people_invite(people=[person])
    first, second = [ACTIVATION.search(m.body).group(0) for m in mail.outbox]
    assert first != second
    old = client.get(first)
    assert old.status_code == 200 and "no longer valid" in old.content.decode() or "plus valable" in old.content.decode()
    assert client.get(second).status_code == 302
    assert AccountInvitation.objects.filter(person=person, replaced_at__isnull=True).count() == 1


def test_opening_the_link_sets_the_password_links_the_person_and_signs_in_by_email(client, directory, commit):
    person = gec_people().first()
    with commit(execute=True):
        services.people_invite(people=[person])
    link = links_by_address()[person.email.lower()]
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == reverse("membership:activate_password")
    response = client.post(reverse("membership:activate_password"),
                           {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302 and reverse("login") in response["Location"]
    person.refresh_from_db()
    assert person.user is not None and person.user.email == person.email
    # The login is the e-mail address, in any case, and the first sign-in lands on "My invitations".
    response = client.post(reverse("login") + "?next=" + reverse("secretariat:my_invitations"),
                           {"username": person.email.upper(), "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("secretariat:my_invitations")
    assert AccountEvent.objects.filter(kind="activated", person=person).exists()
    # The link was single-use.
    client.logout()
    again = client.get(link)
    assert again.status_code == 200 and "link-invalid" in again.content.decode()


def test_password_validators_apply_to_the_chosen_password(client, directory):
    person = gec_people().first()
    client.get(reverse("membership:activate", kwargs={"token": issue_link(person)}))
    response = client.post(reverse("membership:activate_password"), {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200 and response.context["form"].errors
    person.refresh_from_db()
    assert person.user is None


@pytest.mark.parametrize("spoil", ["expired", "reused", "altered", "replaced"])
def test_bad_activation_links_get_a_clear_page_and_change_nothing(client, directory, spoil, raw_client_factory):
    person = gec_people().first()
    token = issue_link(person)
    if spoil == "expired":
        AccountInvitation.objects.filter(person=person).update(expires_at=timezone.now() - datetime.timedelta(1))
    elif spoil == "reused":
        services.invitation_accept(invitation=AccountInvitation.objects.get(person=person), password=PASSWORD)
    elif spoil == "altered":
        token = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    elif spoil == "replaced":
        issue_link(person)
    before = (list(User.objects.values_list("pk", "password", "is_active")),
              list(AccountInvitation.objects.values_list("pk", "used_at", "replaced_at")))
    raw = raw_client_factory()
    response = raw.get(reverse("membership:activate", kwargs={"token": token}))
    assert response.status_code == 200
    assert "link-invalid" in response.content.decode()
    posted = raw.post(reverse("membership:activate_password"), {"new_password1": "Another-pass-2026x",
                                                                "new_password2": "Another-pass-2026x"})
    assert posted.status_code == 200 and "link-invalid" in posted.content.decode()
    after = (list(User.objects.values_list("pk", "password", "is_active")),
             list(AccountInvitation.objects.values_list("pk", "used_at", "replaced_at")))
    assert before == after


def test_an_expired_link_opened_before_it_expired_still_refuses_at_submit(client, directory):
    person = gec_people().first()
    client.get(reverse("membership:activate", kwargs={"token": issue_link(person)}))
    AccountInvitation.objects.filter(person=person).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post(reverse("membership:activate_password"), {"new_password1": PASSWORD,
                                                                     "new_password2": PASSWORD})
    assert "link-invalid" in response.content.decode()
    assert Person.objects.get(pk=person.pk).user is None


def test_links_never_reach_the_logs(client, directory, caplog, commit):
    caplog.set_level(logging.DEBUG)
    person = gec_people().first()
    with commit(execute=True):
        services.people_invite(people=[person])
    token = ACTIVATION.search(mail.outbox[0].body).group(1)
    client.get(reverse("membership:activate", kwargs={"token": token}))
    client.post(reverse("membership:activate_password"), {"new_password1": PASSWORD, "new_password2": PASSWORD})
    client.get(reverse("membership:activate", kwargs={"token": token}))  # used: the invalid page
    assert "account invitation sent" in caplog.text and "account activated" in caplog.text
    assert token not in caplog.text


def test_invite_skips_active_no_mandate_and_disabled(directory):
    active, disabled = list(gec_people()[:2])
    for person, is_active in ((active, True), (disabled, False)):
        person.user = User.objects.create_user(person.email.lower(), person.email, PASSWORD, is_active=is_active)
        person.save()
    former = Person.objects.exclude(pk__in=Mandate.objects.active_on(timezone.localdate()).values("person")).first()
    result = services.people_invite(people=[active, disabled, former])
    assert result.invited == [] and dict(result.skipped) == {"active": 1, "disabled": 1, "no_mandate": 1}
    assert mail.outbox == []


def test_invite_people_command(directory, commit):
    out = io.StringIO()
    call_command("invite_people", "--instance", "GEC", "--dry-run", stdout=out)
    assert out.getvalue().splitlines()[-1] == "invited=60 skipped=0"
    assert mail.outbox == [] and not AccountInvitation.objects.exists()
    out = io.StringIO()
    with commit(execute=True):
        call_command("invite_people", "--partner", "belgique", stdout=out)
    # Belgium: GEC titular and deputy, an ambassador in the GA, a GT-SANTE expert and binôme, a former deputy.
    assert out.getvalue().splitlines()[-1] == "invited=5 skipped=1"
    assert len(mail.outbox) == 5
    out = io.StringIO()
    call_command("invite_people", "--without-account", stdout=out)
    assert out.getvalue().splitlines()[-1] == "invited=70 skipped=3"


def test_invite_people_command_rejects_an_unknown_instance(directory):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="XYZ"):
        call_command("invite_people", "--instance", "XYZ")


def test_access_page_shows_each_state(client, secretariat_user, directory, commit):
    people = list(gec_people()[:4])
    with commit(execute=True):
        services.people_invite(people=people[:3])
    services.invitation_accept(invitation=AccountInvitation.objects.get(person=people[0]), password=PASSWORD)
    AccountInvitation.objects.filter(person=people[1]).update(expires_at=timezone.now() - datetime.timedelta(1))
    client.force_login(secretariat_user)
    every_page = client.get(reverse("membership:access")).context["people"].paginator.object_list
    states = {p.pk: p.account_state for p in every_page}
    assert [states[p.pk] for p in people] == ["active", "expired", "invited", "none"]
    only_none = client.get(reverse("membership:access"), {"state": "none", "partner": people[3].partner.pk})
    assert people[3] in only_none.context["people"].paginator.object_list and all(
        p.account_state == "none" for p in only_none.context["people"])


def _people(n):
    """n people in each state: with a mandate and an open invitation, active, disabled after their mandate."""
    for _ in range(n):
        invited, active, lapsed = PersonFactory(), PersonFactory(), PersonFactory()
        MandateFactory(person=invited, role="titular")
        services.invitation_open(person=invited)
        for person, is_active in ((active, True), (lapsed, False)):
            person.user = User.objects.create_user(f"u{person.pk}", person.email, PASSWORD, is_active=is_active)
            person.save()
        services.event_record(kind=AccountEvent.Kind.LAPSED, person=lapsed, since=datetime.date(2026, 1, 1))


def test_access_page_queries_do_not_grow_with_the_directory(client, secretariat_user):
    client.force_login(secretariat_user)
    _people(1)
    client.get(reverse("membership:access"))  # the session's first save
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("membership:access")).status_code == 200
    _people(4)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("membership:access")).status_code == 200
    # session, user, groups (is_secretariat), person_of, the people with their states (one query),
    # instances and partners of the filters, the navigation's person.
    assert len(large) == len(small)
    assert len(large.captured_queries) <= 10


def test_people_without_the_secretariat_role_cannot_invite(client, directory):
    person = gec_people().first()
    person.user = User.objects.create_user("rep", person.email, PASSWORD)
    person.save()
    client.force_login(person.user)
    assert client.post(reverse("membership:access_invite"), {"scope": "shown"}).status_code == 403
    assert not AccountInvitation.objects.exists()


def test_an_invitation_whose_email_never_left_is_sent_by_the_requeue(directory):
    person = gec_people().first()
    invitation = services.invitation_open(person=person)  # committed, but its message was lost
    AccountInvitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=10))
    assert services.invitations_requeue(older_than_seconds=300) == 1
    assert [m.to[0] for m in mail.outbox] == [person.email]
    assert services.invitations_requeue(older_than_seconds=300) == 0
