"""The fixed cost of an authenticated page: what is loaded once per request, and what is cached (and for whom).

What is cached, keyed by what:
- the session, in the shared cache when CACHE_URL is set (key: the session's own secret key);
- "this user has no confirmed TOTP device", in that user's session, re-checked every few minutes;
- the user's person, roles and active mandates, on the request's user object (gone with the request).
No page output is cached.
"""

import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from ptf_portal.middleware import NO_DEVICE_KEY, NO_DEVICE_RECHECK_SECONDS
from tests.portal.conftest import client_for
from tests.portal.factories import gec_meeting_with_agenda

pytestmark = pytest.mark.django_db


def _device_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "otp_totp_totpdevice" in q["sql"]]


def test_a_user_without_device_is_not_looked_up_for_one_on_every_page(cast, client):
    client_for(client, cast.titular.user)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    assert _device_queries(queries.captured_queries) == []


def test_a_device_added_since_is_asked_for_once_the_recheck_delay_has_passed(cast, client):
    client_for(client, cast.titular.user)
    client.get(reverse("home"))
    TOTPDevice.objects.create(user=cast.titular.user, name="phone", confirmed=True)
    session = client.session
    session[NO_DEVICE_KEY] = int(time.time()) - NO_DEVICE_RECHECK_SECONDS - 1
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))


@pytest.fixture
def shared_cache(settings, redis_broker_url):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": redis_broker_url.rsplit("/", 1)[0] + "/3", "KEY_PREFIX": "ptf-test"}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    from django.core.cache import caches

    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.mark.services
def test_cached_sessions_keep_two_users_apart(cast, shared_cache):
    """Each partner, through the shared session cache, sees their own invitations and never the other's."""
    meeting = gec_meeting_with_agenda()
    meeting.invitations.create(person=cast.titular, email=cast.titular.email, name=str(cast.titular),
                               partner="France", role="titular")
    titular, ga_member = Client(), Client()
    titular.force_login(cast.titular.user)
    ga_member.force_login(cast.ga_member.user)
    for _ in range(2):  # the second round reads the sessions from the cache
        mine = titular.get(reverse("secretariat:my_invitations")).content.decode()
        theirs = ga_member.get(reverse("secretariat:my_invitations")).content.decode()
        assert meeting.title in mine
        assert meeting.title not in theirs
    with CaptureQueriesContext(connection) as queries:
        titular.get(reverse("secretariat:my_invitations"))
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]


def _invite(person, meeting):
    return meeting.invitations.create(person=person, email=person.email, name=str(person), partner="France",
                                      role="titular")


def test_a_partner_home_page_costs_the_same_queries_whatever_their_invitations(cast, client):
    """Session (database-backed here), the account with its roles, invitations (with whether one proposed),
    seats: no query per invitation, none of guardian's, no proposals read when there are none."""
    _invite(cast.titular, gec_meeting_with_agenda(days=20))
    client_for(client, cast.titular.user)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("home")).status_code == 200
    for days in (25, 30, 35, 40):
        _invite(cast.titular, gec_meeting_with_agenda(days=days))
    with CaptureQueriesContext(connection) as five:
        response = client.get(reverse("home"))
    assert response.content.decode().count('name="answer" value="delegated"') == 5
    assert len(five.captured_queries) == len(one.captured_queries) == 4
    assert not [q for q in five.captured_queries if "guardian" in q["sql"] or "auth_group" in q["sql"].split("UNION")[-1]]


def test_personal_invitations_read_by_hand_match_the_orm(cast):
    """The home page's prepared statement gives the ORM's values, converted alike (aware datetimes on SQLite
    too), in the meetings' order; fields it does not read still load when asked for."""
    from meetings.models import AgendaItem
    from secretariat.models import Invitation
    from secretariat.selectors import personal_invitations
    from tests.portal.factories import gec_meeting_with_agenda

    later, sooner = gec_meeting_with_agenda(days=30), gec_meeting_with_agenda(days=10)
    for meeting in (later, sooner):
        meeting.invitations.create(person=cast.titular, email=cast.titular.email, name="T", partner="France",
                                   role="titular")
    AgendaItem.objects.create(meeting=later, title="Proposé", proposed_by=cast.titular, order=99)
    rows = personal_invitations(cast.titular.pk)
    orm = list(Invitation.objects.filter(person=cast.titular).select_related("meeting__instance")
               .order_by("meeting__start", "pk"))
    assert [i.meeting_id for i in rows] == [sooner.pk, later.pk] == [i.meeting_id for i in orm]
    for mine, theirs in zip(rows, orm, strict=True):
        assert (mine.pk, mine.rsvp, mine.person_id, mine.delegated_to_id) == \
            (theirs.pk, theirs.rsvp, theirs.person_id, theirs.delegated_to_id)
        assert (mine.meeting.start, mine.meeting.end, mine.meeting.title, mine.meeting.status) == \
            (theirs.meeting.start, theirs.meeting.end, theirs.meeting.title, theirs.meeting.status)
        assert mine.meeting.start.tzinfo is not None
        assert (mine.meeting.instance.code, mine.meeting.instance.kind) == ("GEC", theirs.meeting.instance.kind)
    assert [i.has_proposals for i in rows] == [False, True]
    assert rows[0].email == cast.titular.email  # deferred, read on demand
