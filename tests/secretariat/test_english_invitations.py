"""English readers: the calendar's ORGANIZER in the recipient's language, the meeting's code written once."""

import pytest
from icalendar import Calendar

from secretariat import services
from secretariat.emails import invitation_message
from secretariat.models import Invitation
from tests.factories import gec
from tests.secretariat.factories import proposed
from tests.secretariat.outbox_directory import directory

pytestmark = pytest.mark.django_db


def test_organizer_name_is_in_each_recipient_s_language_even_in_a_shared_batch(django_capture_on_commit_callbacks):
    directory(gec(), 1)  # the titular reads English, the deputy French
    meeting = proposed(gec())
    with django_capture_on_commit_callbacks(execute=False):
        services.invitations_send(meeting=meeting)
    shared, names = {}, {}
    for row in Invitation.objects.select_related("meeting__instance", "person").filter(meeting=meeting):
        calendar = Calendar.from_ical(invitation_message(row, shared=shared).attachments[0][1])
        [event] = calendar.walk("VEVENT")
        names[row.person.language] = str(event["organizer"].params["CN"])
    assert names == {"en": "PTF Secretariat / SEG", "fr": "Secrétariat PTF / SEG"}


def test_a_title_that_starts_with_the_code_is_not_prefixed_again():
    meeting = proposed(gec())
    meeting.title = "GEC — January 2027"
    assert meeting.heading == "GEC — January 2027"
    meeting.title = "Janvier 2027"
    assert meeting.heading == "GEC — Janvier 2027"
    meeting.title = "GECKO review"
    assert meeting.heading == "GEC — GECKO review"


def test_english_invitation_and_reminder_write_the_code_once_english_colons_and_no_numeric_date(
        django_capture_on_commit_callbacks):
    from secretariat.emails import reminder_message
    from tests.french.test_english_crawl import english_slips

    directory(gec(), 1)
    meeting = proposed(gec(), title="GEC — January 2027")
    with django_capture_on_commit_callbacks(execute=False):
        services.invitations_send(meeting=meeting)
    row = Invitation.objects.select_related("meeting__instance", "person").get(meeting=meeting, person__language="en")
    for message in (invitation_message(row), reminder_message(row)):
        assert "GEC — January 2027" in message.subject and "GEC — GEC" not in message.subject
        assert english_slips(message.subject) == []
        assert english_slips(message.body) == [], message.body
