"""M3, M6, M8: an invitation offers "delegation to your deputy (binôme)" only to the one who may pass the seat on."""

import pytest
from django.utils import translation

from secretariat.answers import answer_record
from secretariat.emails import invitation_message, reminder_message
from tests.secretariat import directory as d

pytestmark = pytest.mark.django_db
TITULAR = "délégation à votre suppléant"
ANY_DELEGATION = "délégation"


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    return d.convened_world(django_capture_on_commit_callbacks, size=6)


def body(row):
    with translation.override("fr"):
        return invitation_message(row).body


def test_rule_M3_only_the_titular_is_offered_the_delegation_to_her_deputy(world):
    meeting, name = world["meeting"], world["partners"][0].name
    titular, deputy = d.row(meeting, world["titulars"][name]), d.row(meeting, world["deputies"][name])
    assert TITULAR in body(titular) and TITULAR in reminder_message(titular).body
    assert ANY_DELEGATION not in body(deputy).split("Merci de répondre")[1]
    assert "Merci de répondre (présent ou absent)" in body(deputy)


def test_rule_M3_a_deputy_convened_by_delegation_is_not_offered_to_delegate(world):
    meeting, name = world["meeting"], world["partners"][1].name
    answer_record(invitation=d.row(meeting, world["titulars"][name]), answer="delegated", channel="link")
    seat_row = d.row(meeting, world["deputies"][name])
    assert seat_row.delegated_from_id is not None
    assert "Merci de répondre (présent ou absent)" in body(seat_row)


def test_rule_M8_a_groups_expert_is_offered_her_binome_and_the_binome_is_not(django_capture_on_commit_callbacks):
    from secretariat import services
    from tests.secretariat.factories import group, partner, person, proposed, seat

    gt = group("GT-EAU")
    p = partner("Danemark")
    expert, binome = person(p), person(p)
    mandate = seat(expert, gt, "expert")
    seat(binome, gt, "binome", pairs_with=mandate)
    meeting = proposed(gt, days=15)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(meeting=meeting)
    assert "délégation à votre binôme" in body(d.row(meeting, expert))
    assert "Merci de répondre (présent ou absent)" in body(d.row(meeting, binome))
