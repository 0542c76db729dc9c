"""The "Courrier entrant" page, the failed-address flags on the directory, and constant query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from membership.models import Person
from secretariat.inbound.models import InboundMessage
from secretariat.inbound.services import inbound_process
from tests.factories import UserFactory
from tests.secretariat.inbound.conftest import MESSAGES, message

pytestmark = pytest.mark.django_db


def process_all(world, copy: int = 0) -> None:
    ids = {"INVITATION_ID": world.invitation("ursula.eichel@giz.example").pk}
    for path in sorted(MESSAGES.glob("*.eml")):
        raw = message(path.name, **ids)
        if copy:  # another message of the same shape (another Message-ID)
            raw = raw.replace(b"Message-ID: <", f"Message-ID: <copy{copy}.".encode(), 1).replace(
                b"Message-Id: <", f"Message-Id: <copy{copy}.".encode(), 1)
        inbound_process(raw=raw)


def test_mailbox_lists_what_needs_the_secretariat(world, client, secretariat_user):
    process_all(world)
    client.force_login(secretariat_user)
    html = client.get(reverse("secretariat:mailbox")).content.decode()
    to_handle = html.split('id="to-handle"', 1)[1].split("</section>", 1)[0]
    counter = InboundMessage.objects.get(kind="counter")
    free_text = InboundMessage.objects.get(kind="free_text")
    assert f'id="inbound-{counter.pk}"' in to_handle and f'id="inbound-{free_text.pk}"' in to_handle
    with translation.override("fr"):
        assert counter.detail in to_handle  # with the proposed time
    assert "17 décembre 2026" in counter.detail or "17 December 2026" in counter.detail
    # The written reply links to the answers roster, on that message, to record the answer by hand.
    link = reverse("secretariat:answers", args=[world.meeting.pk]) + f"?inbound={free_text.pk}#on-behalf"
    assert link in to_handle and "Je serai présent" in to_handle
    # Refused and unmatched messages are listed too; recorded answers are not.
    assert 'data-kind="error"' in to_handle
    answered = InboundMessage.objects.filter(outcome="answer", needs_attention=False).first()
    assert f'id="inbound-{answered.pk}"' not in to_handle


def test_marking_a_message_handled_takes_it_off_the_list(world, client, secretariat_user):
    process_all(world)
    counter = InboundMessage.objects.get(kind="counter")
    client.force_login(secretariat_user)
    response = client.post(reverse("secretariat:mailbox_handled", args=[counter.pk]))
    assert response.status_code == 302
    counter.refresh_from_db()
    assert counter.handled_by == secretariat_user and counter.handled_at is not None
    html = client.get(reverse("secretariat:mailbox")).content.decode()
    assert f'id="inbound-{counter.pk}"' not in html.split('id="to-handle"', 1)[1].split("</section>", 1)[0]


def test_mailbox_page_query_count_is_constant(world, client, secretariat_user):
    client.force_login(secretariat_user)
    process_all(world)
    client.get(reverse("secretariat:mailbox"))  # warm the session and the caches
    with CaptureQueriesContext(connection) as once:
        assert client.get(reverse("secretariat:mailbox")).status_code == 200
    for copy in range(1, 5):
        process_all(world, copy)
    assert InboundMessage.objects.count() >= 5 * 20
    with CaptureQueriesContext(connection) as five_times:
        assert client.get(reverse("secretariat:mailbox")).status_code == 200
    # session + user + groups, then: messages to handle, recent messages, failed addresses.
    assert len(five_times) == len(once)


def test_failed_address_is_flagged_in_the_directory(world, client, secretariat_user):
    invitation = world.invitation("ursula.eichel@giz.example")
    inbound_process(raw=message("dsn_5_1_1_user_unknown.eml", INVITATION_ID=invitation.pk))
    client.force_login(secretariat_user)
    partner = invitation.person.institution.partner
    html = client.get(reverse("membership:partner", args=[partner.pk])).content.decode()
    row = html.split("Ursula Eichel", 1)[1].split("</tr>", 1)[0]
    with translation.override("fr"):
        assert "adresse en échec" in row
    html = client.get(reverse("directory:detail", args=["GEC"])).content.decode()
    assert "adresse en échec" in html.split("Ursula Eichel", 1)[1].split("</tr>", 1)[0]


def test_page_is_for_the_secretariat_only(world, client):
    client.force_login(UserFactory())
    assert client.get(reverse("secretariat:mailbox")).status_code == 403


def test_correcting_the_address_in_the_admin_clears_the_flag(world, client):
    invitation = world.invitation("ursula.eichel@giz.example")
    inbound_process(raw=message("dsn_5_1_1_user_unknown.eml", INVITATION_ID=invitation.pk))
    person = Person.objects.get(email="ursula.eichel@giz.example")
    admin_user = UserFactory(username="root-admin", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    url = reverse("admin:membership_person_change", args=[person.pk])
    response = client.post(url, {
        "last_name": person.last_name, "first_name": person.first_name, "email": "ursula.eichel@giz-mali.example",
        "function": person.function, "institution": person.institution_id, "language": person.language, "user": "",
        "mandates-TOTAL_FORMS": 0, "mandates-INITIAL_FORMS": 0, "mandates-MIN_NUM_FORMS": 0,
        "mandates-MAX_NUM_FORMS": 1000,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert (person.email, person.email_failed_at, person.email_failure) == ("ursula.eichel@giz-mali.example", None, "")


def test_recording_by_hand_opens_the_roster_on_that_person_with_the_message_beside_the_form(
        world, client, secretariat_user):
    processed = inbound_process(raw=message("free_text_present.eml"))
    invitation = world.invitation("yasmine.idrissi@bad.example")
    client.force_login(secretariat_user)
    url = reverse("secretariat:answers", args=[world.meeting.pk]) + f"?inbound={processed.message.pk}"
    html = client.get(url).content.decode()
    form = html.split('id="on-behalf"', 1)[1].split("</section>", 1)[0]
    assert f'<option value="{invitation.pk}" selected>' in form
    aside = form.split('id="inbound-source"', 1)[1].split("</aside>", 1)[0]
    assert "Je serai présent" in aside and "yasmine.idrissi@bad.example" in aside
    # Recording from there is the ordinary on-behalf answer.
    client.post(reverse("secretariat:answer_on_behalf", args=[world.meeting.pk]),
                {"invitation": invitation.pk, "answer": "attending", "note": "par courriel"})
    invitation.refresh_from_db()
    assert (invitation.rsvp, invitation.answer_channel, invitation.answered_by) == (
        "attending", "secretariat", secretariat_user)


def test_roster_shows_no_message_of_another_meeting(world, client, secretariat_user):
    processed = inbound_process(raw=message("free_text_present.eml"))
    InboundMessage.objects.filter(pk=processed.message.pk).update(meeting=world.cancelled)
    client.force_login(secretariat_user)
    url = reverse("secretariat:answers", args=[world.meeting.pk])
    html = client.get(url + f"?inbound={processed.message.pk}").content.decode()
    assert 'id="on-behalf"' in html and 'id="inbound-source"' not in html and "Je serai présent" not in html
    assert client.get(url + "?inbound=not-a-number").status_code == 200
