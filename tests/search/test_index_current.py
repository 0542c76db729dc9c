"""The index follows every writer: the importer's bulk writes, the admin's and services' saves, deletions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from instances.models import Instance
from meetings import services as meeting_services
from meetings.models import Attendance
from membership.importer import import_directory
from membership.models import Partner, Person
from search.indexing import BUILDERS, reindex_all
from search.models import SearchEntry
from secretariat.models import Invitation
from tests.membership.import_factories import MEMBER_COLUMNS, directory, write_csv

pytestmark = pytest.mark.django_db


def _entries(kind):
    return {e.object_id: e for e in SearchEntry.objects.filter(kind=kind)}


def test_importer_bulk_writes_keep_people_and_partners_indexed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_csv(tmp_path / "members.csv", directory(2, groups=()), MEMBER_COLUMNS)
    result = import_directory(members=path.name)
    assert result.ok
    people, partners = _entries("person"), _entries("partner")
    assert set(people) == set(Person.objects.values_list("pk", flat=True))
    assert set(partners) == set(Partner.objects.values_list("pk", flat=True))
    person = Person.objects.select_related("institution__partner").first()
    assert person.institution.partner.name in people[person.pk].body
    # The same rows as a rebuild would write (the GEC and GA, made by a data migration, wait for the rebuild).
    directory_rows = SearchEntry.objects.filter(kind__in=("person", "partner"))
    before = {(e.kind, e.object_id, e.title, e.body, e.plain) for e in directory_rows}
    reindex_all()
    assert {(e.kind, e.object_id, e.title, e.body, e.plain) for e in directory_rows.all()} == before


def test_a_partner_renamed_renames_its_people_in_the_index(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    import_directory(members=write_csv(tmp_path / "m.csv", directory(1, groups=()), MEMBER_COLUMNS).name)
    partner = Partner.objects.first()
    partner.name = "Royaume de Zorgovie"
    partner.save()
    person = Person.objects.filter(institution__partner=partner).first()
    assert "Zorgovie" in SearchEntry.objects.get(kind="person", object_id=person.pk).body


def test_deleting_a_record_removes_its_entry(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    import_directory(members=write_csv(tmp_path / "m.csv", directory(1, groups=()), MEMBER_COLUMNS).name)
    person = Person.objects.first()
    person.mandates.all().delete()
    person.delete()
    assert not SearchEntry.objects.filter(kind="person", object_id=person.pk).exists()


def test_index_costs_a_few_queries_per_write_and_none_per_invitation(db):
    """The receivers add a constant handful of queries to a write (read the record, upsert the row, and on
    PostgreSQL its vector); invitations, answers and attendance are not indexed at all."""
    start = timezone.now() + datetime.timedelta(days=9)
    meeting = meeting_services.meeting_create(instance=Instance.objects.get(code="GEC"), title="Coût",
                                              start=start, end=start + datetime.timedelta(hours=1))
    with CaptureQueriesContext(connection) as captured:
        meeting_services.agenda_item_add(meeting=meeting, title="Point", category="policy_dialogue",
                                         expected_outcome="information")
    index_queries = [q["sql"] for q in captured if "search_searchentry" in q["sql"]]
    assert len(index_queries) <= 2  # the upsert, and on PostgreSQL the vector's UPDATE
    assert Invitation not in BUILDERS and Attendance not in BUILDERS


def test_migrate_builds_an_empty_index_over_existing_records():
    """A new install or an upgrade from a release without search: `migrate` ends with the index built."""
    from django.core.management.sql import emit_post_migrate_signal

    partner = Partner.objects.create(name="Norvège", partner_type=Partner.Type.BILATERAL)
    SearchEntry.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert SearchEntry.objects.filter(kind="partner", object_id=partner.pk).exists()
    assert SearchEntry.objects.filter(kind="group", object_id=Instance.objects.get(code="GEC").pk).exists()
    # A non-empty index is left to the receivers: nothing is rebuilt behind them.
    SearchEntry.objects.filter(kind="partner").delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert not SearchEntry.objects.filter(kind="partner").exists()
