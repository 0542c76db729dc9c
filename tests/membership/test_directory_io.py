"""Export → import round trip, the preview of an upload, a stale preview, broken files through the page."""


import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from instances.models import Instance
from membership import directory_io
from membership.importer import import_directory
from membership.models import Mandate, Partner, Person

from .import_factories import GROUP_COLUMNS, MEMBER_COLUMNS, group, member, troika, write_csv

pytestmark = pytest.mark.django_db

# Names in several scripts and transliterations: é, ø, ß, Arabic names in Latin letters and in Arabic.
NAMES = [("Éloïse", "Østergaard"), ("Jürgen", "Großmann"), ("ʿAbd al-Raḥmān", "Al-Ṣūfī"), ("Aïcha", "Ould-Sidi"),
         ("عبد الله", "الفاسي"), ("Ólafur", "Ó Briain")]


def _directory_rows():
    members, n = [], 0
    for p, (partner, kind) in enumerate([("Norvège", "bilateral"), ("Allemagne", "bilateral"),
                                         ("Émirats arabes unis", "bilateral")]):
        for role, function in (("titular", "head_of_cooperation"), ("deputy", "other")):
            first, last = NAMES[n % len(NAMES)]
            members.append(member(f"p{n}@c{p}.org", partner=partner, partner_type=kind, institution=f"Coopération {p}",
                                  function=function, role=role, first_name=first, last_name=last,
                                  partner_article="la" if p == 0 else "", language="en" if n % 2 else "fr"))
            n += 1
        expert = f"exp{p}@c{p}.org"
        members.append(member(expert, partner=partner, institution=f"Coopération {p}", function="expert",
                              instance="GT-SANTE", role="expert", first_name="Ayşe", last_name="Şahin"))
        members.append(member(f"bin{p}@c{p}.org", partner=partner, institution=f"Coopération {p}", function="expert",
                              instance="GT-SANTE", role="binome", pair_email=expert, end="2099-12-31"))
    groups = [group("GT-SANTE", leader="Norvège", co_lead="Allemagne", name_fr="=SUM(A1) Santé — « formule »")]
    troikas = [troika(2026, "Norvège", "Allemagne", "Émirats arabes unis")]
    return members, groups, troikas


@pytest.fixture
def loaded(tmp_path):
    members, groups, troikas = _directory_rows()
    result = import_directory(members=write_csv(tmp_path / "m.csv", members, MEMBER_COLUMNS),
                              groups=write_csv(tmp_path / "g.csv", groups, GROUP_COLUMNS),
                              troika=write_csv(tmp_path / "t.csv", troikas, list(troikas[0])))
    assert result.ok, [str(e) for e in result.errors]
    return result


def test_export_csv_then_import_dry_run_reports_no_change(loaded, tmp_path, capsys):
    out = tmp_path / "annuaire.csv"
    call_command("export_directory", "--output", str(out), "--format", "csv")
    assert capsys.readouterr().out.strip().splitlines()[-1] == "members=12 groups=1 troika=1"
    groups, troikas = tmp_path / "annuaire-groups.csv", tmp_path / "annuaire-troika.csv"
    assert groups.exists() and troikas.exists()
    text = out.read_bytes().decode("utf-8-sig")
    assert "Østergaard" in text and "Großmann" in text and "الفاسي" in text and "Al-Ṣūfī" in text
    assert "'=SUM" in groups.read_bytes().decode("utf-8-sig")  # formula-safe
    call_command("import_directory", str(out), "--groups", str(groups), "--troika", str(troikas), "--dry-run")
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"created=0 updated=0 unchanged={loaded.created}"


def test_export_xlsx_alone_is_a_whole_directory_that_reimports_unchanged(loaded, tmp_path, capsys):
    out = tmp_path / "annuaire.xlsx"
    call_command("export_directory", "--output", str(out))
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["membres", "groupes", "troika"]
    assert [c.value for c in workbook["membres"][1]] == MEMBER_COLUMNS
    call_command("import_directory", str(out), "--dry-run")
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"created=0 updated=0 unchanged={loaded.created}"


def test_export_as_of_a_date_leaves_out_mandates_not_running_then(loaded, tmp_path):
    tables = directory_io.export_tables(__import__("datetime").date(2023, 6, 1))
    assert tables.members == []
    assert len(directory_io.export_tables().members) == Mandate.objects.count()


