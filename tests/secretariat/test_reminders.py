"""Reminders three days before a convened meeting: once per person, over one SMTP connection per batch, and a
reminder that cannot be sent is released for the next beat."""

import math

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from meetings.models import Meeting
from secretariat.models import Invitation
from secretariat.reminders import send_reminder_batch
from secretariat.tasks import send_reminders
from tests.factories import gec
from tests.secretariat.factories import gec_with_members, proposed

pytestmark = pytest.mark.django_db


class CountingBackend(EmailBackend):
    """locmem, counting the connections opened; refuses the addresses listed in `refused`."""

    opened = 0
    refused: set[str] = set()

    def open(self):
        type(self).opened += 1
        return super().open()

    def send_messages(self, messages):
        if any(address in self.refused for message in messages for address in message.to):
            raise OSError("550 mailbox unavailable")
        return super().send_messages(messages)


@pytest.fixture
def counting(settings):
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    CountingBackend.opened, CountingBackend.refused = 0, set()
    return CountingBackend


def _unanswered(n_partners, days=2):
    people = gec_with_members(gec(), n_partners)
    meeting = proposed(gec(), days=days)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CONVENED)
    for _partner, titular, deputy in people:
        for who, role in ((titular, "titular"), (deputy, "deputy")):
            Invitation.objects.create(meeting=meeting, person=who, email=who.email, name=str(who), partner="P",
                                      role=role, state=Invitation.State.SENT)
    return meeting


def test_reminders_go_out_once_each_over_one_connection_per_batch(counting, settings):
    settings.INVITATION_BATCH_SIZE = 15
    meeting = _unanswered(20)  # 40 people without an answer
    assert send_reminders() == 40
    assert len(mail.outbox) == 40
    assert len({m.to[0] for m in mail.outbox}) == 40
    assert counting.opened == math.ceil(40 / 15)
    rows = Invitation.objects.filter(meeting=meeting)
    assert not rows.filter(reminded_at__isnull=True).exists()
    assert set(rows.values_list("messages_sent", flat=True)) == {1}
    assert send_reminders() == 0 and len(mail.outbox) == 40  # once only


def test_a_reminder_that_cannot_be_sent_is_released_and_sent_at_the_next_beat(counting):
    meeting = _unanswered(3)
    refused = Invitation.objects.filter(meeting=meeting).order_by("pk")[1]
    counting.refused = {refused.email}
    send_reminders()
    assert len(mail.outbox) == 5 and refused.email not in {m.to[0] for m in mail.outbox}
    refused.refresh_from_db()
    assert refused.reminded_at is None and refused.messages_sent == 0
    counting.refused = set()
    assert send_reminders() == 1
    assert mail.outbox[-1].to == [refused.email]


def test_an_answer_given_after_the_beat_listed_the_person_is_respected(counting):
    meeting = _unanswered(1)
    ids = list(Invitation.objects.filter(meeting=meeting).values_list("pk", flat=True))
    Invitation.objects.filter(pk=ids[0]).update(rsvp=Invitation.Rsvp.ATTENDING)
    assert send_reminder_batch(ids) == 1
    assert [m.to[0] for m in mail.outbox] == [Invitation.objects.get(pk=ids[1]).email]
