"""The SEG downloads the attendance sheet from the meeting page in real Chromium and reads it back."""

import pytest
from django.utils import timezone

from tests.e2e.conftest import login, shot
from tests.reports.pdftext import pdf_text
from tests.reports.world import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_seg_downloads_the_attendance_sheet_from_the_meeting_page(page, e2e_cast, tmp_path):
    world = build(e2e_cast.seg)
    login(page, "seg")
    page.goto(f"{page.base}/meetings/{world.upcoming.pk}/")
    panel = page.locator("#printed-documents")
    assert panel.is_visible()
    shot(page, "meeting-printed-documents")
    with page.expect_download() as info:
        panel.locator("a[data-kind=attendance]").click()
    download = info.value
    day = f"{timezone.localtime(world.upcoming.start):%Y-%m-%d}"
    assert download.suggested_filename == f"{day} GEC - feuille d'émargement.pdf"
    target = tmp_path / "sheet.pdf"
    download.save_as(str(target))
    text = pdf_text(target.read_bytes())
    assert "Feuille d'émargement" in text
    assert "Aurélie Dupré Belgique titulaire Émile Lefèvre" in text
