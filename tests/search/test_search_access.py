"""Never a leak through the search (A4, drafts, referrals, addresses): for each of the eight roles of the access
matrix, a word that appears only in what a role may not open is not found by it, and the counts by kind are the
results shown."""

import pytest
from django.utils import timezone

from meetings import services as meeting_services
from meetings.models import AgendaItem, Referral
from search.models import SearchEntry
from secretariat.models import Invitation
from tests.search.helpers import search_as
from tests.security.world import build_world

ROLES = ["no_mandate", "rep", "ga_member", "gt_member", "leader_b", "leader_a", "secretariat", "admin"]
STAFF = {"secretariat", "admin"}


@pytest.fixture
def world(db):
    w = build_world()
    gec, ga = w.meetings["gec"], w.meetings["ga"]
    # A GA minute (A4: GA members and the SEG).
    w.extra["ga_minutes"] = meeting_services.minutes_save(meeting=ga, text="Échange franc sur zorgaminute.")
    # A GEC meeting with an open and a confidential item; the person without any seat is invited to it.
    gec2 = meeting_services.meeting_create(instance=gec.instance, title="Session GEC bis",
                                           start=gec.start + timezone.timedelta(days=3),
                                           end=gec.end + timezone.timedelta(days=3))
    w.extra["open_item"] = meeting_services.agenda_item_add(meeting=gec2, title="Point zorgopen",
                                                            category="policy_dialogue", expected_outcome="information")
    w.extra["conf_item"] = meeting_services.agenda_item_add(
        meeting=gec2, title="Point zorgconf", description="Texte zorgconftext", category="policy_dialogue",
        expected_outcome="information", confidential=True)
    meeting_services.meeting_propose_agenda(meeting=gec2)
    person = w.people["no_mandate"]
    Invitation.objects.create(meeting=gec2, person=person, email=person.email, name=person.full_name)
    # Drafts: the GEC's (the SEG only) and group A's (its leader and the SEG).
    w.extra["gec_draft_item"] = meeting_services.agenda_item_add(
        meeting=w.meetings["gec_draft"], title="Projet zorgdraft", category="policy_dialogue",
        expected_outcome="information")
    w.extra["a_draft_item"] = meeting_services.agenda_item_add(
        meeting=w.meetings["a_draft"], title="Projet zorggroupdraft", category="sector_dialogue",
        expected_outcome="information")
    # Group A's minutes (its members, its leader, the SEG).
    w.extra["a_minutes"] = meeting_services.minutes_save(meeting=w.meetings["a_held"], text="Revue zorggroupminute.")
    # An item proposed by a member of group A: on the meeting page, only its managers see it among the items.
    w.extra["proposed"] = meeting_services.agenda_item_propose(
        meeting=w.meetings["a"], proposer=w.people["gt_member"], title="Proposition zorgproposal",
        category="sector_dialogue", expected_outcome="information")
    # Created after the GEC meeting above (which took the concluded questions back to the GEC): a GA conclusion
    # not yet returned to the GEC.
    w.extra["concluded"] = Referral.objects.create(
        origin="gec", state="concluded", question="Question zorgquestion", conclusion="Conclusion zorgconclusion",
        requested_at_meeting=gec, ga_meeting=ga)
    return w


def _found(world, role, q, kind, obj) -> bool:
    page = search_as(world, role, q)
    assert page.status == 200
    return (kind, obj.pk) in page.hits


PROBES = {
    # (query, kind, object key, who finds it)
    "ga_minute": ("zorgaminute", "minutes", "ga_minutes", {"ga_member"} | STAFF),
    "open_item": ("zorgopen", "item", "open_item", {"rep", "no_mandate"} | STAFF),
    "confidential_item": ("zorgconf", "item", "conf_item", {"rep"} | STAFF),
    "confidential_item_text": ("zorgconftext", "item", "conf_item", {"rep"} | STAFF),
    "gec_draft": ("zorgdraft", "item", "gec_draft_item", STAFF),
    "group_draft": ("zorggroupdraft", "item", "a_draft_item", {"leader_a"} | STAFF),
    "group_minute": ("zorggroupminute", "minutes", "a_minutes", {"gt_member", "leader_a"} | STAFF),
    "proposed_item": ("zorgproposal", "item", "proposed", {"leader_a"} | STAFF),
}


