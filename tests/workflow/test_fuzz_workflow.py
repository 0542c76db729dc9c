"""Random input to the forms this workflow changed: never a 500, never a partial write."""

from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.security.test_fuzz import FUZZ, MEETING_FIELDS, VALUE, django_settings, fields, post_checked, world  # noqa: F401
from tests.security.world import login_as

ACTION_FIELDS = ("form", "title", "owner_partner", "owner_person", "due_date", "decision", "confirm_due_date")


def test_fuzz_meeting_create_with_confirmation(world):  # noqa: F811
    @FUZZ
    @given(data=fields(*MEETING_FIELDS, "confirm_past"))
    def run(data):
        post_checked(world, "secretariat", reverse("meetings:create"), data)

    run()


def test_fuzz_records_action_form(world):  # noqa: F811
    url = reverse("meetings:records", kwargs={"pk": world.meetings["a_held"].pk})

    @FUZZ
    @given(data=fields(*ACTION_FIELDS).map(lambda d: {**d, "form": "action"}))
    def run(data):
        post_checked(world, "leader_a", url, data)

    run()


def test_fuzz_referral_prefill(world):  # noqa: F811
    url = reverse("meetings:referral_new")

    @FUZZ
    @given(query=st.fixed_dictionaries({}, optional={"meeting": VALUE, "decision": VALUE, "action": VALUE}))
    def run(query):
        client = Client(raise_request_exception=False)
        login_as(client, world, "secretariat")
        assert client.get(url, query).status_code == 200

    run()
