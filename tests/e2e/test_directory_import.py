"""Annuaire → Importer in Chromium: the SEG loads a realistic directory from one .xlsx, then a month later
uploads an edited export (an ambassador replaced, a deputy rotated, a group leader changed) and the preview
shows exactly those three changes before they are applied."""

import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook

from instances.models import Instance
from membership.models import Mandate, Person
from tests.accounts.directory import PARTNERS, realistic_directory
from tests.e2e.conftest import shot
from tests.membership.import_factories import GROUP_COLUMNS, MEMBER_COLUMNS, TROIKA_COLUMNS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def workbook(members, groups, troika) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, columns, rows in (("membres", MEMBER_COLUMNS, members), ("groupes", GROUP_COLUMNS, groups),
                                ("troika", TROIKA_COLUMNS, troika)):
        sheet = book.create_sheet(name)
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(c, "") for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def seg_page(page, e2e_settings, tmp_path, transactional_db):
    from django.contrib.auth.models import Group, User

    from membership.roles import SECRETARIAT_GROUP

    e2e_settings.DIRECTORY_IMPORT_DIR = tmp_path / "uploads"
    Instance.objects.get_or_create(code="GEC", defaults={"kind": "GEC", "name_fr": "Groupe Exécutif de Coopération",
                                                         "name_en": "Executive Cooperation Group"})
    Instance.objects.get_or_create(code="GA", defaults={"kind": "GA", "name_fr": "Groupe des Ambassadeurs",
                                                        "name_en": "Ambassadors' Group", "periodicity": "semiannual"})
    seg = User.objects.create_user("seg", "seg@example.org", "portal-password-123")
    seg.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    page.goto(page.base + "/accounts/login/")
    page.fill("input[name=username]", "seg")
    page.fill("input[name=password]", "portal-password-123")
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    return page


def upload_and_preview(page, path):
    page.goto(page.base + "/people/import/")
    page.set_input_files("input[name=members]", str(path))
    page.click("#import-form button[type=submit]")
    page.wait_for_url("**/people/import/*/")


def headings(page) -> dict[str, list[str]]:
    found = {}
    for section in page.locator("section.import-group").all():
        found[section.locator("h2").inner_text()] = section.locator("li").all_inner_texts()
    return found


def test_seg_imports_then_updates_the_directory_from_an_edited_export(seg_page, tmp_path):
    page = seg_page
    members, groups, troika = realistic_directory()
    assert len(members) > 250 and len(groups) == 15
    first = tmp_path / "annuaire.xlsx"
    first.write_bytes(workbook(members, groups, troika))
    upload_and_preview(page, first)
    shown = headings(page)
    assert shown["Partenaires créés (30)"] and shown["Groupes créés (15)"]
    assert f"Mandats qui commencent ({len(members)})" in shown
    shot(page, "directory-import-preview")
    page.check("input[name=confirm_warnings]")
    page.click("#import-apply button[type=submit]")
    page.wait_for_selector("#import-result")
    assert Mandate.objects.count() == len(members)
    assert page.get_attribute("#invite-link", "href") == "/people/access/?state=none"

    # A month later: export, edit in a spreadsheet, import again.
    page.goto(page.base + "/people/export/")
    page.select_option("select[name=format]", "xlsx")
    with page.expect_download() as download:
        page.click("#export-form button[type=submit]")
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    rows = list(book["membres"].iter_rows(values_only=True))
    columns = list(rows[0])
    col = {name: i for i, name in enumerate(columns)}
    today = datetime.date.today()
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    sheet = book["membres"]
    added = []
    for index, row in enumerate(rows[1:], start=2):
        new = None
        if row[col["partner"]] == "Allemagne" and row[col["function"]] == "ambassador":
            new = {"email": "nouvelle.ambassadrice@allemagne.example.org", "first_name": "Ingrid",
                   "last_name": "Großmann"}
        elif row[col["partner"]] == "Norvège" and row[col["role"]] == "deputy" and row[col["instance"]] == "GEC":
            new = {"email": "ousmane.sanogo@norvege.example.org", "first_name": "Ousmane", "last_name": "Sanogo"}
        if new:
            sheet.cell(index, col["end"] + 1, yesterday)
            replacement = list(row)
            for name, value in {**new, "start": today.isoformat(), "end": ""}.items():
                replacement[col[name]] = value
            added.append(replacement)
    assert len(added) == 2
    for row in added:
        sheet.append(row)
    groups_sheet = book["groupes"]
    group_columns = [c.value for c in groups_sheet[1]]
    for cells in groups_sheet.iter_rows(min_row=2):
        if cells[0].value == "GT-01":
            cells[group_columns.index("leader")].value = PARTNERS[4][0]  # another partner of the group
    edited = tmp_path / "annuaire-modifie.xlsx"
    book.save(edited)

    upload_and_preview(page, edited)
    shown = headings(page)
    shot(page, "directory-import-update-preview")
    assert set(shown) == {"Personnes créées (2)", "Mandats qui commencent (2)", "Mandats qui prennent fin (2)",
                          "Chefs de file modifiés (1)"}, shown
    assert any("Großmann" in line for line in shown["Personnes créées (2)"])
    assert any("Ambassadeur" in line or "Titulaire" in line or "titulaire" in line.lower()
               for line in shown["Mandats qui prennent fin (2)"])
    assert any("GT-01" in line and PARTNERS[4][0] in line for line in shown["Chefs de file modifiés (1)"])
    page.check("input[name=confirm_warnings]")
    page.click("#import-apply button[type=submit]")
    page.wait_for_selector("#import-result")
    assert Person.objects.filter(email="nouvelle.ambassadrice@allemagne.example.org").exists()
    assert Instance.objects.get(code="GT-01").leader_partner.name == PARTNERS[4][0]
