"""Every main page renders in a constant number of SQL queries: the same count at 1× and 5× the data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from instances.models import Instance
from meetings import services
from membership.models import Mandate, Person
from secretariat.services import distribution_generate, invitations_send
from tests.factories import PartnerFactory, PersonFactory
from tests.meetings.factories import at, pdf
from tests.portal.conftest import client_for
from tests.portal.factories import seat

pytestmark = pytest.mark.django_db


def grow_big_meeting(cast, big, n: int, offset: int):
    """The meeting compared on its page gets n more items, documents and proposals each round."""
    for i in range(n):
        k = offset + i
        item = services.agenda_item_add(meeting=big, title=f"Big item {k}", category="policy_dialogue",
                                        expected_outcome="information", presenter_group=cast.group)
        services.document_attach(meeting=big, uploaded_file=pdf(), title=f"Big doc {k}", agenda_item=item)
        services.document_attach(meeting=big, uploaded_file=pdf(), title=f"Big doc {k}c", confidential=True)
        services.agenda_item_propose(meeting=big, proposer=cast.titular, title=f"Big proposal {k}",
                                     category="effectiveness", expected_outcome="information")


def populate(cast, n: int, offset: int, seg_user):
    """n more partners seated in the GEC (titular + deputy), n more GT experts, n more GEC meetings with
    items, documents, decisions, actions and sent invitations, and n more groups."""
    for i in range(n):
        k = offset + i
        partner = PartnerFactory(name=f"Partner {k}")
        titular = PersonFactory(institution__partner=partner)
        seat(titular, cast.gec)
        seat(PersonFactory(institution__partner=partner), cast.gec, Mandate.Role.DEPUTY)
        seat(PersonFactory(institution__partner=partner, function=Person.Function.EXPERT), cast.group,
             Mandate.Role.EXPERT)
        seat(cast.titular, Instance.objects.create(kind="GD", code=f"GD-{k}", name_fr=f"GD {k}", name_en=f"GD {k}",
                                                   leader_partner=partner, leader_person=titular),
             Mandate.Role.EXPERT)
        start = at(10 + k)
        meeting = services.meeting_create(instance=cast.gec, title=f"GEC {k}", start=start,
                                          end=start + datetime.timedelta(hours=2), proposal_deadline=at(5 + k))
        item = services.agenda_item_add(meeting=meeting, title=f"Item {k}", category="policy_dialogue",
                                        expected_outcome="information", presenter_group=cast.group)
        services.agenda_item_add(meeting=meeting, title=f"Item {k}b", category="effectiveness",
                                 expected_outcome="information")
        services.document_attach(meeting=meeting, uploaded_file=pdf(), title=f"Doc {k}", agenda_item=item)
        services.document_attach(meeting=meeting, uploaded_file=pdf(), title=f"Doc {k}c", confidential=True)
        services.agenda_item_propose(meeting=meeting, proposer=cast.titular, title=f"Proposal {k}",
                                     category="effectiveness", expected_outcome="information")
        services.meeting_propose_agenda(meeting=meeting)
        distribution_generate(meeting=meeting, by_user=seg_user)
        invitations_send(meeting=meeting, by_user=seg_user)
        services.attendance_initialise(meeting=meeting, people=[cast.titular, cast.deputy, titular])
        services.decision_add(meeting=meeting, text=f"Decision {k}")
        services.action_add(meeting=meeting, title=f"Action {k}", owner_partner=partner,
                            due_date=datetime.date(2020, 1, 1) if k % 2 else datetime.date(2099, 1, 1))
        distribution_generate(meeting=meeting, by_user=seg_user)
    return meeting


def count(client, url) -> int:
    client.get(url)  # warm up: session writes, caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def pages(cast, meeting, big):
    """(user attribute, url) of each main page."""
    return [
        ("seg", reverse("secretariat:dashboard")),
        ("seg", reverse("secretariat:dashboard_progress")),
        ("seg", reverse("meetings:list")),
        ("seg", reverse("meetings:detail", args=[meeting.pk])),
        ("seg", reverse("meetings:detail", args=[big.pk])),
        ("titular", reverse("meetings:detail", args=[big.pk])),
        ("seg", reverse("meetings:records", args=[meeting.pk])),
        ("seg", reverse("secretariat:distribution", args=[meeting.pk])),
        ("seg", reverse("secretariat:send", args=[meeting.pk])),
        ("seg", reverse("meetings:attendance", args=[meeting.pk])),
        ("seg", reverse("meetings:actions")),
        ("seg", reverse("meetings:referrals")),
        ("seg", reverse("directory:list")),
        ("seg", reverse("directory:detail", args=["GEC"])),
        ("seg", reverse("directory:organigram")),
        ("seg", reverse("membership:partners")),
        ("seg", reverse("membership:partner", args=[cast.france.pk])),
        ("titular", reverse("secretariat:my_invitations")),
        ("titular", reverse("membership:my_mandates")),
        ("titular", reverse("meetings:detail", args=[meeting.pk])),
        ("leader", reverse("secretariat:dashboard")),
    ]


def test_main_pages_render_in_constant_queries(cast, client, secretariat_user, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    users = {"seg": secretariat_user, "titular": cast.titular.user, "leader": cast.leader.user}
    big = services.meeting_create(instance=cast.gec, title="Big", start=at(200), end=at(200, hour=12),
                                  proposal_deadline=at(190))
    grow_big_meeting(cast, big, 1, 0)
    services.meeting_propose_agenda(meeting=big)  # members see a meeting once its agenda is proposed
    last = populate(cast, 1, 0, secretariat_user)
    small = {}
    for who, url in pages(cast, last, big):
        small[(who, url)] = count(client_for(client, users[who]), url)
    populate(cast, 4, 1, secretariat_user)
    grow_big_meeting(cast, big, 4, 1)
    for who, url in pages(cast, last, big):
        assert count(client_for(client, users[who]), url) == small[(who, url)], (who, url)
