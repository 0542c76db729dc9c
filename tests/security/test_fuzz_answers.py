"""Random input to the answer forms (the secretariat on someone's behalf, the portal's answer buttons):
never a 500, and anything but a well-formed answer for an invitation of that meeting writes nothing."""

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.security.test_fuzz import FUZZ, VALUE, django_settings, fields, post_checked, world  # noqa: F401

ANSWERS = {"attending", "declined", "tentative", "delegated"}


@FUZZ
@given(data=fields("invitation", "answer", "note"), invitation=st.booleans())
def test_fuzz_answer_on_behalf(world, data, invitation):  # noqa: F811
    target = world.invitations["rep_gec"]
    if invitation:
        data["invitation"] = str(target.pk)
    url = reverse("secretariat:answer_on_behalf", args=[world.meetings["gec"].pk])

    def well_formed(response):
        return (response.status_code == 302 and data.get("invitation") == str(target.pk)
                and data.get("answer") in ANSWERS and len(data.get("note", "")) <= 500
                and "\x00" not in data.get("note", ""))

    post_checked(world, "secretariat", url, data, accepted=well_formed)


@FUZZ
@given(answer=VALUE)
def test_fuzz_portal_answer(world, answer):  # noqa: F811
    url = reverse("secretariat:my_rsvp", args=[world.invitations["rep_gec"].pk])
    post_checked(world, "rep", url, {"answer": answer},
                 accepted=lambda response: response.status_code == 302 and answer in ANSWERS)
