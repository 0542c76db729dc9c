"""Answers: one invitation per person, delegation under M3/M8 without loops, taking the seat back, answers for
earlier versions, the chair foreseen from the answers (T4), counts of people and of messages, .ics PARTSTAT."""

import datetime
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from secretariat import selectors, services
from secretariat.answers import answer_record, delegation_options
from secretariat.models import Invitation
from secretariat.selectors import invitation_progress
from secretariat.tasks import send_daily_digest, send_reminders
from tests.secretariat import directory as d
from tests.secretariat.factories import group, partner, person, proposed, seat

pytestmark = pytest.mark.django_db
LINK, PORTAL = Invitation.Channel.LINK, Invitation.Channel.PORTAL


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    return d.convened_world(django_capture_on_commit_callbacks)


def answer(world, name, value, who="titulars", **kwargs):
    invitation = d.row(world["meeting"], world[who][name])
    kwargs.setdefault("channel", LINK)
    return answer_record(invitation=invitation, answer=value, **kwargs)


def ics_attendee(message):
    [event] = Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")
    return event["ATTENDEE"]


# --- one invitation per person -------------------------------------------------------------------------


def test_rule_M3_delegation_converts_the_deputys_copy_instead_of_a_second_invitation(
        world, django_capture_on_commit_callbacks):
    meeting, titular, deputy = world["meeting"], world["titulars"]["Belgique"], world["deputies"]["Belgique"]
    assert Invitation.objects.filter(meeting=meeting).count() == 60
    with django_capture_on_commit_callbacks(execute=True):
        outcome = answer(world, "Belgique", "delegated")
    assert outcome.changed and outcome.invitation.delegated_to == deputy
    assert Invitation.objects.filter(meeting=meeting).count() == 60
    seat_row = d.row(meeting, deputy)
    assert seat_row.recipient == "to" and seat_row.delegated_from == d.row(meeting, titular)
    assert seat_row.state == "sent" and seat_row.messages_sent == 2
    [message] = mail.outbox
    assert message.to == [deputy.email] and "Belgique" in message.body
    # The deputy now holds the seat: no delegation button, and the page says so.
    options = delegation_options(seat_row)
    assert not options.possible and options.holds_by_delegation
    counts = selectors.person_counts(selectors.meeting_answers(meeting))
    assert counts["people"] == 60 and counts["delegated"] == 1 and counts["none"] == 59


def test_rule_M3_a_deputy_in_copy_cannot_delegate_and_is_told_the_true_reason(world):
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        answer(world, "Canada", "delegated", who="deputies")
    text = " ".join(refused.value.messages)
    # The rule in words (a partner reads it on the RSVP page), never its ID.
    assert "titulaire" in text and "suppléant" in text and "M3" not in text and "Aucun suppléant" not in text
    assert d.row(world["meeting"], world["deputies"]["Canada"]).rsvp == "none"


def test_rule_M3_only_the_partners_deputy_can_take_the_seat(world):
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        answer(world, "Canada", "delegated", delegate_to=world["deputies"]["Japon"])
    assert "M3" in " ".join(refused.value.messages)
    assert d.row(world["meeting"], world["titulars"]["Canada"]).rsvp == "none"


def test_rule_M3_no_deputy_on_the_day_refuses_with_the_reason(django_capture_on_commit_callbacks):
    from tests.factories import gec

    alone = person(partner("Ouganda"))
    seat(alone, gec(), "titular")
    meeting = d.convene(django_capture_on_commit_callbacks)
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        answer_record(invitation=d.row(meeting, alone), answer="delegated", channel=LINK)
    assert "Aucun suppléant" in " ".join(refused.value.messages)


