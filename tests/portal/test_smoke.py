"""Every main page renders for the user it is meant for (no template error, no 500)."""

import pytest
from django.urls import reverse

from tests.portal.factories import gec_meeting_with_agenda

pytestmark = pytest.mark.django_db


def test_secretariat_pages_render(cast, seg_client):
    m = gec_meeting_with_agenda()
    urls = [
        reverse("home"), reverse("meetings:dashboard"), reverse("meetings:list"), reverse("meetings:create"),
        reverse("meetings:schedule"), reverse("meetings:detail", args=[m.pk]), reverse("meetings:edit", args=[m.pk]),
        reverse("meetings:distribution", args=[m.pk]), reverse("meetings:send", args=[m.pk]),
        reverse("meetings:reschedule", args=[m.pk]), reverse("meetings:cancel", args=[m.pk]),
        reverse("meetings:document_add", args=[m.pk]), reverse("meetings:item_add", args=[m.pk]),
        reverse("meetings:actions"), reverse("meetings:referrals"), reverse("meetings:referral_new"),
        reverse("instances:list"), reverse("instances:organigram"), reverse("instances:detail", args=["GEC"]),
        reverse("instances:detail", args=["GT-SANTE"]), reverse("membership:partners"),
        reverse("membership:partner", args=[cast.france.pk]), reverse("meetings:dashboard_progress"),
        reverse("meetings:progress", args=[m.pk]), reverse("meetings:failed", args=[m.pk]),
    ]
    for url in urls:
        response = seg_client.get(url)
        assert response.status_code == 200, url
