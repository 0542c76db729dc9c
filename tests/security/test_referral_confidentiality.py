"""A4 on the referrals pages: the GEC sees what it asked and the GA's conclusion returned to it; the GA side
(self-seized questions, GA meeting dates, the GA's work) stays with GA members and the SEG."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from tests.security.world import build_world, login_as


@pytest.fixture
def world(db, settings):
    settings.REQUIRE_2FA_FOR_STAFF = True
    return build_world()


def _page(world, role, name, **kwargs):
    client = Client()
    login_as(client, world, role)
    response = client.get(reverse(name, kwargs=kwargs))
    return response.status_code, response.content.decode()


def _ga_date(world):
    return formats.date_format(timezone.localtime(world.meetings["ga"].start), "j M Y")


def test_rule_A4_referral_list_hides_ga_side_from_gec_members(world):
    status, html = _page(world, "rep", "meetings:referrals")
    assert status == 200
    for (origin, state), referral in world.extra["referrals"].items():
        shown = origin == "gec" or state == "returned"
        assert (referral.question in html) is shown, (origin, state)
    assert world.meetings["ga"].title not in html
    assert _ga_date(world) not in html  # the GA meeting date column is not there


def test_rule_A4_referral_list_shows_everything_to_ga_members_and_seg(world):
    for role in ("ga_member", "secretariat"):
        status, html = _page(world, role, "meetings:referrals")
        assert status == 200
        assert all(r.question in html for r in world.extra["referrals"].values()), role


@pytest.mark.parametrize("state", ["scheduled", "concluded", "returned"])
def test_rule_A4_gec_member_never_sees_the_ga_meeting_of_a_referral(world, state):
    referral = world.extra["referrals"]["gec", state]
    status, html = _page(world, "rep", "meetings:referral", pk=referral.pk)
    assert status == 200
    assert referral.question in html and referral.details in html  # what the GEC asked
    assert world.meetings["ga"].title not in html
    assert reverse("meetings:detail", args=[world.meetings["ga"].pk]) not in html


def test_rule_A4_gec_member_sees_the_conclusion_only_once_returned(world):
    concluded = world.extra["referrals"]["gec", "concluded"]
    returned = world.extra["referrals"]["gec", "returned"]
    assert concluded.conclusion not in _page(world, "rep", "meetings:referral", pk=concluded.pk)[1]
    assert returned.conclusion in _page(world, "rep", "meetings:referral", pk=returned.pk)[1]


def test_rule_A4_self_seized_question_reaches_the_gec_only_as_its_returned_conclusion(world):
    for state in ("requested", "scheduled", "concluded"):
        referral = world.extra["referrals"]["self", state]
        assert _page(world, "rep", "meetings:referral", pk=referral.pk)[0] == 403, state
    returned = world.extra["referrals"]["self", "returned"]
    status, html = _page(world, "rep", "meetings:referral", pk=returned.pk)
    assert status == 200
    assert returned.conclusion in html
    assert returned.details not in html  # the GA's own working of the question


def test_rule_A4_ga_member_sees_the_whole_referral(world):
    referral = world.extra["referrals"]["self", "concluded"]
    status, html = _page(world, "ga_member", "meetings:referral", pk=referral.pk)
    assert status == 200
    assert referral.details in html and referral.conclusion in html
    assert world.meetings["ga"].title in html


def test_rule_A4_gec_meeting_page_lists_only_the_referrals_the_reader_may_open(world):
    status, html = _page(world, "rep", "meetings:detail", pk=world.meetings["gec"].pk)
    assert status == 200
    for (origin, state), referral in world.extra["referrals"].items():
        if referral.requested_at_meeting_id == world.meetings["gec"].pk or state == "returned":
            assert referral.question in html, (origin, state)


def test_drafts_list_and_page_agree_for_members(world):
    """A draft is its managers' work in progress: members see it neither in the meetings list nor by its page;
    those who manage it see both."""
    for key, managers, members in [("gec_draft", ["secretariat"], ["rep"]),
                                   ("ga_draft", ["secretariat"], ["ga_member"]),
                                   ("a_draft", ["leader_a", "secretariat"], ["gt_member"])]:
        draft = world.meetings[key]
        for role in managers + members:
            listed = draft.title in _page(world, role, "meetings:list")[1]
            opened = _page(world, role, "meetings:detail", pk=draft.pk)[0] == 200
            assert listed == opened == (role in managers), (key, role, listed, opened)
