"""Every main page renders for the user it is meant for (no template error, no 500)."""

import pytest
from django.urls import reverse

from tests.portal.factories import gec_meeting_with_agenda

pytestmark = pytest.mark.django_db


def test_secretariat_pages_render(cast, seg_client):
    m = gec_meeting_with_agenda()
    urls = [
        reverse("home"), reverse("secretariat:dashboard"), reverse("meetings:list"), reverse("meetings:create"),
        reverse("meetings:schedule"), reverse("meetings:detail", args=[m.pk]), reverse("meetings:edit", args=[m.pk]),
        reverse("secretariat:distribution", args=[m.pk]), reverse("secretariat:send", args=[m.pk]),
        reverse("secretariat:reschedule", args=[m.pk]), reverse("secretariat:cancel", args=[m.pk]),
        reverse("meetings:document_add", args=[m.pk]), reverse("meetings:item_add", args=[m.pk]),
        reverse("meetings:actions"), reverse("meetings:referrals"), reverse("meetings:referral_new"),
        reverse("directory:list"), reverse("directory:organigram"), reverse("directory:detail", args=["GEC"]),
        reverse("directory:detail", args=["GT-SANTE"]), reverse("membership:partners"),
        reverse("membership:partner", args=[cast.france.pk]), reverse("secretariat:dashboard_progress"),
        reverse("secretariat:progress", args=[m.pk]), reverse("secretariat:failed", args=[m.pk]),
    ]
    for url in urls:
        response = seg_client.get(url)
        assert response.status_code == 200, url