def test_rule_M8_expert_delegates_to_binome_and_the_seat_cannot_loop(django_capture_on_commit_callbacks):
    gt = group()
    irlande = partner("Irlande")
    expert, binome = person(irlande), person(irlande)
    seat(binome, gt, "binome", pairs_with=seat(expert, gt, "expert"))
    meeting = proposed(gt)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(meeting=meeting)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer_record(invitation=d.row(meeting, expert), answer="delegated", channel=PORTAL)
    binome_row = d.row(meeting, binome)
    assert binome_row.delegated_from == d.row(meeting, expert) and binome_row.recipient == "to"
    with translation.override("fr"):
        with pytest.raises(ValidationError) as back:
            answer_record(invitation=binome_row, answer="delegated", channel=PORTAL)
        assert "ne peut pas être déléguée à nouveau" in " ".join(back.value.messages)
        with pytest.raises(ValidationError) as twice:
            answer_record(invitation=d.row(meeting, expert), answer="delegated", channel=PORTAL)
        assert "déjà délégué" in " ".join(twice.value.messages)
    assert Invitation.objects.filter(meeting=meeting).count() == 2
    assert len(mail.outbox) == 1  # one hop, one e-mail


def test_rule_M8_a_binome_in_their_own_right_cannot_delegate_to_the_expert(django_capture_on_commit_callbacks):
    gt = group()
    suede = partner("Suède")
    expert, binome = person(suede), person(suede)
    seat(binome, gt, "binome", pairs_with=seat(expert, gt, "expert"))
    meeting = proposed(gt)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(meeting=meeting)
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        answer_record(invitation=d.row(meeting, binome), answer="delegated", channel=PORTAL)
    text = " ".join(refused.value.messages)
    assert "expert" in text and "binôme" in text and "M8" not in text  # the rule in words, not its ID


def test_the_titular_takes_the_seat_back_and_the_deputy_is_told(world, django_capture_on_commit_callbacks):
    meeting, deputy = world["meeting"], world["deputies"]["Italie"]
    with django_capture_on_commit_callbacks(execute=True):
        answer(world, "Italie", "delegated")
        answer(world, "Italie", "attending", who="deputies")
    mail.outbox.clear()
    with translation.override("fr"), pytest.raises(ValidationError):
        answer(world, "Italie", "declined")  # first take the seat back
    with django_capture_on_commit_callbacks(execute=True):
        outcome = answer(world, "Italie", "attending", channel=PORTAL)
    assert outcome.invitation.rsvp == "attending" and outcome.invitation.delegated_to is None
    seat_row = d.row(meeting, deputy)
    assert seat_row.delegated_from is None and seat_row.recipient == "cc" and seat_row.rsvp == "none"
    [message] = mail.outbox
    assert message.to == [deputy.email]
    assert world["titulars"]["Italie"].full_name in message.body
    assert Invitation.objects.filter(meeting=meeting).count() == 60


# --- versions, counts, calendars --------------------------------------------------------------------------


def _reschedule(meeting, capture, days=14):
    start = timezone.localtime(meeting.start) + datetime.timedelta(days=days - 12)
    with capture(execute=True):
        meeting, count = services.meeting_reschedule_and_notify(
            meeting=meeting, start=start, end=start + datetime.timedelta(hours=2))
    return meeting, count


def test_an_answer_for_an_earlier_version_counts_only_until_the_current_one_is_answered(
        world, django_capture_on_commit_callbacks):
    meeting, _count = _reschedule(world["meeting"], django_capture_on_commit_callbacks)
    assert meeting.ical_sequence == 1
    old = answer(world, "Japon", "declined", sequence=0, channel=Invitation.Channel.CALENDAR)
    assert old.changed and old.stale and old.invitation.answered_sequence == 0
    [row] = [r for r in selectors.meeting_answers(meeting) if r.name == old.invitation.name]
    assert row.stale
    answer(world, "Japon", "attending")
    late = answer(world, "Japon", "declined", sequence=0, channel=Invitation.Channel.CALENDAR)
    assert not late.changed and late.stale
    assert d.row(meeting, world["titulars"]["Japon"]).rsvp == "attending"


def test_counts_are_of_people_after_delegation_and_reschedule(world, django_capture_on_commit_callbacks):
    meeting = world["meeting"]
    with django_capture_on_commit_callbacks(execute=True):
        answer(world, "Belgique", "delegated")
    meeting, count = _reschedule(meeting, django_capture_on_commit_callbacks)
    assert count == 60
    progress = invitation_progress([meeting.pk])[meeting.pk]
    assert progress["total"] == progress["sent"] == 60
    assert progress["messages"] == 60 + 1 + 60
    counts = selectors.person_counts(selectors.meeting_answers(meeting))
    assert counts["people"] == 60 and counts["messages"] == 121 and counts["none"] == 59


