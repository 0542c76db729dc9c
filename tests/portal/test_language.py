"""French by default, English on the switch (dates are translated by Django's own catalogue)."""


import pytest
from django.urls import reverse
from django.utils import timezone

from secretariat.services import invitations_send
from tests.portal.conftest import client_for
from tests.portal.factories import gec_meeting_with_agenda

pytestmark = pytest.mark.django_db


def _month_names(day):
    from django.utils import translation
    from django.utils.dateformat import format as date_format

    with translation.override("fr"):
        fr = date_format(day, "F Y")
    with translation.override("en"):
        en = date_format(day, "F Y")
    return fr, en


def test_dashboard_french_by_default_english_on_switch(cast, seg_client):
    today = timezone.localdate()
    fr, en = _month_names(today)
    page = seg_client.get(reverse("secretariat:dashboard")).content.decode()
    assert 'lang="fr"' in page and fr in page
    seg_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = seg_client.get(reverse("secretariat:dashboard")).content.decode()
    assert 'lang="en"' in page and en in page and "Secretariat dashboard" in page


def test_my_invitations_french_by_default_english_on_switch(cast, client, secretariat_user):
    m = gec_meeting_with_agenda()
    from meetings import services

    services.meeting_propose_agenda(meeting=m)
    invitations_send(meeting=m, by_user=secretariat_user)
    start = timezone.localtime(m.start)
    client_for(client, cast.titular.user)
    from django.utils import translation
    from django.utils.dateformat import format as date_format

    with translation.override("fr"):
        fr = date_format(start, "l j F Y")
    with translation.override("en"):
        en = date_format(start, "l j F Y")
    page = client.get(reverse("secretariat:my_invitations")).content.decode()
    assert 'lang="fr"' in page and fr in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("secretariat:my_invitations")).content.decode()
    assert 'lang="en"' in page and en in page and "My invitations" in page
    assert fr != en
