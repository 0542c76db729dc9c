"""The three meeting documents, read back from the PDF (pypdf): who, in which order, what is hidden, French dates."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from meetings import services as meeting_services
from secretariat.models import DistributionEntry
from secretariat.reports import pdf
from secretariat.reports.dates import long_date, long_datetime
from tests.reports.pdftext import pdf_pages, pdf_text

pytestmark = pytest.mark.django_db
FR_MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()


def _french(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {FR_MONTHS[local.month - 1]} {local.year} à {local.hour} h {local.minute:02d}"


def _sheet(world):
    body, name = pdf.meeting_pdf(world.upcoming, pdf.ATTENDANCE, cleared=True)
    return body, name, pdf_text(body)


def test_attendance_sheet_lists_every_expected_person_grouped_by_partner_in_list_order(world):
    body, name, text = _sheet(world)
    entries = list(DistributionEntry.objects.filter(distribution_list__meeting=world.upcoming).order_by("position"))
    assert len(entries) == 17  # 8 titulars, 8 deputies, the presenter (A5)
    # Every name appears, in the list's order.
    positions = [text.index(entry.name) for entry in entries]
    assert positions == sorted(positions)
    # Partners come in the list's order, each once as a block.
    partners_in_list = list(dict.fromkeys(entry.partner for entry in entries))
    partner_positions = [text.index(f"{world.titulars[p].full_name} {p}") for p in partners_in_list
                         if p in world.titulars]
    assert partner_positions == sorted(partner_positions)
    assert "Allemagne titulaire" in text and "Allemagne suppléant" in text
    assert "Organisation mondiale de la Santé présentateur" in text
    # The delegation of the answers is pre-filled on the titular's row (M3).
    assert "Aurélie Dupré Belgique titulaire Émile Lefèvre" in text
    assert "17 personnes attendues" in text
    assert name == f"{timezone.localtime(world.upcoming.start):%Y-%m-%d} GEC - feuille d'émargement.pdf"


def test_attendance_sheet_has_one_signature_row_per_person_plus_blank_rows_and_repeats_its_header(world):
    html = pdf.meeting_document_html(world.upcoming, pdf.ATTENDANCE, cleared=True)
    assert html.count('<tr class="expected">') == 17
    assert html.count('<tr class="blank">') == 8
    assert html.count('class="sign"') == 17 + 2 * 8
    body, _name, _text = _sheet(world)
    reader = PdfReader(io.BytesIO(body))
    assert len(reader.pages) >= 2
    box = reader.pages[0].mediabox  # A4 portrait: 595 × 842 points
    assert round(float(box.width)) == 595 and round(float(box.height)) == 842
    for page in pdf_pages(body):
        assert "Nom Partenaire Rôle Représenté par Signature" in page  # thead repeated on each page
        assert f"GEC — {long_date(world.upcoming.start)}".replace("\xa0", " ") in page  # running footer


def test_convocation_shows_the_agenda_presenters_documents_and_french_date(world):
    body, name = pdf.meeting_pdf(world.upcoming, pdf.CONVOCATION, cleared=True)
    text = pdf_text(body)
    assert _french(world.upcoming.start) in text
    assert "Groupe Exécutif de Coopération" in text and "Secrétariat exécutif du GEC (SEG)" in text
    assert "Salle Djoliba, Bamako" in text
    assert "Appui budgétaire général" in text and "Oumou Ag Ibrahim" in text and "45 min" in text
    assert "dialogue sur les politiques de développement" in text  # the item's category, in French
    assert "Note de cadrage budgétaire" in text
    assert "Situation sécuritaire réservée" in text and "Note réservée aux membres" in text  # cleared reader
    assert "Lieu : Salle" in text  # narrow no-break space before the colon, read back as a space
    assert name.endswith("GEC - convocation.pdf")


def test_rule_A4_convocation_leaves_confidential_items_and_documents_out_for_an_uncleared_reader(world, client):
    client.force_login(world.presenter_user)  # invited to present, not a GEC member
    response = client.get(reverse("secretariat:report_convocation", args=[world.upcoming.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Appui budgétaire général" in text and "Note de cadrage budgétaire" in text
    assert "Situation sécuritaire réservée" not in text
    assert "Note réservée aux membres" not in text
    client.force_login(world.member_user)  # a GEC member is cleared
    text = pdf_text(client.get(reverse("secretariat:report_convocation", args=[world.upcoming.pk])).content)
    assert "Situation sécuritaire réservée" in text


def test_minutes_are_a_draft_until_approved_then_name_the_approving_meeting(world):
    body, name = pdf.meeting_pdf(world.held, pdf.MINUTES, cleared=True)
    text = pdf_text(body)
    assert text.startswith("PROJET") or "PROJET" in text.split("Compte rendu")[0]
    assert "12 novembre 2026 à 9 h 00" in text
    assert "4 partenaires présents ou représentés : Allemagne, Belgique, Canada, Union européenne." in text
    assert "Non représentés : Autriche, Espagne, Irlande, États-Unis." in text
    assert "Tenir la revue conjointe en mars" in text
    assert "Envoyer le calendrier de la revue Canada — Ève Tremblay 15 janvier 2027" in text
    assert "Sécurité dans le centre du pays" in text
    assert name == "2026-11-12 GEC - compte rendu.pdf"

    meeting_services.meeting_approve_minutes(meeting=world.held, approved_at=world.upcoming)
    text = pdf_text(pdf.meeting_pdf(world.held, pdf.MINUTES, cleared=True)[0])
    assert "PROJET" not in text
    assert f"Approuvé lors de la réunion du GEC du {long_date(world.upcoming.start)}".replace("\xa0", " ") in text


def test_rule_A4_minutes_leave_decisions_on_confidential_items_out_for_an_uncleared_reader(world):
    cleared = pdf_text(pdf.meeting_pdf(world.held, pdf.MINUTES, cleared=True)[0])
    uncleared = pdf_text(pdf.meeting_pdf(world.held, pdf.MINUTES, cleared=False)[0])
    assert "Décision réservée aux membres" in cleared
    assert "Décision réservée aux membres" not in uncleared
    assert "Tenir la revue conjointe en mars" in uncleared


def test_documents_switch_to_english_on_request(world):
    text = pdf_text(pdf.meeting_pdf(world.held, pdf.MINUTES, cleared=True, language="en")[0])
    assert "12 November 2026 at 9:00" in text and "DRAFT" in text


def test_french_dates():
    import datetime
    from zoneinfo import ZoneInfo

    moment = datetime.datetime(2026, 12, 19, 9, 0, tzinfo=ZoneInfo("Africa/Bamako"))
    assert long_datetime(moment).replace("\xa0", " ") == "19 décembre 2026 à 9 h 00"
    assert long_date(datetime.date(2027, 3, 1)).replace("\xa0", " ") == "1er mars 2027"


def test_download_names_follow_rfc_6266(world, client, secretariat_user):
    client.force_login(secretariat_user)
    response = client.get(reverse("secretariat:report_attendance", args=[world.upcoming.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    day = f"{timezone.localtime(world.upcoming.start):%Y-%m-%d}"
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="{day} GEC - feuille d\'emargement.pdf"')
    assert f"filename*=UTF-8''{day}%20GEC%20-%20feuille%20d%27%C3%A9margement.pdf" in disposition
    assert response.content.startswith(b"%PDF")


def test_minutes_download_is_404_before_minutes_exist(world, client, secretariat_user):
    client.force_login(secretariat_user)
    assert client.get(reverse("secretariat:report_minutes", args=[world.upcoming.pk])).status_code == 404
    assert client.get(reverse("secretariat:report_minutes", args=[world.held.pk])).status_code == 200


def test_meeting_page_links_to_the_documents_the_reader_may_download(world, client, secretariat_user):
    client.force_login(secretariat_user)
    page = client.get(reverse("meetings:detail", args=[world.held.pk])).content.decode()
    for name in ("report_convocation", "report_attendance", "report_minutes"):
        assert reverse(f"secretariat:{name}", args=[world.held.pk]) in page
    client.force_login(world.presenter_user)
    page = client.get(reverse("meetings:detail", args=[world.upcoming.pk])).content.decode()
    assert reverse("secretariat:report_convocation", args=[world.upcoming.pk]) in page
    assert reverse("secretariat:report_attendance", args=[world.upcoming.pk]) not in page


def test_meeting_pdf_command_writes_the_file(world, tmp_path):
    target = tmp_path / "sheet.pdf"
    out = io.StringIO()
    call_command("meeting_pdf", str(world.upcoming.pk), "--kind", "attendance", "--output", str(target), stdout=out)
    assert "Aurélie Dupré" in pdf_text(target.read_bytes())
    public = tmp_path / "public.pdf"
    call_command("meeting_pdf", str(world.upcoming.pk), "--kind", "convocation", "--public", "--output", str(public),
                 stdout=out)
    assert "Situation sécuritaire réservée" not in pdf_text(public.read_bytes())
    assert re.search(r"sheet\.pdf \(\d+ bytes\)", out.getvalue())


@pytest.mark.parametrize("args, message", [
    (["abc"], "must be a number"),
    (["999999"], "No meeting"),
    (["1", "--kind", "poster"], "--kind must be one of"),
])
def test_meeting_pdf_command_refuses_bad_input(db, args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("meeting_pdf", *args)
