"""No link to a page that refuses: for every role of the access matrix, and for members at the edges of
their mandate (ended yesterday, starting tomorrow) who hold an invitation, every meeting the home page, the
meeting list, "my invitations" and the referral pages link to opens (200). One rule decides
(membership/access.py: `can_view_meeting` and its list twin `meeting_scope`)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from meetings.models import Meeting
from membership.models import Mandate, Person
from secretariat import services as secretariat_services
from secretariat.ics import uid_for
from secretariat.models import Invitation
from tests.security.world import ROLES, _person, build_world, login_as

pytestmark = pytest.mark.django_db
MEETING_LINK = re.compile(r'href="/meetings/(\d+)/"')
LISTS = ["home", "meetings:list", "secretariat:my_invitations", "meetings:referrals"]


def _edge_member(world, name, start, end):
    """A GA member whose mandate ends yesterday or starts tomorrow, invited to the world's GA meeting (the
    distribution list was made for the meeting's day)."""
    person = _person(name, world.people["ga_member"].partner, Person.Function.AMBASSADOR)
    Mandate.objects.bulk_create([Mandate(person=person, instance=world.instances["GA"], role=Mandate.Role.TITULAR,
                                         start=start, end=end)])
    Invitation.objects.create(meeting=world.meetings["ga"], person=person, email=person.email, name=str(person),
                              state="sent", role="titular")
    world.users[name] = person.user
    return person


def _links(client, url) -> set[int]:
    response = client.get(url)
    assert response.status_code in (200, 403), (url, response.status_code)
    return {int(pk) for pk in MEETING_LINK.findall(response.content.decode())} if response.status_code == 200 else set()


def test_every_meeting_a_list_shows_opens_for_every_role_and_at_the_edges_of_a_mandate():
    world = build_world()
    today = timezone.localdate()
    yesterday, tomorrow = today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)
    _edge_member(world, "ga_ended_yesterday", datetime.date(2020, 1, 1), yesterday)
    _edge_member(world, "ga_starts_tomorrow", tomorrow, None)
    roles = [role for role in ROLES if role != "anonymous"] + ["ga_ended_yesterday", "ga_starts_tomorrow"]
    refused, shown = [], {}
    for role in roles:
        client = Client(raise_request_exception=False)
        login_as(client, world, role)
        links = set()
        for name in LISTS:
            links |= _links(client, reverse(name))
        referral_pages = [reverse("meetings:referral", args=[r.pk]) for r in world.extra["referrals"].values()]
        for url in referral_pages:
            links |= _links(client, url)
        person = world.people.get(role) or Person.objects.filter(user=world.users[role]).first()
        if person is not None:  # the calendar feed lists the person's meetings: each must open too
            token = secretariat_services.calendar_feed_token_for(person).token
            feed = Calendar.from_ical(client.get(reverse("secretariat:calendar_feed", args=[token])).content)
            uids = {str(event["uid"]) for event in feed.walk("VEVENT")}
            links |= {m.pk for m in Meeting.objects.all() if uid_for(m) in uids}
        shown[role] = links
        for pk in sorted(links):
            status = client.get(reverse("meetings:detail", args=[pk])).status_code
            if status != 200:
                refused.append(f"{role}: meeting {pk} is linked from a list but answers {status}")
    assert refused == [], "\n".join(refused)
    ga = world.meetings["ga"].pk
    # Not vacuous: the invitees at the edges of their mandate see the GA meeting they are invited to, and open it.
    assert ga in shown["ga_ended_yesterday"] and ga in shown["ga_starts_tomorrow"]
    assert ga in shown["ga_member"] and ga not in shown["rep"]


def test_rule_A4_an_invitee_without_a_mandate_today_opens_the_meeting_but_not_its_material():
    world = build_world()
    person = _edge_member(world, "ga_ended_yesterday", datetime.date(2020, 1, 1),
                          timezone.localdate() - datetime.timedelta(days=1))
    client = Client()
    login_as(client, world, "ga_ended_yesterday")
    page = client.get(reverse("meetings:detail", args=[world.meetings["ga"].pk]))
    assert page.status_code == 200
    document = world.documents["ga"]
    assert document.title not in page.content.decode()  # A4: GA documents to today's members only
    assert client.get(reverse("meetings:document", args=[document.pk])).status_code == 403
    assert person.pk  # the invitation, not the seat, opened the page


def test_a_ga_only_member_sees_the_gec_meeting_of_a_referral_as_text_not_as_a_link():
    world = build_world()
    client = Client()
    login_as(client, world, "ga_member")
    referral = world.extra["referrals"]["gec", "returned"]
    page = client.get(reverse("meetings:referral", args=[referral.pk])).content.decode()
    gec = world.meetings["gec"]
    assert str(gec) in page
    assert f'href="/meetings/{gec.pk}/"' not in page
    login_as(client, world, "rep")  # a GEC member opens it: the link is there
    page = client.get(reverse("meetings:referral", args=[referral.pk])).content.decode()
    assert f'href="/meetings/{gec.pk}/"' in page
