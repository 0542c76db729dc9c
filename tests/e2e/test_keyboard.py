"""Keyboard only (WCAG 2.1.1, 2.4.1, 2.4.7): Tab and Enter, no mouse, no `page.click`, no `page.fill`.

A partner answers from the e-mail's link and from the portal; the SEG builds the distribution list and sends the
invitations. Every element that takes the focus on the way shows it (an outline), and the first Tab stop of a page
is the "skip to content" link.
"""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from meetings import services
from meetings.models import Meeting
from secretariat.models import Invitation
from secretariat.services import invitations_send

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => { const e = document.activeElement; const s = getComputedStyle(e);
  return {match: e.outerHTML.slice(0, 90), outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }"""


def tab_to(page, selector: str, limit: int = 150) -> None:
    """Tab until `selector` has the focus, checking that every stop on the way shows its focus; then Enter."""
    unseen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            state = page.evaluate(FOCUSED)
            assert state["outline"], f"no visible focus on {state['match']}"
            assert unseen == [], f"no visible focus on: {unseen}"
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
        state = page.evaluate(FOCUSED)
        if not state["outline"]:
            unseen.append(state["match"])
    raise AssertionError(f"{selector} never took the focus in {limit} Tab presses on {page.url}")


def type_into(page, selector: str, text: str) -> None:
    for _ in range(40):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            page.keyboard.type(text)
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never took the focus on {page.url}")


def first_stop_skips_to_content(page) -> None:
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#content"
    assert page.evaluate(FOCUSED)["outline"]
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"


def keyboard_login(page, username: str) -> None:
    page.goto(page.base + "/accounts/login/")  # the user name field has the focus (autofocus)
    type_into(page, "input[name=username]", username)
    type_into(page, "input[name=password]", "portal-password-123")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/accounts/login/" not in page.url, f"login failed for {username}"


def _gec_meeting(cast, *, send: bool) -> Meeting:
    start = (timezone.localtime() + datetime.timedelta(days=12)).replace(hour=9, minute=0, second=0, microsecond=0)
    meeting = services.meeting_create(instance=cast.gec, title="GEC ordinaire", start=start,
                                      end=start + datetime.timedelta(hours=2), place="Bamako")
    services.agenda_item_add(meeting=meeting, title="Appui budgétaire", category="policy_dialogue",
                             expected_outcome="information")
    services.meeting_propose_agenda(meeting=meeting)
    if send:
        invitations_send(meeting=meeting, by_user=cast.seg)
    return meeting


def test_partner_answers_from_the_email_link_with_the_keyboard(page, e2e_cast):
    meeting = _gec_meeting(e2e_cast, send=True)
    message = next(m for m in mail.outbox if m.to == [e2e_cast.titular.email])
    url = re.search(r"https?://\S+/secretariat/rsvp/\S+/", message.body).group(0)
    page.goto(url)
    first_stop_skips_to_content(page)
    tab_to(page, "form.rsvp button[value=attending]")
    invitation = Invitation.objects.get(meeting=meeting, person=e2e_cast.titular)
    assert invitation.rsvp == Invitation.Rsvp.ATTENDING


def test_partner_answers_in_the_portal_with_the_keyboard(page, e2e_cast):
    meeting = _gec_meeting(e2e_cast, send=True)
    keyboard_login(page, e2e_cast.titular.user.username)
    tab_to(page, "a[href='/meetings/invitations/']")
    tab_to(page, "#upcoming button[value=attending]")
    invitation = Invitation.objects.get(meeting=meeting, person=e2e_cast.titular)
    assert invitation.rsvp == Invitation.Rsvp.ATTENDING


def test_secretariat_sends_the_invitations_with_the_keyboard(page, e2e_cast):
    meeting = _gec_meeting(e2e_cast, send=False)
    keyboard_login(page, "seg")
    page.goto(page.base + f"/meetings/{meeting.pk}/")
    tab_to(page, "#workflow a[href$='/distribution/']")
    tab_to(page, "main form[method=post] button[type=submit]")
    tab_to(page, "main a[href$='/send/']")
    tab_to(page, "main form[method=post] button.primary")
    page.wait_for_url(re.compile(rf"/meetings/{meeting.pk}/"))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONVENED
    assert {m.to[0] for m in mail.outbox} >= {e2e_cast.titular.email, e2e_cast.deputy.email}
