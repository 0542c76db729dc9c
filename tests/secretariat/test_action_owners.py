"""The action form's owner lists: the meeting's invitees and their partners first, and once a partner is chosen,
only that partner's people (a person of another partner is refused, in French)."""

import pytest
from django.utils import translation

from meetings.forms import ActionForm
from tests.secretariat import directory as d
from tests.secretariat.factories import partner, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    for n in range(8):  # a directory larger than the meeting: people of partners not invited
        person(partner(f"Zz Hors liste {n}"))
    return d.convened_world(django_capture_on_commit_callbacks, size=6)


def test_invitees_and_their_partners_come_first(world):
    meeting = world["meeting"]
    form = ActionForm(meeting=meeting)
    invited = {i.person_id for i in meeting.invitations.all()}
    people = list(form.fields["owner_person"].queryset)
    assert {p.pk for p in people[:len(invited)]} == invited and len(people) > len(invited)
    partners = [p.name for p in form.fields["owner_partner"].queryset]
    assert set(partners[:6]) == {p.name for p in world["partners"]} and partners[6].startswith("Zz")


def test_the_chosen_partner_filters_the_people_and_refuses_another(world):
    meeting = world["meeting"]
    name, other = world["partners"][0], world["partners"][1]
    titular = world["titulars"][name.name]
    form = ActionForm({"title": "Note", "owner_partner": name.pk, "owner_person": titular.pk,
                       "due_date": "2027-01-31"}, meeting=meeting)
    assert {p.institution.partner_id for p in form.fields["owner_person"].queryset} == {name.pk}
    with translation.override("fr"):
        wrong = ActionForm({"title": "Note", "owner_partner": name.pk,
                            "owner_person": world["titulars"][other.name].pk, "due_date": "2027-01-31"},
                           meeting=meeting)
        assert not wrong.is_valid() and "owner_person" in wrong.errors
        assert "Sélectionnez un choix valide" in wrong.errors["owner_person"][0]