def test_update_ics_keeps_each_answer_as_partstat(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer(world, "Allemagne", "attending")
        answer(world, "Canada", "declined")
        answer(world, "Japon", "tentative")
        answer(world, "Belgique", "delegated")
    mail.outbox.clear()
    _reschedule(world["meeting"], django_capture_on_commit_callbacks)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert len(by_address) == 60

    def partstat(name, who="titulars"):
        return ics_attendee(by_address[world[who][name].email])

    assert partstat("Allemagne").params["PARTSTAT"] == "ACCEPTED"
    assert partstat("Canada").params["PARTSTAT"] == "DECLINED"
    assert partstat("Japon").params["PARTSTAT"] == "TENTATIVE"
    delegated = partstat("Belgique")
    assert delegated.params["PARTSTAT"] == "DELEGATED"
    assert delegated.params["DELEGATED-TO"] == f"mailto:{world['deputies']['Belgique'].email}"
    assert partstat("Suisse").params["PARTSTAT"] == "NEEDS-ACTION"
    assert partstat("Belgique", "deputies").params["DELEGATED-FROM"] == f"mailto:{world['titulars']['Belgique'].email}"


def test_reminders_go_only_to_people_without_an_answer(world, django_capture_on_commit_callbacks):
    for name in d.PARTNERS[:29]:
        answer(world, name, "attending")
        answer(world, name, "declined", who="deputies")
    start = timezone.now() + datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_reschedule_and_notify(meeting=world["meeting"], start=start,
                                               end=start + datetime.timedelta(hours=2))
    mail.outbox.clear()
    assert send_reminders() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world["titulars"]["Qatar"].email, world["deputies"]["Qatar"].email])


# --- the chair foreseen from the answers ------------------------------------------------------------------


def test_rule_T4_the_chair_is_foreseen_from_the_answers(world, client, secretariat_user):
    meeting = world["meeting"]
    assert not selectors.foreseen_chair(meeting).changed
    answer(world, "Espagne", "declined")
    foreseen = selectors.foreseen_chair(meeting)
    assert foreseen.changed and foreseen.chair.person == world["titulars"]["Allemagne"]
    assert foreseen.chair.rule == "T4"
    client.force_login(secretariat_user)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "La présidence reviendrait à" in page and "(T4)" not in page  # the rule in words, not its code
    roster = client.get(reverse("secretariat:answers", args=[meeting.pk])).content.decode()
    assert "La présidence reviendrait à" in roster
    assert send_daily_digest() is True
    assert "La présidence reviendrait à" in mail.outbox[-1].body


def test_rule_T4_a_delegating_lead_passes_the_chair_to_the_next_troika_partner_not_to_its_deputy(world):
    answer(world, "Espagne", "delegated")
    answer(world, "Allemagne", "declined")
    foreseen = selectors.foreseen_chair(world["meeting"])
    assert foreseen.chair.person == world["titulars"]["Irlande"] and foreseen.chair.rule == "T4"


# --- the roster, its CSV, the command, recording on someone's behalf -------------------------------------


