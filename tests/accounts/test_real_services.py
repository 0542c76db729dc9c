"""Account invitations through real Redis and a real Celery worker on PostgreSQL: each person gets one working link.

Run with DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis) and REQUIRE_SERVICES=1 to fail rather than skip.
"""

import email
import email.policy
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from membership.accounts import services
from membership.accounts.models import AccountInvitation, PasswordResetRequest
from tests.accounts.helpers import ACTIVATION, RESET
from tests.factories import MandateFactory, PersonFactory
from tests.secretariat.test_real_services import _gec, start_worker, wait_until
from tests.test_real_services import stop_worker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broker(redis_broker_url, postgres_database):
    from ptf_portal.celery import app

    app.control.purge()
    yield redis_broker_url
    app.control.purge()


# Django's file backend appends every message of a connection to one file, separated by this line (and two
# connections in the same second may share a file name).
SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def links_in(mail_dir: Path) -> dict[str, str]:
    links = {}
    for path in mail_dir.glob("*"):
        for raw in path.read_bytes().split(SEPARATOR):
            if not raw.strip():
                continue
            message = email.message_from_bytes(raw, policy=email.policy.default)
            body = message.get_body(preferencelist=("plain",)).get_content()
            links[message["To"]] = ACTIVATION.search(body).group(1)
    return links


def test_a_real_worker_sends_each_invitation_once_with_a_working_link(broker, tmp_path):
    gec = _gec()
    people = [PersonFactory(email=f"ines.ouattara{n}@ambassade-{n}.example.org", first_name="Inès") for n in range(6)]
    for person in people:
        MandateFactory(person=person, instance=gec, role="expert")
    result = services.people_invite(people=people)  # committed: queued in Redis after commit
    assert len(result.invited) == 6
    proc = start_worker(broker, tmp_path)
    try:
        done = wait_until(lambda: not AccountInvitation.objects.filter(sent_at__isnull=True).exists())
    finally:
        log = stop_worker(proc)
    assert done, log
    links = links_in(tmp_path)
    assert set(links) == {p.email for p in people}
    client = Client()
    response = client.get(reverse("membership:activate", kwargs={"token": links[people[0].email]}))
    assert response.status_code == 302


def test_a_real_worker_sends_the_password_reset_the_request_only_queued(broker, tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    person = PersonFactory(email="awa.traore@ambassade-1.example.org", first_name="Awa")
    person.user = User.objects.create_user(person.email, person.email, "Ancien-mot-de-passe-2026")
    person.save()
    response = Client().post(reverse("membership:password_reset"), {"email": person.email.upper()})
    assert response.status_code == 302
    assert list(tmp_path.glob("*")) == []  # nothing sent by the request
    assert PasswordResetRequest.objects.filter(processed_at__isnull=True).count() == 1
    proc = start_worker(broker, tmp_path)
    try:
        done = wait_until(lambda: not PasswordResetRequest.objects.filter(processed_at__isnull=True).exists())
    finally:
        log = stop_worker(proc)
    assert done, log
    messages = [email.message_from_bytes(raw, policy=email.policy.default) for path in tmp_path.glob("*")
                for raw in path.read_bytes().split(SEPARATOR) if raw.strip()]
    assert [m["To"] for m in messages] == [person.email]
    assert RESET.search(messages[0].get_body(preferencelist=("plain",)).get_content())
