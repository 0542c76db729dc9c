"""An id read from a query string or a header: what the path converter accepts, nothing else."""

import pytest

from core.converters import ID_MAX, parse_id


@pytest.mark.parametrize("text, expected", [("42", 42), ("1", 1), (str(ID_MAX), ID_MAX)])
def test_an_id_in_range_is_read(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize("text", ["", None, "0", "-1", "²", "٣", "4 2", "1e3", str(ID_MAX + 1), "9" * 40])
def test_anything_else_is_no_id(text):
    assert parse_id(text) is None


def test_a_query_string_number_never_answers_500(admin_client):
    for value in ["²", "٣", str(ID_MAX + 1), "9" * 40]:
        for url in (f"/meetings/referrals/new/?meeting={value}", f"/meetings/referrals/new/?decision={value}",
                    f"/meetings/new/?instance={value}"):
            assert admin_client.get(url).status_code < 500, url
