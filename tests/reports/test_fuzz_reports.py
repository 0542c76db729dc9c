"""Random filters to the assiduity page and its CSV: never a 500, a clear 400 for what is not a period."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given

from tests.security.test_fuzz import FUZZ, fields
from tests.security.world import build_world, login_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


@FUZZ
@given(data=fields("instance", "year", "start", "end", "sort"))
def test_assiduity_filters_never_fail(world, data):
    client = Client(raise_request_exception=False)
    login_as(client, world, "secretariat")
    for name in ("secretariat:assiduity", "secretariat:assiduity_csv"):
        response = client.get(reverse(name), data)
        assert response.status_code in (200, 400), (name, data, response.status_code)


@FUZZ
@given(data=fields("instance", "year"))
def test_assiduity_filters_never_open_another_groups_report(world, data):
    client = Client(raise_request_exception=False)
    login_as(client, world, "leader_b")
    response = client.get(reverse("secretariat:assiduity"), {**data, "instance": "GT-A"})
    assert response.status_code in (400, 403)
