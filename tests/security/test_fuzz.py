"""Random input to the main forms, RSVP links and the importer — never a 500, never a
partial write. Bounded examples so CI stays fast."""

import io
import string

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from membership.importer import import_directory
from tests.security.matrix_runner import snapshot
from tests.security.world import build_world, login_as

FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
VALUE = st.one_of(TEXT, st.integers(-10**12, 10**12).map(str), st.sampled_from(
    ["", "0", "-1", "2026-02-30", "2026-01-15T09:00", "9999-12-31 23:59", "draft", "GA", "attending", "delegated",
     "present", "represented", "<script>", "' OR 1=1 --", "=cmd|' /C calc'!A0", "\x00", "1e309"]))


def fields(*names):
    """Random form data over the form's own field names plus a few unexpected ones."""
    known = st.fixed_dictionaries({}, optional={name: VALUE for name in names})
    return st.tuples(known, st.dictionaries(TEXT, VALUE, max_size=3)).map(lambda t: {**t[1], **t[0]})


@pytest.fixture
def world(db, django_settings):
    django_settings.REQUIRE_2FA_FOR_STAFF = True
    return build_world()


@pytest.fixture
def django_settings(settings):
    return settings


def post_checked(world, role, url, data, accepted=lambda response: response.status_code == 302):
    """POST inside a rolled-back transaction: no 500; a refusal (by default anything but a redirect) writes
    nothing."""
    client = Client(raise_request_exception=False)
    with transaction.atomic():
        login_as(client, world, role)
        before = snapshot()
        response = client.post(url, data)
        assert response.status_code != 500, (url, data)
        if not accepted(response):
            assert snapshot() == before, (url, data, response.status_code)
        transaction.set_rollback(True)
    return response


MEETING_FIELDS = ("instance", "kind", "title", "start", "end", "place", "video_link", "extraordinary_reason",
                  "proposal_deadline", "with_government")
ITEM_FIELDS = ("title", "description", "category", "expected_outcome", "duration_minutes", "presenter_person",
               "presenter_group", "topic_experts", "confidential", "referral")


def test_fuzz_meeting_create(world):
    @FUZZ
    @given(data=fields(*MEETING_FIELDS))
    def run(data):
        post_checked(world, "secretariat", reverse("meetings:create"), data)

    run()


def test_fuzz_agenda_item_add(world):
    url = reverse("meetings:item_add", kwargs={"pk": world.meetings["a"].pk})

    @FUZZ
    @given(data=fields(*ITEM_FIELDS), role=st.sampled_from(["leader_a", "leader_b", "rep"]))
    def run(data, role):
        post_checked(world, role, url, data)

    run()


def test_fuzz_attendance(world):
    meeting = world.meetings["a_held"]
    url = reverse("meetings:attendance", kwargs={"pk": meeting.pk})
    people = [world.people[r].pk for r in ("gt_member", "leader_a")]
    names = [f"p{pk}-{f}" for pk in people for f in ("status", "represented_by")] + ["initialise"]

    @FUZZ
    @given(data=fields(*names))
    def run(data):
        post_checked(world, "leader_a", url, data)

    run()


def test_fuzz_rsvp_post(world):
    url = reverse("secretariat:rsvp", kwargs={"token": world.extra["rsvp_rep"]})

    @FUZZ
    @given(data=fields("answer", "action", "delegate", "confirm"))
    def run(data):
        # The RSVP page answers a recorded answer with its own 200 page instead of a redirect.
        valid = data.get("answer") in ("attending", "declined", "delegated")
        post_checked(world, "anonymous", url, data,
                     accepted=lambda response: valid and response.status_code == 200)

    run()


TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_:."


def test_fuzz_rsvp_tokens(world):
    """Random and altered tokens: a clear refusal, never a 500, never an invitation answered."""
    valid = world.extra["rsvp_rep"]

    @FUZZ
    @given(
        token=st.one_of(
            st.text(alphabet=TOKEN_ALPHABET, min_size=1, max_size=120),
            st.tuples(st.integers(0, len(valid) - 1), st.sampled_from(TOKEN_ALPHABET)).map(
                lambda t: valid[: t[0]] + t[1] + valid[t[0] + 1:]
            ),
        ),
        method=st.sampled_from(["get", "post"]),
    )
    def run(token, method):
        client = Client(raise_request_exception=False)
        try:
            url = reverse("secretariat:rsvp", kwargs={"token": token})
        except Exception:  # noqa: BLE001  (a token the URL pattern cannot carry is not a request)
            return
        with transaction.atomic():
            before = snapshot()
            response = getattr(client, method)(url, {"answer": "attending"} if method == "post" else None)
            assert response.status_code != 500, token
            if token != valid:
                assert response.status_code in (400, 404), token
                assert snapshot() == before
            transaction.set_rollback(True)

    run()


CSV_CELL = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
MEMBER_HEADER = ["partner", "partner_type", "institution", "last_name", "first_name", "email", "function",
                 "instance", "role", "start", "end", "authority", "limits"]


def _named(data: bytes, name: str):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def _import_checked(members, groups=None):
    before = snapshot()
    try:
        result = import_directory(members=members, groups=groups)
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"the importer raised {error!r}")
    if result.errors:
        assert snapshot() == before


def test_fuzz_importer_random_bytes(world):
    @FUZZ
    @given(data=st.binary(max_size=400), name=st.sampled_from(["members.csv", "members.xlsx", "members.txt"]))
    def run(data, name):
        with transaction.atomic():
            _import_checked(_named(data, name))
            transaction.set_rollback(True)

    run()


def test_fuzz_importer_random_csv_cells(world):
    row = st.lists(CSV_CELL, min_size=len(MEMBER_HEADER), max_size=len(MEMBER_HEADER))

    @FUZZ
    @given(rows=st.lists(row, min_size=1, max_size=4), header=st.permutations(MEMBER_HEADER))
    def run(rows, header):
        import csv

        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        with transaction.atomic():
            _import_checked(_named(out.getvalue().encode("utf-8"), "members.csv"))
            transaction.set_rollback(True)

    run()
