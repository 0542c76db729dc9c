"""The main flows in real Chromium, against the live server."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from meetings.models import Meeting
from secretariat.models import Invitation
from tests.e2e.conftest import login, logout, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _local(days, hour=9):
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def _fmt(moment):
    return moment.strftime("%Y-%m-%dT%H:%M")


def _create_meeting_in_browser(page, instance_label, title, category, days=20):
    page.goto(page.base + "/meetings/new/")
    page.select_option("select[name=instance]", label=instance_label)
    page.fill("input[name=title]", title)
    start = _local(days)
    page.fill("input[name=start]", _fmt(start))
    page.fill("input[name=end]", _fmt(start + datetime.timedelta(hours=2)))
    page.fill("input[name=proposal_deadline]", _fmt(start - datetime.timedelta(days=3)))
    page.click("main form button[type=submit].primary")
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    return Meeting.objects.get(title=title)


def _add_item(page, title, category):
    details = page.locator("#agenda details")
    if details.get_attribute("open") is None:
        page.click("#agenda details summary")
    page.fill("#agenda input[name=title]", title)
    page.select_option("#agenda select[name=category]", value=category)
    page.click("form[action$='/items/add/'] button[type=submit]")
    page.wait_for_load_state()


def _build_and_send(page, meeting):
    page.click("form[action$='/propose-agenda/'] button")
    page.wait_for_load_state()
    page.click("#workflow a[href$='/distribution/']")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_load_state()
    shot(page, f"distribution-{meeting.instance.code}")
    page.click("main a[href$='/send/']")
    page.wait_for_load_state()
    shot(page, f"send-confirm-{meeting.instance.code}")
    count = page.inner_text("#recipient-count")
    page.click("main form[method=post] button.primary")
    page.wait_for_url(re.compile(rf"/meetings/{meeting.pk}/"))
    return count


def test_secretariat_creates_gec_meeting_builds_agenda_and_sends(page, e2e_cast):
    login(page, "seg")
    shot(page, "dashboard")
    meeting = _create_meeting_in_browser(page, "GEC", "GEC de décembre", "policy_dialogue")
    _add_item(page, "Appui budgétaire", "policy_dialogue")
    _add_item(page, "Genre", "effectiveness")
    # Reorder without JavaScript: a plain form button.
    page.click("ol.agenda li:nth-child(2) button[value=up]")
    page.wait_for_load_state()
    assert [i.title for i in meeting.items.order_by("order")] == ["Genre", "Appui budgétaire"]
    count = _build_and_send(page, meeting)
    assert "2" in count  # titular (to) and deputy (cc) of France
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONVENED
    assert {m.to[0] for m in mail.outbox} >= {e2e_cast.titular.email, e2e_cast.deputy.email}
    page.reload()
    assert page.inner_text("#progress .n-sent") == "2"
    shot(page, "meeting-page")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base + "/")
    shot(page, "dashboard-phone")


def _convened_gec_meeting(cast):
    from meetings import services
    from secretariat.services import invitations_send

    start = _local(12)
    meeting = services.meeting_create(instance=cast.gec, title="GEC ordinaire", start=start,
                                      end=start + datetime.timedelta(hours=2), place="Bamako")
    services.agenda_item_add(meeting=meeting, title="Appui budgétaire", category="policy_dialogue",
                             expected_outcome="information")
    services.meeting_propose_agenda(meeting=meeting)
    invitations_send(meeting=meeting, by_user=cast.seg)
    return meeting


def test_partner_sees_invitation_and_accepts(page, e2e_cast):
    meeting = _convened_gec_meeting(e2e_cast)
    login(page, "partner")
    assert "GEC ordinaire" in page.inner_text("#upcoming")
    shot(page, "my-invitations")
    page.click("#upcoming button[value=attending]")
    page.wait_for_load_state()
    invitation = Invitation.objects.get(meeting=meeting, person=e2e_cast.titular)
    assert invitation.rsvp == Invitation.Rsvp.ATTENDING
    page.click(f"#upcoming a[href='/meetings/{meeting.pk}/']")
    page.wait_for_load_state()
    assert "Appui budgétaire" in page.inner_text("#agenda")
    shot(page, "partner-meeting-page")
    page.goto(page.base + "/people/me/mandates/")
    shot(page, "my-mandates")
    page.goto(page.base + "/people/me/calendar/")
    assert "/secretariat/calendar/" in page.inner_text("#feed-url")
    page.goto(page.base + "/directory/organigram/")
    shot(page, "organigram")


def test_titular_delegates_to_deputy_through_the_email_link(page, e2e_cast):
    meeting = _convened_gec_meeting(e2e_cast)
    message = next(m for m in mail.outbox if m.to == [e2e_cast.titular.email])
    url = re.search(r"https?://\S+/secretariat/rsvp/\S+/", message.body).group(0)
    page.goto(url)  # no login: the signed link is the credential
    shot(page, "rsvp-page")
    page.click("form.rsvp button[value=delegated]")
    page.wait_for_load_state()
    invitation = Invitation.objects.get(meeting=meeting, person=e2e_cast.titular, delegated_from__isnull=True)
    assert invitation.rsvp == Invitation.Rsvp.DELEGATED
    assert invitation.delegated_to == e2e_cast.deputy
    assert Invitation.objects.filter(meeting=meeting, person=e2e_cast.deputy, delegated_from=invitation).exists()


def test_group_leader_convenes_their_group(page, e2e_cast):
    login(page, "leader")
    shot(page, "leader-home")
    meeting = _create_meeting_in_browser(page, "GT-SANTE", "GT santé — décembre", "sector_dialogue")
    _add_item(page, "Revue sectorielle", "sector_dialogue")
    _build_and_send(page, meeting)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONVENED
    assert Invitation.objects.filter(meeting=meeting).exists()
    # The leader manages only their group: the GEC is not offered.
    page.goto(page.base + "/meetings/new/")
    assert "GEC" not in page.inner_text("select[name=instance]")
    logout(page)