def test_roster_filters_and_csv_neutralises_cells(client, secretariat_user, django_capture_on_commit_callbacks):
    from tests.factories import gec

    world = d.build(30)
    evil = person(partner("=HYPERLINK(\"http://evil\")"), last_name="+33", function="head_of_cooperation")
    seat(evil, gec(), "titular")
    meeting = world["meeting"] = d.convene(django_capture_on_commit_callbacks)
    answer(world, "Canada", "declined")
    client.force_login(secretariat_user)
    page = client.get(reverse("secretariat:answers", args=[meeting.pk]) + "?show=declined").content.decode()
    declined = page.split('id="roster"')[1].split('id="on-behalf"')[0]
    assert world["titulars"]["Canada"].full_name in declined
    assert world["titulars"]["Japon"].full_name not in declined
    response = client.get(reverse("secretariat:answers_csv", args=[meeting.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    # The page's column titles in the reader's language (French here), labels in the cells, codes apart.
    assert rows[0] == ["Personne", "e-mail", "partenaire", "Rôle", "À / cc", "Réponse", "Comment", "Date et heure",
                       "délégué à", "Remise", "role_code", "recipient_code", "answer_code", "channel_code",
                       "delivery_code"] and len(rows) == 62
    canada = next(r for r in rows if r[0] == world["titulars"]["Canada"].full_name)
    assert canada[3] == "titulaire" and canada[5] not in ("declined", "") and canada[6] not in ("link", "")
    assert (canada[10], canada[12], canada[13]) == ("titular", "declined", "link")
    cells = [cell for r in rows[1:] for cell in r]
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert "'=HYPERLINK(\"http://evil\")" in cells


def test_meeting_answers_command_prints_json_in_distribution_order(world):
    meeting = world["meeting"]
    answer(world, "Belgique", "delegated")
    answer(world, "Canada", "tentative")
    out = StringIO()
    call_command("meeting_answers", str(meeting.pk), "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert all(list(r) == ["email", "name", "partner", "role", "recipient", "answer", "channel", "answered_at",
                           "delegated_to", "delivery"] for r in rows)
    snapshot = services.distribution_latest(meeting)
    assert [r["email"] for r in rows] == [e.email for e in snapshot.entries.order_by("position")]
    assert {r["answer"] for r in rows} == {"none", "delegated", "tentative"}
    assert {r["channel"] for r in rows} == {"", "link"}
    [belgium] = [r for r in rows if r["email"] == world["titulars"]["Belgique"].email]
    assert belgium["delegated_to"] == world["deputies"]["Belgique"].full_name and belgium["delivery"] == "sent"
    csv_out = StringIO()
    call_command("meeting_answers", str(meeting.pk), stdout=csv_out)
    import csv

    header = next(csv.reader(StringIO(csv_out.getvalue())))
    assert tuple(header) == selectors.ROW_KEYS


def test_the_secretariat_records_an_answer_on_someones_behalf(world, client, secretariat_user):
    meeting, titular = world["meeting"], world["titulars"]["Norvège"]
    invitation = d.row(meeting, titular)
    client.force_login(secretariat_user)
    response = client.post(reverse("secretariat:answer_on_behalf", args=[meeting.pk]),
                           {"invitation": invitation.pk, "answer": "declined", "note": "par téléphone"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.rsvp == "declined" and invitation.answer_channel == "secretariat"
    assert invitation.answered_by == secretariat_user and invitation.answer_note == "par téléphone"
    assert invitation.history.first().history_user == secretariat_user  # the audit says who
    audit = client.get(reverse("audit") + "?model=invitation").content.decode()
    assert titular.full_name in audit and "enregistrée par le secrétariat" in audit
    page = client.get(reverse("secretariat:answers", args=[meeting.pk])).content.decode()
    assert "enregistrée par le secrétariat" in page and "par téléphone" in page
    # An invitation of another meeting, or nonsense, changes nothing.
    before = Invitation.objects.filter(rsvp="none").count()
    for data in ({"invitation": "x", "answer": "declined"}, {"invitation": invitation.pk, "answer": "maybe"},
                 {"invitation": 10 ** 9, "answer": "declined"}):
        assert client.post(reverse("secretariat:answer_on_behalf", args=[meeting.pk]), data).status_code == 302
    assert Invitation.objects.filter(rsvp="none").count() == before


def test_the_deputy_holding_the_seat_sees_it_and_no_delegate_button(world, client, django_capture_on_commit_callbacks):
    from secretariat.rsvp import make_token

    with django_capture_on_commit_callbacks(execute=True):
        answer(world, "Belgique", "delegated")
    seat_row = d.row(world["meeting"], world["deputies"]["Belgique"])
    page = client.get(reverse("secretariat:rsvp", args=[make_token(seat_row)])).content.decode()
    assert "Vous représentez votre organisation" in page and 'value="delegated"' not in page
    titular_row = d.row(world["meeting"], world["titulars"]["Canada"])
    page = client.get(reverse("secretariat:rsvp", args=[make_token(titular_row)])).content.decode()
    assert 'value="delegated"' in page and world["deputies"]["Canada"].full_name in page
    copy_row = d.row(world["meeting"], world["deputies"]["Canada"])
    page = client.get(reverse("secretariat:rsvp", args=[make_token(copy_row)])).content.decode()
    assert 'value="delegated"' not in page and "Seul le titulaire" in page
