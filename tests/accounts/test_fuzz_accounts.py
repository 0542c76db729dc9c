"""Random input to the account forms and links: never a 500; a refusal writes nothing."""

from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.accounts.helpers import issue_link
from tests.security.test_fuzz import FUZZ, TEXT, fields, post_checked
from tests.security.world import build_world


@pytest.fixture
def world(db, settings):
    settings.REQUIRE_2FA_FOR_STAFF = True
    return build_world()


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_fuzz_access_invite(world):
    url = reverse("membership:access_invite")
    people = [str(world.people[r].pk) for r in ("rep", "no_mandate")]

    @FUZZ
    @given(data=fields("scope", "instance", "partner", "state"), ticked=st.lists(st.sampled_from(people + ["x", "-1"])))
    def run(data, ticked):
        data = {**data, "people": ticked}
        post_checked(world, "secretariat", url, data)

    run()


def test_fuzz_secretariat_member_form(world):
    url = reverse("membership:secretariat_staff")

    @FUZZ
    @given(data=fields("first_name", "last_name", "email"))
    def run(data):
        post_checked(world, "admin", url, data)

    run()


def test_fuzz_activation_password(world):
    @FUZZ
    @given(data=fields("new_password1", "new_password2"))
    def run(data):
        client = Client(raise_request_exception=False)
        client.get(reverse("membership:activate", kwargs={"token": issue_link(world.people["no_mandate"])}))
        response = client.post(reverse("membership:activate_password"), data)
        assert response.status_code in (200, 302), data

    run()


def test_fuzz_activation_tokens(world):
    @FUZZ
    @given(token=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
                         min_size=1, max_size=300))
    def run(token):
        response = Client(raise_request_exception=False).get(f"/people/access/activate/{quote(token, safe='')}/")
        assert response.status_code in (200, 404), token

    run()


def test_fuzz_password_reset(world):
    @FUZZ
    @given(data=fields("email"))
    def run(data):
        cache.clear()
        response = post_checked(world, "anonymous", reverse("membership:password_reset"), data,
                                accepted=lambda r: r.status_code == 302)
        assert response.status_code in (200, 302)

    run()


def test_fuzz_password_reset_confirm_links(world):
    @FUZZ
    @given(uid=TEXT.filter(lambda t: t and "/" not in t), token=TEXT.filter(lambda t: t and "/" not in t),
           data=fields("new_password1", "new_password2"))
    def run(uid, token, data):
        client = Client(raise_request_exception=False)
        url = f"/people/password-reset/{quote(uid, safe='')}/{quote(token, safe='')}/"
        assert client.get(url).status_code in (200, 302, 404)
        assert client.post(url, data).status_code in (200, 302, 404)

    run()