@pytest.mark.parametrize("probe", PROBES)
def test_rule_A4_search_finds_only_what_each_role_may_open(world, probe):
    q, kind, key, readers = PROBES[probe]
    for role in ROLES:
        page = search_as(world, role, q)
        assert page.status == 200
        assert ((kind, world.extra[key].pk) in page.hits) is (role in readers), (probe, role)
        if role not in readers:
            # Nothing about it: no title, no excerpt, no count.
            assert 'id="results"' not in page.html and 'id="facets"' not in page.html, (probe, role)
            assert page.count == 0 and page.facets == {}, (probe, role)


def test_rule_A4_confidential_item_is_not_found_by_an_invitee_without_clearance(world):
    """The person invited to the GEC meeting without a seat opens it and finds its open item, never the
    confidential one: neither its title nor its text, nor a count."""
    assert _found(world, "no_mandate", "zorgopen", "item", world.extra["open_item"])
    page = search_as(world, "no_mandate", "Point")
    assert ("item", world.extra["open_item"].pk) in page.hits
    assert ("item", world.extra["conf_item"].pk) not in page.hits
    assert page.facets == {"item": page.count}
    assert "zorgconf" not in page.html


def test_rule_A4_referrals_in_search_follow_referral_sight(world):
    referrals = world.extra["referrals"]
    for origin in ("gec", "self"):
        for n, state in enumerate(("requested", "scheduled", "concluded", "returned")):
            referral = Referral.objects.get(pk=referrals[origin, state].pk)
            gec_sees = origin == "gec" or referral.state == "returned"
            for role in ROLES:
                question_readers = {"ga_member"} | STAFF | ({"rep"} if gec_sees else set())
                found = ("referral", referral.pk) in search_as(world, role, f"rq{n} {origin}").hits
                assert found is (role in question_readers), (origin, state, role)
            # The details of a question the GA took up itself stay on the GA side, even once returned.
            details_readers = {"ga_member"} | STAFF | ({"rep"} if origin == "gec" else set())
            assert (("referral", referral.pk) in search_as(world, "rep", f"rd{n} {origin}").hits) is \
                ("rep" in details_readers), (origin, state)
    # A conclusion not returned to the GEC is GA work: the GEC member finds the question, not by the conclusion.
    concluded = world.extra["concluded"]
    assert ("referral", concluded.pk) in search_as(world, "rep", "zorgquestion").hits
    for role in ROLES:
        found = ("referral", concluded.pk) in search_as(world, role, "zorgconclusion").hits
        assert found is (role in {"ga_member"} | STAFF), role


def test_person_addresses_are_found_only_by_the_seg(world):
    person = world.people["ga_member"]
    for role in ROLES:
        page = search_as(world, role, person.email)
        assert (("person", person.pk) in page.hits) is (role in STAFF), role
        assert search_as(world, role, person.last_name).hits >= {("person", person.pk)}, role
    assert person.email not in search_as(world, "rep", person.last_name).html.split("</form>", 2)[-1]


def test_facet_counts_equal_the_results_shown_for_every_role(world):
    for role in ROLES:
        for q in ("Session", "Item", "Point", "zorg*", "Question"):
            page = search_as(world, role, q)
            assert sum(page.facets.values()) == page.count, (role, q)
            for kind, n in page.facets.items():
                narrowed = search_as(world, role, q, kind=kind)
                assert narrowed.count == n and {k for k, _ in narrowed.hits} <= {kind}, (role, q, kind)
                assert len(narrowed.hits) == min(n, 20)


def test_index_rows_carry_the_policy_columns(world):
    entry = SearchEntry.objects.get(kind="item", object_id=world.extra["conf_item"].pk)
    assert entry.clearance and not entry.managers_only and entry.audience == "meeting"
    entry = SearchEntry.objects.get(kind="item", object_id=world.extra["proposed"].pk)
    assert entry.managers_only and entry.state == AgendaItem.Status.PROPOSED
    assert SearchEntry.objects.get(kind="minutes", object_id=world.extra["ga_minutes"].pk).clearance
