"""Markup that axe cannot judge alone: errors tied to their fields and announced, skip link, lang, captions."""

import re

from django.urls import reverse


def test_a_field_error_is_tied_to_its_field_and_announced(client, db):
    response = client.post(reverse("membership:password_reset"), {"email": "not-an-address"},
                           HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    field = re.search(r"<input[^>]*name=\"email\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in field
    described = re.search(r'aria-describedby="([^"]+)"', field).group(1).split()
    errors = [i for i in described if i.endswith("_error")]
    assert errors, field
    error = re.search(rf'<[^>]*id="{errors[0]}"[^>]*>', html).group(0)
    assert 'role="alert"' in error


def test_every_page_has_a_skip_link_and_its_language(client, db):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr">' in html
    assert re.search(r'<a class="skip" href="#content">', html)
    assert '<main id="content">' in html
    # The language buttons name each language in that language.
    assert re.search(r'<button[^>]*value="en"[^>]*lang="en"', html)
