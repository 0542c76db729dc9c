"""A4: a confidential agenda item is not spelled out in invitation e-mails or their .ics: "Point confidentiel —
voir le portail" with a link to the meeting's page, where the portal checks who may read it."""

import pytest
from django.conf import settings
from django.urls import reverse
from icalendar import Calendar

from meetings import services as meeting_services
from tests.factories import gec
from tests.secretariat.factories import meeting, partner, person, seat
from tests.secretariat.test_invitations import calendar_of, mail_to, send

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Négociation du cadre de sécurité au Nord"


def test_rule_A4_confidential_item_not_spelled_out_in_invitation_email_and_ics(django_capture_on_commit_callbacks):
    titular = person(partner("Éthiopie"), language="fr", last_name="Abebe")
    seat(titular, gec(), "titular")
    m = meeting(gec(), 30)
    meeting_services.agenda_item_add(meeting=m, title="Revue du portefeuille", category="policy_dialogue",
                                     expected_outcome="information")
    meeting_services.agenda_item_add(meeting=m, title=SECRET_TITLE, category="policy_dialogue",
                                     expected_outcome="information", confidential=True)
    meeting_services.meeting_propose_agenda(meeting=m)
    send(m, django_capture_on_commit_callbacks)
    message = mail_to(titular.email)
    [html] = [a.content for a in message.alternatives if a.mimetype == "text/html"]
    calendar, _ = calendar_of(message)
    [event] = calendar.walk("VEVENT")
    description = str(event.get("DESCRIPTION", ""))
    page = settings.SITE_URL + reverse("meetings:detail", args=[m.pk])
    for text in (message.body, html, description, message.subject):
        assert SECRET_TITLE not in text
    for text in (message.body, html, description):
        assert "Revue du portefeuille" in text  # the ordinary item is still there
        assert "Point confidentiel — voir le portail" in text
        assert page in text
    assert isinstance(Calendar.from_ical(message.attachments[0][1]), Calendar)
