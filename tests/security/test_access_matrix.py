"""Every URL × every role gets the status the policy demands; refused POSTs change nothing."""

from tests.security.access_matrix import MATRIX
from tests.security.matrix_runner import play, url_names
from tests.security.world import ROLES, build_world


def test_every_url_has_an_entry():
    """No view can ship unchecked: a URL name without an entry in the matrix fails here."""
    missing = sorted(url_names() - set(MATRIX))
    assert missing == [], f"add these URL names to tests/security/access_matrix.py: {missing}"
    # Admin pages beyond its index may be listed too (the meeting records' add and change pages).
    stale = sorted(name for name in set(MATRIX) - url_names() if not name.startswith("admin:meetings_"))
    assert stale == [], f"these matrix entries name no URL any more: {stale}"


def test_access_matrix(db, settings):
    """One world, every case: each request is rolled back, so every role meets the same state."""
    settings.REQUIRE_2FA_FOR_STAFF = True
    world = build_world()
    wrong = []
    for name in sorted(MATRIX):
        for variant, case in MATRIX[name].items():
            for role in ROLES:
                outcome = play(world, name, case, role)
                wanted = case.expect[role]
                if outcome.status != wanted:
                    wrong.append(f"{name}[{variant}] as {role}: {outcome.status}, expected {wanted}")
                if outcome.changed and outcome.status not in (200, 302):
                    wrong.append(f"{name}[{variant}] as {role}: refused ({outcome.status}) but the data changed")
    assert wrong == [], "\n".join(wrong)


def test_matrix_runner_sees_a_refused_write(db):
    """The 'nothing changed' check is not vacuous: a write inside the request is seen."""
    from tests.security import matrix_runner

    before = matrix_runner.snapshot()
    world = build_world()
    assert matrix_runner.snapshot() != before
    assert world.meetings


def test_password_alone_reaches_no_page_for_staff_with_a_device(db, settings):
    """A secretariat account that gave its password but not its code is sent to the code page from every URL."""
    from django.test import Client
    from django.urls import reverse

    from ptf_portal.middleware import SECOND_FACTOR_OPEN

    settings.REQUIRE_2FA_FOR_STAFF = True
    world = build_world()
    client = Client(raise_request_exception=False)
    client.force_login(world.users["secretariat"])  # password checked, no OTP device verified in the session
    reached = []
    for name in sorted(MATRIX):
        if name in SECOND_FACTOR_OPEN:
            continue  # the second-factor pages themselves, logout, the language switch, the health check
        for variant, case in MATRIX[name].items():
            url = reverse(name, kwargs=case.kwargs(world))
            response = client.post(url, case.data(world)) if case.method == "POST" else client.get(url)
            if not (response.status_code == 302 and response["Location"].startswith(reverse("two_factor_verify"))):
                reached.append(f"{name}[{variant}]: {response.status_code}")
    assert reached == []
