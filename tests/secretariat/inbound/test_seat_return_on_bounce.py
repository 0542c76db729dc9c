"""M3: the invitation of a deputy who holds a delegated seat bounces: the seat goes back to the titular."""

import pytest
from django.core import mail

from secretariat.answers import answer_record
from secretariat.inbound.services import inbound_process
from secretariat.models import Invitation
from secretariat.selectors import rsvp_summary
from tests.secretariat.inbound.conftest import message

pytestmark = pytest.mark.django_db


def test_rule_M3_a_bounced_deputy_gives_the_delegated_seat_back_to_the_titular(
        world, django_capture_on_commit_callbacks):
    titular = world.invitation("eloise.obriain@irlande.example")
    with django_capture_on_commit_callbacks(execute=True):
        answer_record(invitation=titular, answer="delegated", channel="link")
    deputy = world.invitation("aodhan.kelly@irlande.example")
    assert deputy.delegated_from_id == titular.pk
    mail.outbox.clear()
    raw = message("dsn_5_1_1_user_unknown.eml", INVITATION_ID=deputy.pk).replace(
        b"ursula.eichel@giz.example", b"aodhan.kelly@irlande.example")
    with django_capture_on_commit_callbacks(execute=True):
        processed = inbound_process(raw=raw)
    assert processed.outcome == "bounce"
    titular.refresh_from_db()
    assert (titular.rsvp, titular.delegated_to) == ("none", None)
    assert Invitation.objects.get(pk=deputy.pk).state == Invitation.State.BOUNCED
    [told] = mail.outbox
    assert told.to == ["eloise.obriain@irlande.example"] and "n’a pas pu être remise" in told.body
    assert rsvp_summary([world.meeting.pk])[world.meeting.pk]["uncovered"] == 1
