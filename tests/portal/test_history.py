"""Generated years of history (ptf_portal.history, `manage.py seed_history`) and the pages that must not grow
with it: the same queries in a world of one year as in a world of three, a page at a time, the filters kept
from page to page, and CSV exports that still give every row."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.paging import PAGE_SIZE
from instances.models import Instance
from meetings.models import ActionItem, Meeting, Referral
from meetings.services import meeting_create
from meetings.services.records import action_add, follow_up_condition
from membership.models import Mandate, Person
from membership.roles import SECRETARIAT_GROUP
from ptf_portal.history import GENERATOR_USERNAME, RealDataError, seed_history
from secretariat.models import CalendarFeedToken, Invitation
from tests.membership.import_factories import GROUP_COLUMNS, MEMBER_COLUMNS, directory, group, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_directory(tmp_path, settings):
    """Four partners (GEC titular and deputy, an ambassador), GT-SANTE with an expert and a binôme each."""
    settings.REQUIRE_2FA_FOR_STAFF = False
    members = write_csv(tmp_path / "members.csv", directory(n_partners=4), MEMBER_COLUMNS)
    groups = write_csv(tmp_path / "groups.csv", [group("GT-SANTE", leader="Country0", periodicity="bimonthly")],
                       GROUP_COLUMNS)
    call_command("import_directory", str(members), "--groups", str(groups), stdout=io.StringIO())


def _seg_client() -> Client:
    user = User.objects.create_user("seg-history", "seg-history@example.org", "x")
    user.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    client = Client()
    client.force_login(user)
    return client


def _partner_client() -> tuple[Client, Person]:
    person = Person.objects.get(email="head0@c0.org")
    person.user = User.objects.create_user("partner-history", "partner-history@example.org", "x")
    person.save(update_fields=["user"])
    client = Client()
    client.force_login(person.user)
    return client, person


def test_seed_history_refuses_a_database_with_real_meetings(small_directory):
    meeting_create(instance=Instance.objects.get(code="GEC"), title="Réunion réelle",
                   start=timezone.now() + datetime.timedelta(days=10),
                   end=timezone.now() + datetime.timedelta(days=10, hours=2))
    with pytest.raises(RealDataError):
        seed_history(years=1)
    with pytest.raises(CommandError, match="non écrites par le générateur"):  # French by default
        call_command("seed_history", "--years", "1", stdout=io.StringIO())
    assert Meeting.objects.count() == 1
    assert not Invitation.objects.exists()


def test_seed_history_writes_a_year_dated_as_it_happened(small_directory):
    stats = seed_history(years=1, seed=3)
    now = timezone.now()
    generated = Meeting.objects.filter(created_by__username=GENERATOR_USERNAME)
    assert generated.count() == stats.meetings > 12
    gec = generated.filter(instance__code="GEC", start__lt=now)
    assert 10 <= gec.count() <= 15  # monthly, and an extraordinary one now and then
    assert generated.filter(status=Meeting.Status.MINUTES_APPROVED).exists()
    # Every row carries the moment its step happened: the meeting three weeks before it starts, each answer
    # before the meeting, and the history rows with them.
    for meeting in gec[:5]:
        created = meeting.history.earliest("history_date")
        assert created.history_date == meeting.created_at < meeting.start - datetime.timedelta(days=20)
    answered = Invitation.objects.exclude(rsvp=Invitation.Rsvp.NONE).select_related("meeting")
    assert answered.count() == stats.answers > 50
    assert all(i.rsvp_at < i.meeting.start and i.rsvp_at > i.meeting.created_at for i in answered)
    assert Invitation.objects.filter(rsvp=Invitation.Rsvp.DELEGATED, delegated_to__isnull=False).exists()
    assert not Invitation.objects.filter(state=Invitation.State.PENDING, meeting__start__lt=now).exists()
    assert ActionItem.objects.filter(state=ActionItem.State.DONE, done_at__lt=now).exists()
    assert stats.minutes_approved > 10
    # The same seed gives the same world: running again is refused, the world is not doubled.
    with pytest.raises(RealDataError):
        seed_history(years=1, seed=3)


def _pages(seg: Client, partner: Client, token: str) -> dict[str, str]:
    latest = Meeting.objects.filter(instance__code="GEC", status__in=["held", "minutes_approved"]).latest("start")
    return {
        # Its follow-up section: the first fifteen actions left open at the GEC's earlier meetings, and their count.
        "SEG meeting page": (seg, reverse("meetings:detail", args=[latest.pk])),
        "partner meeting page": (partner, reverse("meetings:detail", args=[latest.pk])),
        "SEG meetings": (seg, reverse("meetings:list")),
        "SEG meetings, all": (seg, reverse("meetings:list") + "?period=all"),
        "SEG actions": (seg, reverse("meetings:actions")),
        "SEG actions, open": (seg, reverse("meetings:actions") + "?state=open"),
        "SEG referrals": (seg, reverse("meetings:referrals")),
        "SEG access": (seg, reverse("membership:access")),
        # Until yesterday: the deletions that turn the world of three years into one of one year are not shown.
        "SEG audit": (seg, reverse("audit") + f"?model=invitation&date_to={timezone.localdate() - datetime.timedelta(days=1)}"),
        "partner meetings": (partner, reverse("meetings:list")),
        "partner home": (partner, reverse("home")),
        "partner invitations": (partner, reverse("secretariat:my_invitations")),
        "partner feed": (partner, reverse("secretariat:calendar_feed", args=[token])),
    }


def _costs(pages) -> dict[str, tuple[int, int]]:
    out = {}
    for name, (client, url) in pages.items():
        client.get(url)  # warm: the session, prepared statements
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, name
        out[name] = (len(queries.captured_queries), len(response.content))
    return out


def test_three_years_page_by_page_with_filters_kept_and_every_row_exported(small_directory):
    """One world of three generated years serves the three checks (generating is the slow part)."""
    stats = seed_history(years=3, seed=5)
    # People rotated: today's holders had predecessors, whose mandates ended the day before theirs began.
    assert stats.people > 0 and Mandate.objects.filter(end__lt=timezone.localdate()).count() >= stats.mandates
    seg = _seg_client()
    partner, person = _partner_client()
    token = CalendarFeedToken.objects.create(person=person).token
    _pages_keep_their_filters_and_the_csv_export_gives_every_row(seg)
    _referrals_and_follow_up_are_windowed(seg)
    pages = _pages(seg, partner, token)
    three_years = _costs(pages)
    # The world of one year: the meetings of the two years before it go (with what hangs on them).
    Meeting.objects.filter(start__lt=timezone.now() - datetime.timedelta(days=365)).delete()
    one_year = _costs(pages)
    assert {name: q for name, (q, _size) in three_years.items()} == {name: q for name, (q, _size) in one_year.items()}
    # Every page stays light; the windowed ones (the last twelve months and what is to come) weigh the same.
    windowed = {"SEG meetings", "partner meetings", "partner home", "partner invitations", "partner feed",
                "SEG referrals", "SEG meeting page", "partner meeting page", "SEG actions", "SEG actions, open"}
    for name, (_q, size) in three_years.items():
        assert size < 100_000, name
        if name in windowed:
            assert size < one_year[name][1] * 1.1 + 1000, name


def _pages_keep_their_filters_and_the_csv_export_gives_every_row(seg):
    url = reverse("meetings:actions") + "?state=done&period=all"
    done = ActionItem.objects.filter(state=ActionItem.State.DONE).count()
    assert done > PAGE_SIZE
    first = seg.get(url).content.decode()
    assert 'rel="next" href="?state=done&amp;period=all&amp;page=2"' in first
    assert first.count("<tr>") - 1 == PAGE_SIZE  # the header, then one page of rows
    second = seg.get(url + "&page=2").content.decode()
    assert 'rel="prev" href="?state=done&amp;period=all&amp;page=1"' in second
    # By default the register holds the actions due from twelve months back: an older one is left to the filter.
    today = timezone.localdate()
    old_action = ActionItem.objects.filter(due_date__lt=today - datetime.timedelta(days=400)).order_by("-due_date")[0]
    recent = seg.get(reverse("meetings:actions") + "?instance=" + str(old_action.meeting.instance_id))
    everything = seg.get(reverse("meetings:actions") + f"?instance={old_action.meeting.instance_id}&period=all")
    windowed = recent.context["page"].paginator.count
    assert windowed == ActionItem.objects.filter(meeting__instance_id=old_action.meeting.instance_id,
                                                 due_date__gte=today - datetime.timedelta(days=365)).count()
    assert everything.context["page"].paginator.count == ActionItem.objects.filter(
        meeting__instance_id=old_action.meeting.instance_id).count() > windowed
    # The CSV export gives every row of the other filters, whatever the page's window.
    for query in ("?state=done", "?state=done&period=all"):
        exported = list(csv.reader(io.StringIO(seg.get(reverse("meetings:actions_csv") + query).content.decode())))
        assert len(exported) - 1 == done
        assert {row[6] for row in exported[1:]} == {"done"}
    # The meeting list: the coming meetings and the last twelve months by default, older through a filter.
    old = Meeting.objects.filter(start__lt=timezone.now() - datetime.timedelta(days=400)).order_by("-start").first()
    recent = "".join(seg.get(reverse("meetings:list") + f"?page={n}").content.decode() for n in (1, 2, 3))
    assert f"/meetings/{old.pk}/" not in recent
    year = timezone.localtime(old.start).year
    by_year = "".join(seg.get(reverse("meetings:list") + f"?year={year}&page={n}").content.decode() for n in (1, 2))
    assert f"/meetings/{old.pk}/" in by_year
    assert seg.get(reverse("meetings:list") + "?page=999&year=abc").status_code == 200
    # The dashboard counts late actions in the database, however many there are (it shows fifteen).
    late = ActionItem.objects.filter(state=ActionItem.State.OPEN, due_date__lt=timezone.localdate()).count()
    assert late > 0
    assert seg.get(reverse("secretariat:dashboard")).context["late_count"] == late


def _referrals_and_follow_up_are_windowed(seg):
    # Referrals: those under way and of the last twelve months by default, every one with ?period=all.
    old = Referral.objects.filter(state=Referral.State.RETURNED,
                                  created_at__lt=timezone.now() - datetime.timedelta(days=400),
                                  concluded_at__lt=timezone.now() - datetime.timedelta(days=400)).first()
    assert old is not None
    link = f'href="/meetings/referrals/{old.pk}/"'
    assert link not in seg.get(reverse("meetings:referrals")).content.decode()
    every = "".join(seg.get(reverse("meetings:referrals") + f"?period=all&page={n}").content.decode() for n in (1, 2))
    assert link in every
    # A meeting page's follow-up: the first fifteen open actions of the body's earlier meetings, soonest due,
    # and how many there are, counted by the database.
    # The last GEC held (its minutes wait for the next meeting, so actions may still be recorded there) and the
    # meeting after it, whose follow-up lists them.
    earlier = Meeting.objects.filter(instance__code="GEC", status="held").latest("start")
    latest = Meeting.objects.filter(instance__code="GEC", start__gt=earlier.start).earliest("start")
    follow_up = ActionItem.objects.filter(follow_up_condition(latest)).order_by("due_date", "pk")
    partner = ActionItem.objects.filter(meeting__instance__code="GEC").first().owner_partner
    for n in range(16 - follow_up.count()):  # more than the page shows
        action_add(meeting=earlier, title=f"Action restée ouverte {n}", owner_partner=partner,
                   due_date=timezone.localdate() + datetime.timedelta(days=n))
    assert follow_up.count() > 15
    page = seg.get(reverse("meetings:detail", args=[latest.pk])).context["page"]
    assert [a.pk for a in page.follow_up_actions] == [a.pk for a in follow_up[:15]]
    assert page.follow_up_count == follow_up.count()
