"""The search page: the "done when" scenario, filters, the SQLite containment path, malformed input never an
error, a query count constant in the number of results, the header's box."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import services as meeting_services
from search.text import fold, highlight, parse_terms, plain_text
from tests.search.helpers import read, search_as
from tests.security.world import build_world, login_as


@pytest.fixture
def world(db):
    w = build_world()
    gec, ga = w.instances["GEC"], w.instances["GA"]
    # A GEC meeting of March 2024, held, with its decision on the elections and the follow-up action.
    start = timezone.make_aware(datetime.datetime(2024, 3, 14, 9, 0))
    old = meeting_services.meeting_create(instance=gec, title="GEC — Mars 2024", start=start,
                                          end=start + datetime.timedelta(hours=2))
    meeting_services.agenda_item_add(meeting=old, title="Processus électoral", category="policy_dialogue",
                                     expected_outcome="decision")
    meeting_services.meeting_propose_agenda(meeting=old)
    meeting_services.meeting_convene(meeting=old)
    w.extra["decision"] = meeting_services.decision_add(
        meeting=old, text="Le GEC soutiendra l'observation des élections présidentielles par une mission conjointe.")
    w.extra["action"] = meeting_services.action_add(
        meeting=old, title="Préparer les termes de référence de la mission d'observation",
        owner_partner=w.people["rep"].partner, due_date=datetime.date(2024, 5, 1), decision=w.extra["decision"])
    w.meetings["gec_2024"] = old
    # A GA meeting of the same year, whose minutes hold a word only GA members and the SEG may read (A4).
    start = timezone.make_aware(datetime.datetime(2024, 6, 20, 10, 0))
    ga_old = meeting_services.meeting_create(instance=ga, title="GA — Juin 2024", start=start,
                                             end=start + datetime.timedelta(hours=2))
    meeting_services.agenda_item_add(meeting=ga_old, title="Situation sécuritaire", category="security",
                                     expected_outcome="information")
    meeting_services.meeting_propose_agenda(meeting=ga_old)
    meeting_services.meeting_convene(meeting=ga_old)
    w.extra["ga_minutes"] = meeting_services.minutes_save(
        meeting=ga_old, text="Les ambassadeurs ont évoqué la médiation transfrontalière et les élections.")
    return w


def test_done_when_seg_finds_the_gec_decision_on_the_2024_elections_and_its_action(world):
    page = search_as(world, "secretariat", "élections 2024")
    assert page.status == 200
    assert ("decision", world.extra["decision"].pk) in page.hits
    assert ("action", world.extra["action"].pk) in page.hits
    assert "<mark>" in page.html
    narrowed = search_as(world, "secretariat", "élections", body=world.instances["GEC"].pk, year=2024)
    assert {("decision", world.extra["decision"].pk), ("action", world.extra["action"].pk)} <= narrowed.hits
    assert ("minutes", world.extra["ga_minutes"].pk) not in narrowed.hits  # the GA's, filtered out by body


def test_rule_A4_done_when_a_gec_only_member_finds_nothing_of_a_ga_minute(world):
    page = search_as(world, "rep", "médiation transfrontalière")
    assert page.hits == set() and page.count == 0 and page.facets == {}
    assert ("minutes", world.extra["ga_minutes"].pk) in search_as(world, "ga_member", "médiation").hits
    # The GEC member still finds the GEC's own decision on the elections, not the GA's minutes.
    hits = search_as(world, "rep", "élections").hits
    assert ("decision", world.extra["decision"].pk) in hits
    assert ("minutes", world.extra["ga_minutes"].pk) not in hits


def test_filters_kind_state_and_dates(world):
    seg = "secretariat"
    assert {k for k, _ in search_as(world, seg, "élections", kind="action").hits} == {"action"}
    late = search_as(world, seg, "mission", state="late").hits
    assert late == {("action", world.extra["action"].pk)}
    assert search_as(world, seg, "mission", state="done").hits == set()
    assert search_as(world, seg, "élections", date_from="2024-03-01", date_to="2024-03-31").hits >= {
        ("decision", world.extra["decision"].pk)}
    assert ("decision", world.extra["decision"].pk) not in search_as(world, seg, "élections", year=2025).hits


def test_sqlite_containment_path_is_accent_and_case_insensitive(world):
    if connection.vendor != "sqlite":
        pytest.skip("the containment path is SQLite's")
    seg = "secretariat"
    decision = ("decision", world.extra["decision"].pk)
    assert decision in search_as(world, seg, "ELECTIONS").hits
    assert decision in search_as(world, seg, "élection présidentielle").hits  # prefixes of the words
    assert decision in search_as(world, seg, '"observation des elections"').hits
    assert decision not in search_as(world, seg, '"elections observation"').hits
    assert decision not in search_as(world, seg, "élections -mission").hits


def test_text_helpers():
    assert fold("Élections ÇA") == "elections ca"
    assert plain_text("a.b@x.org, L'été") == " a b x org l ete "
    assert parse_terms('"code électoral" -budget santé "ouvert') == (
        ["code electoral", "sante", "ouvert"], ["budget"], ["code", "electoral", "sante", "ouvert"])
    html = str(highlight("<b>Les élections</b> & la paix", ["election"]))
    assert html == "&lt;b&gt;Les <mark>élection</mark>s&lt;/b&gt; &amp; la paix"


MALFORMED = ["", "   ", "-", "--", '"', '"élections', "élections\"\"\"", "\x00\x01élections\x7f", "a" * 5000,
             "é" * 300 + " " + "b" * 300, "&|!():*", "<script>alert(1)</script>", "élections " * 200, "'", "\\",
             "\u202eélections", "-élections -budget"]


@pytest.mark.parametrize("q", MALFORMED)
def test_malformed_queries_answer_a_page_never_a_500(world, q):
    client = Client(raise_request_exception=False)
    login_as(client, world, "rep")
    response = client.get(reverse("search:search"), {"q": q})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html


@pytest.mark.parametrize("params", [
    {"year": "abc"}, {"year": "99999"}, {"date_from": "2024-13-45"}, {"date_to": "x"}, {"body": "999999999"},
    {"body": "²"}, {"body": "9" * 40}, {"kind": "nope"}, {"state": "maybe"}, {"page": "-1"}, {"page": "9999"},
])
def test_bad_filters_are_ignored_with_a_french_message(world, params):
    client = Client(raise_request_exception=False)
    login_as(client, world, "secretariat")
    response = client.get(reverse("search:search"), {"q": "élections", **params})
    assert response.status_code == 200
    page = read(response.content.decode())
    assert ("decision", world.extra["decision"].pk) in page.hits or "page" in params
    if "page" not in params:
        assert "ce filtre est ignoré" in page.html


def test_empty_and_exclusion_only_queries_say_so_in_french(world):
    assert "Tapez des mots pour chercher" in search_as(world, "rep", "").html
    assert "ne contient aucun mot à chercher" in search_as(world, "rep", "-élections").html
    assert "Aucun résultat pour « zzzqqq »" in search_as(world, "rep", "zzzqqq").html


def _queries_for(world, q):
    client = Client()
    login_as(client, world, "rep")
    client.get(reverse("search:search"), {"q": q})  # warm the session and the prepared statements
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("search:search"), {"q": q})
    page = read(response.content.decode())
    return len(captured), page


def test_query_count_of_the_results_page_does_not_grow_with_the_results(world):
    gec = world.meetings["gec"]
    start = gec.start + datetime.timedelta(days=60)
    few = meeting_services.meeting_create(instance=gec.instance, title="Peu", start=start,
                                          end=start + datetime.timedelta(hours=1))
    for n in range(5):
        meeting_services.agenda_item_add(meeting=few, title=f"Rareté {n}", category="policy_dialogue",
                                         expected_outcome="information")
    many = meeting_services.meeting_create(instance=gec.instance, title="Beaucoup",
                                           start=start + datetime.timedelta(days=1),
                                           end=start + datetime.timedelta(days=1, hours=1))
    for n in range(50):
        meeting_services.agenda_item_add(meeting=many, title=f"Abondance {n}", category="policy_dialogue",
                                         expected_outcome="information")
    meeting_services.meeting_propose_agenda(meeting=few)
    meeting_services.meeting_propose_agenda(meeting=many)
    count_5, page_5 = _queries_for(world, "rareté")
    count_50, page_50 = _queries_for(world, "abondance")
    assert page_5.count == 5 and page_50.count == 50 and len(page_50.hits) == 20
    # session + user (the role facts) + facets (one aggregate) + COUNT + the page's rows with their meetings
    assert count_5 == count_50 <= 8


def test_header_has_a_labelled_search_box_for_logged_in_users(world):
    client = Client()
    login_as(client, world, "rep")
    html = client.get(reverse("home")).content.decode()
    assert 'role="search"' in html and '<label for="site-search"' in html and 'action="/search/"' in html
    assert 'role="search"' not in Client().get(reverse("login")).content.decode()
