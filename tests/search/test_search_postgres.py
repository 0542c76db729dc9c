"""The PostgreSQL path: French stemming and accent-insensitive matching (unaccent), phrases, exclusion, English
texts in their own configuration, highlights escaped. Skipped on SQLite; CI's PostgreSQL run
(REQUIRE_SERVICES=1) fails if PostgreSQL is absent."""

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.utils import timezone

from instances.models import Instance
from meetings import services as meeting_services
from membership.roles import SECRETARIAT_GROUP
from search import indexing
from search.models import SearchEntry
from search.selectors import search
from search.text import headline_html

pytestmark = pytest.mark.django_db


@pytest.fixture
def seg(db):
    user = User.objects.create_user("seg-pg", "seg-pg@example.org", "x")
    user.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    return user


@pytest.fixture
def meeting(postgres_database, db):
    start = timezone.now() + timezone.timedelta(days=5)
    m = meeting_services.meeting_create(instance=Instance.objects.get(code="GEC"), title="Session de mars",
                                        start=start, end=start + timezone.timedelta(hours=2))
    return m


def _item(meeting, title, description=""):
    return meeting_services.agenda_item_add(meeting=meeting, title=title, description=description,
                                            category="policy_dialogue", expected_outcome="information")


def _ids(user, q):
    return {(e.kind, e.object_id) for e in search(user, q).rows}


def test_postgres_index_has_the_french_unaccent_configuration_and_gin_indexes(meeting):
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('fr_unaccent', 'Les élections financements')::text")
        vector = cursor.fetchone()[0]
        assert "'elect':2" in vector and "'financ':3" in vector  # unaccented, then the French stem
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'search_searchentry'")
        definitions = " ".join(row[0] for row in cursor.fetchall())
    assert "USING gin (vector)" in definitions and "USING gin (extra_vector)" in definitions


def test_french_stemming_finds_plurals_and_inflections(meeting, seg):
    item = _item(meeting, "Financements du secteur de la santé")
    assert ("item", item.pk) in _ids(seg, "financement")
    assert ("item", item.pk) in _ids(seg, "financer santé")


def test_accents_do_not_matter_either_way(meeting, seg):
    item = _item(meeting, "Calendrier des élections présidentielles")
    other = _item(meeting, "Electricite et energie")
    assert ("item", item.pk) in _ids(seg, "elections")
    assert ("item", item.pk) in _ids(seg, "ÉLECTIONS")
    assert ("item", other.pk) in _ids(seg, "électricité")


def test_quoted_phrase_and_minus_exclusion(meeting, seg):
    phrase = _item(meeting, "Révision du code électoral")
    scattered = _item(meeting, "Code de conduite", description="Observation électorale")
    both = _ids(seg, "code électoral")
    assert {("item", phrase.pk), ("item", scattered.pk)} <= both
    assert ("item", phrase.pk) in _ids(seg, '"code électoral"')
    assert ("item", scattered.pk) not in _ids(seg, '"code électoral"')
    assert ("item", phrase.pk) not in _ids(seg, "code -révision")
    assert ("item", scattered.pk) in _ids(seg, "code -révision")


def test_english_text_is_matched_in_english(meeting, seg):
    document_entry = SearchEntry.objects.create(
        kind="document", object_id=999_999, audience="meeting", meeting=meeting, instance=meeting.instance,
        language="en", title="Donor coordination report", body="The partners were financing several studies.",
        link="/")
    indexing._compute_vectors(SearchEntry.objects.filter(pk=document_entry.pk))
    assert ("document", 999_999) in _ids(seg, "finance studies")
    assert ("document", 999_999) in _ids(seg, "coordination")


def test_ranking_puts_title_matches_first_and_highlights_are_escaped(meeting, seg):
    in_body = _item(meeting, "Point divers", description="<script>alert(1)</script> la sécurité alimentaire")
    in_title = _item(meeting, "Sécurité alimentaire", description="Note")
    results = search(seg, "sécurité")
    rows = list(results.rows)
    assert [(r.kind, r.object_id) for r in rows[:2]] == [("item", in_title.pk), ("item", in_body.pk)]
    html = str(headline_html(rows[1].headline))
    assert "<script>" not in html and "<mark>sécurité</mark>" in html


def test_empty_or_stop_word_queries_find_nothing_without_error(meeting, seg):
    _item(meeting, "Le point de la situation")
    for q in ("-", "de", '"', "&|!():*", "-situation", "'", "\\", "<mark>"):
        assert list(search(seg, q).rows) == [], q
