"""The audit trail — who changed what, when — for the secretariat and admins only."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import AgendaItem, Meeting
from ptf_portal.audit import audit_page
from tests.factories import PersonFactory, UserFactory, gec
from tests.meetings.factories import item, meeting


def by(user, model, **filters):
    """Attribute history records to a user, as HistoryRequestMiddleware does for a change made in a request."""
    model.history.filter(**filters).update(history_user=user)


@pytest.fixture
def changed_meeting(secretariat_user):
    m = meeting(gec(), title="Budget review")
    services.meeting_update(meeting=m, title="Budget review (moved)", place="Bamako")
    by(secretariat_user, Meeting, id=m.pk)
    return m


def test_audit_shows_who_changed_which_fields_and_when(client, secretariat_user, changed_meeting):
    client.force_login(secretariat_user)
    response = client.get(reverse("audit"), {"model": "meeting"})
    assert response.status_code == 200
    entries = [e for e in response.context["entries"] if e.object_id == changed_meeting.pk]
    changed, created = entries[0], entries[-1]
    assert created.history_type == "+" and changed.history_type == "~"
    assert changed.who == "Awa Traoré"
    fields = {c.field: (c.old, c.new) for c in changed.changes}
    assert fields[str(Meeting._meta.get_field("title").verbose_name)] == ("Budget review", "Budget review (moved)")
    assert fields[str(Meeting._meta.get_field("place").verbose_name)] == ("—", "Bamako")
    assert "GEC" in changed.label
    html = response.content.decode()
    assert "Budget review (moved)" in html and "Awa Traoré" in html


def test_audit_shows_the_change_reason(client, secretariat_user, changed_meeting):
    Meeting.history.filter(id=changed_meeting.pk, history_type="~").update(history_change_reason="date clash")
    client.force_login(secretariat_user)
    assert "date clash" in client.get(reverse("audit"), {"model": "meeting"}).content.decode()


def test_audit_shows_agenda_items_and_their_experts(secretariat_user):
    m = meeting(gec())
    agenda_item = item(m, title="Macro framework")
    expert = PersonFactory()
    services.agenda_item_update(item=agenda_item, title="Macro-economic framework")
    agenda_item.topic_experts.add(expert)
    AgendaItem.objects.get(pk=agenda_item.pk).save()  # a history row carrying the new experts
    _page, entries = audit_page(key="agendaitem")
    changes = {c.field: (c.old, c.new) for e in entries for c in e.changes}
    assert changes[str(AgendaItem._meta.get_field("title").verbose_name)] == ("Macro framework", "Macro-economic framework")
    # The audit names the expert, not their id.
    assert changes[str(AgendaItem._meta.get_field("topic_experts").verbose_name)] == ("—", expert.full_name)


def test_audit_filters_by_date(client, secretariat_user, changed_meeting):
    Meeting.history.filter(id=changed_meeting.pk, history_type="+").update(
        history_date=timezone.now() - datetime.timedelta(days=40)
    )
    client.force_login(secretariat_user)
    since = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    entries = client.get(reverse("audit"), {"model": "meeting", "date_from": since}).context["entries"]
    assert [e.history_type for e in entries] == ["~"]
    # The change still diffs against its predecessor, outside the range.
    assert entries[0].changes
    until = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    entries = client.get(reverse("audit"), {"model": "meeting", "date_to": until}).context["entries"]
    assert [e.history_type for e in entries] == ["+"]


@pytest.mark.parametrize(
    "params",
    [{"model": "auth.user"}, {"date_from": "yesterday"}, {"date_from": "2026-02-01", "date_to": "2026-01-01"},
     {"page": "abc"}, {"page": "99999"}, {"object_id": "-3"}, {"object_id": "9" * 40}],
)
def test_bad_filters_get_a_message_not_an_error(raw_client, secretariat_user, changed_meeting, params):
    raw_client.force_login(secretariat_user)
    assert raw_client.get(reverse("audit"), params).status_code == 200


def test_audit_page_costs_the_same_queries_whatever_its_length(client, secretariat_user):
    client.force_login(secretariat_user)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("audit"), {"model": "agendaitem"}).status_code == 200
        return len(captured)

    m = meeting(gec())
    services.agenda_item_update(item=item(m), title="Revised")
    client.get(reverse("audit"))  # warm the session
    few = queries()
    for n in range(15):
        services.agenda_item_update(item=item(m, title=f"Item {n}"), title=f"Item {n} (revised)")
    many = queries()
    # session, user, groups (is_secretariat), count, page of records with users,
    # their predecessors, the meetings in the labels, the experts (m2m) of the page's records.
    assert many == few


def test_audit_is_paginated(secretariat_user):
    m = meeting(gec())
    for n in range(30):
        item(m, title=f"Item {n}")
    page, entries = audit_page(key="agendaitem", per_page=25)
    assert len(entries) == 25 and page.paginator.num_pages == 2


@pytest.mark.parametrize("who", ["representative", "no_mandate", "staff_flag_only"])
def test_audit_is_refused_to_everyone_but_the_secretariat_and_admins(client, db, who):
    user = UserFactory(username=who, is_staff=(who == "staff_flag_only"))
    if who == "representative":
        PersonFactory(user=user)
    client.force_login(user)
    assert client.get(reverse("audit")).status_code == 403


def test_admins_read_the_audit(client, db):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x-password-123"))
    assert client.get(reverse("audit")).status_code == 200


def test_anonymous_users_are_sent_to_login(client, db):
    response = client.get(reverse("audit"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
