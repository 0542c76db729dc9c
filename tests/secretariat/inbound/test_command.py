"""`process_mailbox --file`, end to end: what the issue's "done when" asks, on saved messages."""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from secretariat import services as secretariat_services
from secretariat.models import Invitation
from tests.secretariat.inbound.conftest import MESSAGES, message

pytestmark = pytest.mark.django_db
LINE = re.compile(r"^(?P<name>.+?): (?P<outcome>answer|bounce|auto-reply|ignored|unmatched|held|error) (?P<detail>.+)$")


def run(*paths) -> list[dict]:
    out = io.StringIO()
    args = []
    for path in paths:
        args += ["--file", str(path)]
    call_command("process_mailbox", *args, stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(paths)
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    return [m.groupdict() for m in parsed]


def saved(tmp_path, name, **values):
    path = tmp_path / name
    path.write_bytes(message(name, **values))
    return path


def roster_row(client, meeting, invitation) -> str:
    html = client.get(reverse("secretariat:answers", args=[meeting.pk])).content.decode()
    match = re.search(rf'<tr class="answer-row"[^>]*id="invitee-{invitation.pk}">(.*?)</tr>', html, re.S)
    assert match, f"no roster row for {invitation}"
    return match.group(0)


def test_accept_clicked_in_a_calendar_shows_in_the_roster_as_attending_through_the_calendar(
        world, client, secretariat_user, tmp_path):
    path = saved(tmp_path, "outlook_accepted.eml")
    [line] = run(path)
    assert (line["outcome"], line["name"]) == ("answer", str(path))
    invitation = world.invitation("ulrike.ostergaard@eeas.example")
    client.force_login(secretariat_user)
    row = roster_row(client, world.meeting, invitation)
    assert 'data-answer="attending"' in row
    with translation.override("fr"):
        assert escape(str(Invitation.Channel.CALENDAR.label)) in row


def test_bounce_of_a_dead_address_shows_on_the_dashboard(world, client, secretariat_user, tmp_path):
    invitation = world.invitation("ursula.eichel@giz.example")
    [line] = run(saved(tmp_path, "dsn_5_1_1_user_unknown.eml", INVITATION_ID=invitation.pk))
    assert line["outcome"] == "bounce"
    client.force_login(secretariat_user)
    html = client.get(reverse("secretariat:dashboard")).content.decode()
    panel = html.split('id="failed-addresses"', 1)[1].split("</section>", 1)[0]
    assert "Ursula Eichel" in panel and "ursula.eichel@giz.example" in panel
    with translation.override("fr"):
        assert "adresse en échec" in panel
    # The convened meeting's sending progress counts it apart, with a link to the roster's "not delivered".
    convening = html.split('id="convening"', 1)[1].split("</section>", 1)[0]
    assert 'class="badge err bounced"' in convening
    assert reverse("secretariat:answers", args=[world.meeting.pk]) + "?show=failed" in convening
    # And in the roster: the invitation is "bounced".
    assert 'data-answer="none"' in roster_row(client, world.meeting, invitation)
    assert Invitation.objects.get(pk=invitation.pk).state == Invitation.State.BOUNCED


def test_out_of_office_changes_nothing_in_the_answers(world, tmp_path, client, secretariat_user):
    invitation = world.invitation("eric.andrieu@enabel.example")
    before = list(Invitation.objects.order_by("pk").values_list("pk", "rsvp", "answer_channel", "state"))
    [line] = run(saved(tmp_path, "ooo_fr_exchange.eml", INVITATION_ID=invitation.pk))
    assert line["outcome"] == "auto-reply"
    assert list(Invitation.objects.order_by("pk").values_list("pk", "rsvp", "answer_channel", "state")) == before
    client.force_login(secretariat_user)
    row = roster_row(client, world.meeting, invitation)
    assert 'data-answer="none"' in row
    with translation.override("fr"):
        assert escape(gettext("out of office")) in row


def test_reply_to_an_earlier_version_is_marked_in_the_roster(world, client, secretariat_user, tmp_path):
    meeting = world.meeting
    secretariat_services.meeting_reschedule_and_notify(
        meeting=meeting, start=meeting.start + datetime.timedelta(hours=1), end=meeting.end + datetime.timedelta(hours=1))
    [line] = run(saved(tmp_path, "stale_sequence_declined.eml"))
    assert line["outcome"] == "answer"
    client.force_login(secretariat_user)
    row = roster_row(client, meeting, world.invitation("inigo.alvarez@aecid.example"))
    assert 'data-answer="declined"' in row
    with translation.override("fr"):
        assert escape(gettext("answered an earlier version")) in row


def test_every_fixture_gets_one_line_with_its_outcome(world, tmp_path):
    ids = {"INVITATION_ID": world.invitation("amal.almansouri@uae-aid.example").pk}
    paths = [saved(tmp_path, path.name, **ids) for path in sorted(MESSAGES.glob("*.eml"))]
    outcomes = {p["name"].rsplit("/", 1)[-1]: p["outcome"] for p in run(*paths)}
    assert outcomes["gmail_accepted.eml"] == "answer"
    # A bounce that names no message the portal sent (only the failed address): held, nothing changed.
    assert outcomes["exim_bounce_no_report.eml"] == "held"
    # This report names Amal's message but Ursula's address failed: not proven either.
    assert outcomes["dsn_5_1_1_user_unknown.eml"] == "held"
    assert outcomes["autoreply_precedence.eml"] == "auto-reply"
    assert outcomes["unknown_uid.eml"] == "unmatched"
    assert outcomes["outlook_counter.eml"] == "ignored"
    assert outcomes["broken_calendar.eml"] == "error"
    # Twice: the second run changes nothing and says so.
    assert {p["outcome"] for p in run(*paths)} == {"ignored"}


def test_unauthenticated_reply_is_printed_held_with_its_reason(world, tmp_path):
    """As stored, without the secretariat's server's Authentication-Results nor a DKIM signature."""
    path = tmp_path / "gmail_accepted.eml"
    path.write_bytes(message("gmail_accepted.eml", authenticated=False))
    with translation.override("en"):
        [line] = run(path)
    assert line["outcome"] == "held"
    assert "not authenticated as coming from aecid.example" in line["detail"]
    assert "no DKIM signature of its domain" in line["detail"]
    assert world.invitation("inigo.alvarez@aecid.example").rsvp == "none"


def test_a_file_that_cannot_be_read_stops_with_a_clear_message(tmp_path):
    with pytest.raises(CommandError, match="missing.eml"):
        call_command("process_mailbox", "--file", str(tmp_path / "missing.eml"), stdout=io.StringIO())


def test_without_a_mailbox_configured_the_command_says_so(settings, db):
    settings.INBOUND_IMAP_HOST = ""
    with pytest.raises(CommandError, match="INBOUND_IMAP_HOST"):
        call_command("process_mailbox", stdout=io.StringIO())
