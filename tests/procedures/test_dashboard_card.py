"""The dashboard's card: open and draft procedures counted, a standing objection shown at once with its reason,
read in one query (the SEG's dashboard keeps its budget whatever the procedures)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import french
from procedures import services
from procedures.models import Procedure
from tests.factories import gec
from tests.procedures.helpers import cast, launched

pytestmark = pytest.mark.django_db


def _dashboard(client):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("home")).content.decode()
    return page, len(queries.captured_queries)


def test_objection_reaches_the_seg_dashboard_at_once_within_the_query_budget(client, secretariat_user):
    people = cast(gec())
    client.force_login(secretariat_user)
    client.get(reverse("home"))
    _page, before = _dashboard(client)
    silence = launched(gec(), title="Déclaration sur les élections")
    approval = launched(gec(), mode="approval", title="Lettre au ministre")
    services.procedure_create(body=gec(), title="Brouillon de position", text="…", mode="silence",
                              deadline=silence.deadline)
    services.answer_record(procedure=silence, person=people["A1"], answer="object", channel="portal",
                           reason="Le paragraphe 3 doit citer la feuille de route")
    services.answer_record(procedure=silence, person=people["B1"], answer="object", channel="portal",
                           reason="Trop long")
    services.answer_record(procedure=silence, person=people["B1"], answer="approve", channel="portal")
    # An objection in approval mode is no breaking of a silence: it is counted at closing, not flagged.
    services.answer_record(procedure=approval, person=people["C1"], answer="object", channel="portal",
                           reason="Pas d'accord")
    page, after = _dashboard(client)
    assert after == before <= 10, (before, after)  # the dashboard's budget, with or without procedures
    card = page[page.index('id="procedures"'):]
    card = card[:card.index("</section>")]
    assert "1 objection" in card and "Le paragraphe 3 doit citer la feuille de route" in card
    assert "Partenaire A" in card and people["A1"].full_name in card
    assert "Pas d'accord" not in card and "Pas d&#x27;accord" not in card
    assert "Trop long" not in card  # replaced by an approval: no longer standing
    assert "2 ouvertes" in card and "1 brouillon" in card
    # The one closing first, its deadline to the minute in Bamako's time (read back from the card's JSON column).
    first = Procedure.objects.filter(body=gec(), state=Procedure.State.OPEN).order_by("deadline", "pk").first()
    assert f'href="{reverse("procedures:detail", args=[first.pk])}"' in card
    assert french.long_datetime(first.deadline, language="fr") in card
    # Withdrawn, the objection is no longer standing.
    services.procedure_withdraw(procedure=Procedure.objects.get(pk=silence.pk), reason="Texte revu",
                                by_user=secretariat_user)
    page, _ = _dashboard(client)
    assert "Le paragraphe 3" not in page


def test_a_decision_taken_by_written_procedure_is_found_by_the_seg_only(client, secretariat_user):
    """The search index takes the decisions register's new rows (no meeting); until the access policy knows who
    reads a written decision, only the SEG finds it."""
    from meetings.models import Decision
    from search.models import SearchEntry

    people = cast(gec())
    procedure = launched(gec(), title="Déclaration sur la sécheresse")
    services.answer_record(procedure=procedure, person=people["A1"], answer="approve", channel="portal")
    assert services.procedure_close(procedure_id=procedure.pk, now=procedure.deadline + datetime.timedelta(seconds=1))
    decision = Decision.objects.get(pk=Procedure.objects.get(pk=procedure.pk).decision_id)
    entry = SearchEntry.objects.get(kind="decision", object_id=decision.pk)
    assert entry.audience == "seg" and entry.meeting_id is None and entry.instance_id == gec().pk
    client.force_login(secretariat_user)
    assert "sécheresse" in client.get(reverse("search:search") + "?q=sécheresse").content.decode()


def test_the_card_reads_every_column_the_bodies_carry():
    from procedures.panels import COLUMN_NAMES, columns

    assert set(COLUMN_NAMES) == set(columns())