def test_windows_1252_csv_is_read(tmp_path):
    path = tmp_path / "m.csv"
    write_csv(path, [member("a@fr.org", last_name="Müller-Lefèvre")], MEMBER_COLUMNS, delimiter=";")
    path.write_bytes(path.read_bytes().decode("utf-8").encode("cp1252"))
    result = import_directory(members=path)
    assert result.ok, [str(e) for e in result.errors]
    assert Person.objects.get().last_name == "Müller-Lefèvre"


@pytest.fixture
def uploads(settings, tmp_path):
    settings.DIRECTORY_IMPORT_DIR = tmp_path / "uploads"
    return settings.DIRECTORY_IMPORT_DIR


def _xlsx_upload():
    return ("annuaire.xlsx", directory_io.export_xlsx(directory_io.export_tables()))


def test_preview_counts_changes_and_apply_records_history(loaded, uploads, django_user_model, tmp_path):
    user = django_user_model.objects.create_user("seg", "seg@example.org", "x")
    members, groups, troikas = _directory_rows()
    members[0]["last_name"] = "Østergaard-Berg"  # a name changes
    members[1]["end"] = "2026-06-30"  # a deputy's mandate ends
    members.append(member("new@c0.org", partner="Norvège", institution="Coopération 0", function="other",
                          role="deputy", start="2026-07-01", first_name="Nouveau", last_name="Membre"))
    data = write_csv(tmp_path / "edit.csv", members, MEMBER_COLUMNS).read_bytes()
    preview = directory_io.preview_upload(user=user, files={"members": ("edit.csv", data)})
    assert preview.ok, preview.errors
    assert list(preview.groups) == ["people_created", "people_changed", "mandates_started", "mandates_ended"]
    assert "last_name: Østergaard → Østergaard-Berg" in preview.groups["people_changed"][0]
    assert Person.objects.filter(email="new@c0.org").count() == 0  # nothing written by the preview
    result = directory_io.apply_upload(token=preview.token, user=user)
    assert result.ok and (result.created, result.updated) == (2, 2)
    person = Person.objects.get(email="new@c0.org")
    record = person.history.get()
    assert record.history_user == user and record.history_change_reason == "Import de l’annuaire\u202f: edit.csv"
    assert not any(uploads.iterdir())  # the upload is gone once applied


def test_a_stale_preview_is_refused(loaded, uploads, django_user_model):
    user = django_user_model.objects.create_user("seg", "seg@example.org", "x")
    preview = directory_io.preview_upload(user=user, files={"members": _xlsx_upload()})
    partner = Partner.objects.first()
    partner.article = "le"
    partner.save()  # someone edits the directory meanwhile
    with pytest.raises(directory_io.StalePreview):
        directory_io.apply_upload(token=preview.token, user=user)


def test_uploads_expire(loaded, uploads, django_user_model, settings):
    user = django_user_model.objects.create_user("seg", "seg@example.org", "x")
    preview = directory_io.preview_upload(user=user, files={"members": _xlsx_upload()})
    assert directory_io.purge_expired_uploads(now=__import__("time").time() + 3600 * 2) == 1
    with pytest.raises(directory_io.UploadRefused):
        directory_io.load_preview(preview.token, user)


@pytest.mark.parametrize(("data", "message"), [
    (b"%PDF-1.4 ...", "n’est ni un fichier CSV ni un classeur .xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "ancien classeur Excel (.xls)"),
    (b"PK\x03\x04broken", "le classeur est endommagé"),
])
def test_a_file_of_another_kind_is_refused_by_content(uploads, django_user_model, data, message):
    user = django_user_model.objects.create_user("seg", "seg@example.org", "x")
    with pytest.raises(directory_io.UploadRefused) as refused:
        directory_io.preview_upload(user=user, files={"members": ("membres.csv", data)})
    assert message in str(refused.value)
    assert not uploads.exists() or not any(uploads.iterdir())


def test_size_and_row_caps(uploads, django_user_model, settings, tmp_path):
    user = django_user_model.objects.create_user("seg", "seg@example.org", "x")
    settings.DIRECTORY_IMPORT_MAX_ROWS = 2
    data = write_csv(tmp_path / "m.csv", [member(f"a{i}@fr.org", role="deputy") for i in range(3)],
                     MEMBER_COLUMNS).read_bytes()
    with pytest.raises(directory_io.UploadRefused, match="2"):
        directory_io.preview_upload(user=user, files={"members": ("m.csv", data)})
    settings.DIRECTORY_IMPORT_MAX_BYTES = 100
    with pytest.raises(directory_io.UploadRefused, match="0 ko au plus"):
        directory_io.preview_upload(user=user, files={"members": ("m.csv", data)})
    assert not Instance.objects.filter(kind="GT").exists()
