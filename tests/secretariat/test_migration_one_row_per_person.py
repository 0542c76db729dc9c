"""The migration to one invitation per person folds the earlier rows (updates, delegate rows) sensibly."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import gec
from tests.secretariat.factories import partner, person, proposed, seat

BEFORE = [("secretariat", "0001_initial")]
AFTER = [("secretariat", "0004_invitation_one_per_person_constraints")]


@pytest.mark.django_db(transaction=True)
def test_rows_of_a_person_fold_into_one_with_the_answer_the_delegation_and_the_message_count():
    from instances.models import Instance

    Instance.objects.get_or_create(code="GEC", defaults={"kind": "GEC", "name_fr": "GEC", "name_en": "GEC"})
    france = partner("France")
    titular, deputy = person(france), person(france)
    seat(titular, gec(), "titular")
    seat(deputy, gec(), "deputy")
    meeting = proposed(gec())
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("secretariat", "Invitation")
    now = timezone.now()

    def make(who, **kwargs):
        kwargs.setdefault("state", "sent")
        return old.objects.create(meeting_id=meeting.pk, person_id=who.pk, email=who.email, name=who.full_name,
                                  **kwargs)

    t_request = make(titular, kind="request", recipient="to", rsvp="delegated", rsvp_at=now,
                     delegated_to_id=deputy.pk, sequence=0)
    make(titular, kind="update", recipient="to", sequence=1)
    d_copy = make(deputy, kind="request", recipient="cc", sequence=0)
    make(deputy, kind="request", recipient="to", delegated_from_id=t_request.pk, reason="Représente France",
         sequence=0)
    make(deputy, kind="update", recipient="to", sequence=1, state="failed")
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    try:
        # The model as this migration leaves it (later migrations add columns of their own).
        after = MigrationExecutor(connection).loader.project_state(AFTER).apps.get_model("secretariat", "Invitation")
        rows = {row.person_id: row for row in after.objects.filter(meeting_id=meeting.pk)}
        assert set(rows) == {titular.pk, deputy.pk}
        t, d = rows[titular.pk], rows[deputy.pk]
        assert t.pk == t_request.pk and t.kind == "update" and t.sequence == 1 and t.messages_sent == 2
        assert t.rsvp == "delegated" and t.delegated_to_id == deputy.pk
        assert t.answer_channel == "link" and t.answered_sequence == 0
        assert d.pk == d_copy.pk and d.recipient == "to" and d.delegated_from_id == t.pk
        assert d.state == "failed" and d.messages_sent == 2 and d.reason == "Représente France"
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
