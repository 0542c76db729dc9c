"""The directory importer: files, errors `FILE:LINE: COLUMN: message (RULE)`, rules, bulk work."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from instances.models import Instance, Troika
from membership.importer import import_directory
from membership.models import Institution, Mandate, Partner, Person

from .import_factories import (
    GROUP_COLUMNS,
    MEMBER_COLUMNS,
    TROIKA_COLUMNS,
    directory,
    group,
    member,
    troika,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db

UNDP = {"partner": "UNDP", "partner_type": "un_system", "institution": "PNUD", "un_coordinating": "yes"}
UNICEF = {"partner": "UNICEF", "partner_type": "un_system", "institution": "UNICEF Mali"}


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Write the rows to files and import them by relative name; returns the ImportResult."""
    monkeypatch.chdir(tmp_path)

    def _run(members, groups=None, troikas=None, *, delimiter=",", bom=False, xlsx=False, dry_run=False):
        def write(name, rows, columns):
            if rows is None:
                return None
            if xlsx:
                return write_xlsx(Path(f"{name}.xlsx"), rows, columns)
            return write_csv(Path(f"{name}.csv"), rows, columns, delimiter=delimiter, bom=bom)

        return import_directory(
            members=write("members", members, MEMBER_COLUMNS),
            groups=write("groups", groups, GROUP_COLUMNS),
            troika=write("troika", troikas, TROIKA_COLUMNS),
            dry_run=dry_run,
        )

    return _run


def full_directory():
    members = directory(3, groups=("GT-SANTE", "GD-PAIX"))
    groups = [group("GT-SANTE", leader="Country0", co_lead="Country1"), group("GD-PAIX", kind="GD", leader="Country2")]
    troikas = [troika(2025, "Country0", "Country1", "Country2"), troika(2026, "Country1", "Country2", "Country0")]
    return members, groups, troikas


def nothing_written():
    return not (Partner.objects.exists() or Person.objects.exists() or Mandate.objects.exists()
                or Instance.objects.filter(kind__in=["GT", "GD"]).exists() or Troika.objects.exists())


def messages(result):
    return [str(e) for e in result.errors]


def assert_imported(result):
    assert result.ok, messages(result)
    # 3 partners, 6 institutions, 3 × (3 + 2 groups × 2) people and mandates, 2 groups, 2 Troïkas.
    assert (Partner.objects.count(), Institution.objects.count(), Person.objects.count()) == (3, 6, 21)
    assert Mandate.objects.count() == 21
    assert result.created == 3 + 6 + 21 + 21 + 2 + 2
    sante = Instance.objects.get(code="GT-SANTE")
    assert sante.leader_partner.name == "Country0" and sante.co_lead_partner.name == "Country1"
    # The partner's only expert in the group carries the leadership.
    assert sante.leader_person.email == "exp0-gt-sante@c0.org"
    binome = Mandate.objects.get(person__email="bin0-gt-sante@c1.org")
    assert binome.pairs_with.person.email == "exp0-gt-sante@c1.org"
    assert Troika.objects.get(year=2026).lead.name == "Country1"


def test_imports_comma_csv(run):
    assert_imported(run(*full_directory()))


def test_imports_semicolon_csv_with_byte_order_mark(run):
    assert_imported(run(*full_directory(), delimiter=";", bom=True))


def test_imports_xlsx(run):
    assert_imported(run(*full_directory(), xlsx=True))


def test_accepts_french_dates(run):
    result = run([member("a@fr.org", start="15/03/2024")])
    assert result.ok, messages(result)
    assert str(Mandate.objects.get().start) == "2024-03-15"


def test_reimport_changes_nothing(run):
    first = run(*full_directory())
    second = run(*full_directory())
    assert second.ok
    assert (second.created, second.updated, second.unchanged) == (0, 0, first.created)


def test_reimport_updates_what_changed(run):
    run([member("a@fr.org")])
    result = run([member("a@fr.org", end="2030-01-01", language="en")])
    # the person's language and the mandate's end; the partner and institution are as they were
    assert (result.created, result.updated, result.unchanged) == (0, 2, 2)
    assert str(Mandate.objects.get().end) == "2030-01-01"


def test_dry_run_writes_nothing_and_counts(run):
    result = run(*full_directory(), dry_run=True)
    assert result.ok and result.created == 55
    assert nothing_written()


def test_history_records_the_change_reason(run):
    run([member("a@fr.org")])
    for model in (Partner, Institution, Person, Mandate):
        assert model.history.get().history_change_reason == "import_directory members.csv"


def test_command_prints_summary_last(tmp_path, capsys):
    path = write_csv(tmp_path / "members.csv", [member("a@fr.org")], MEMBER_COLUMNS)
    call_command("import_directory", str(path))
    assert capsys.readouterr().out.strip().splitlines()[-1] == "created=4 updated=0 unchanged=0"
    call_command("import_directory", str(path), "--dry-run")
    assert capsys.readouterr().out.strip().splitlines()[-1] == "created=0 updated=0 unchanged=4"


def test_command_fails_with_status_1_and_lists_errors(tmp_path, capsys):
    path = write_csv(tmp_path / "members.csv", [member("a@fr.org", role="boss"), member("bad")], MEMBER_COLUMNS)
    with pytest.raises(CommandError) as raised:
        call_command("import_directory", str(path), "--language", "en")
    assert raised.value.returncode == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{path}:2: role: ")
    assert err[1].startswith(f"{path}:3: email: ")
    assert nothing_written()


BAD_ROWS = [
    pytest.param({"partner_type": "bilat"}, "partner_type", "", id="unknown-partner-type"),
    pytest.param({"start": "2024-02-30"}, "start", "", id="bad-date"),
    pytest.param({"end": "someday"}, "end", "", id="bad-end-date"),
    pytest.param({"email": "nobody-at-example"}, "email", "", id="bad-email"),
    pytest.param({"instance": "GT-NOPE"}, "instance", "", id="unknown-instance"),
    pytest.param({"role": "boss"}, "role", "", id="unknown-role"),
    pytest.param({"function": "minister"}, "function", "", id="unknown-function"),
    pytest.param({"language": "de"}, "language", "", id="unknown-language"),
    pytest.param({"un_coordinating": "maybe"}, "un_coordinating", "", id="bad-yes-no"),
    pytest.param({"un_coordinating": "yes"}, "un_coordinating", "", id="coordinating-but-bilateral"),
    pytest.param({"last_name": ""}, "last_name", "", id="missing-name"),
    pytest.param({"institution_acronym": "X" * 41}, "institution_acronym", "", id="too-long"),
    pytest.param({"end": "2023-12-31"}, "end", "", id="end-before-start"),
    pytest.param({"role": "expert", "instance": "GT-SANTE", "pair_email": "b@fr.org"}, "pair_email", "M8",
                 id="pair-on-expert"),
    pytest.param({"role": "binome", "instance": "GT-SANTE", "function": "expert"}, "pair_email", "M8",
                 id="binome-without-pair"),
    pytest.param({"authority": "limited"}, "limits", "M9", id="limited-without-limits"),
]


@pytest.mark.parametrize(("override", "column", "rule"), BAD_ROWS)
def test_bad_row_is_reported_and_nothing_written(run, override, column, rule):
    override = dict(override)  # the parameter is shared with the other tests of the session
    rows = [member(override.pop("email", "a@fr.org"), **override)]
    rows.append(member("ok@fr.org", role="deputy"))
    result = run(rows, [group("GT-SANTE")])
    assert [(e.file, e.line, e.column, e.rule) for e in result.errors] == [("members.csv", 2, column, rule)], \
        messages(result)
    assert nothing_written()


def test_conflicting_person_columns_point_at_the_later_line(run):
    result = run([member("a@fr.org"), member("a@fr.org", instance="GA", function="ambassador", role="deputy")])
    assert [str(e).split(":", 3)[:3] for e in result.errors] == [["members.csv", "3", " function"]]
    assert nothing_written()


def test_missing_and_unknown_columns(tmp_path):
    path = write_csv(tmp_path / "members.csv", [{"partner": "France", "e-mail": "a@fr.org"}], ["partner", "e-mail"])
    result = import_directory(members=path)
    prefixes = {str(e).split(": ", 2)[0] + ": " + e.column for e in result.errors}
    assert f"{path}:1: e-mail" in prefixes and f"{path}:1: email" in prefixes and f"{path}:1: start" in prefixes
    assert nothing_written()


def test_unknown_troika_partner_and_group_leader(run):
    result = run([member("a@fr.org")], [group("GT-SANTE", leader="Atlantis")], [troika(2026, "France", "Narnia", "Oz")])
    assert [(e.file, e.line, e.column) for e in result.errors] == [
        ("groups.csv", 2, "leader"), ("troika.csv", 2, "incoming"), ("troika.csv", 2, "outgoing")]
    assert nothing_written()


def test_every_error_is_listed(run):
    rows = [member("a@fr.org", start="bad", role="boss"), member("b@fr.org"), member("c@fr.org", language="xx")]
    result = run(rows)
    assert [(e.line, e.column) for e in result.errors] == [(2, "role"), (2, "start"), (4, "language")]


def test_rule_M2_two_gec_titulars_of_one_partner_in_the_file(run):
    result = run([member("a@fr.org"), member("b@fr.org", institution="Embassy")])
    assert [(e.line, e.column, e.rule) for e in result.errors] == [(3, "role", "M2")]
    assert "(avec la ligne 2)" in result.errors[0].message  # French, the working language
    assert nothing_written()


def test_rule_M2_checks_the_saved_mandates_too(run):
    assert run([member("a@fr.org")]).ok
    result = run([member("b@fr.org", start="2025-01-01")])
    assert [(e.line, e.rule) for e in result.errors] == [(2, "M2")]
    assert not Person.objects.filter(email="b@fr.org").exists()


def test_rule_M2_successive_titulars_do_not_conflict(run):
    result = run([member("a@fr.org", end="2024-12-31"), member("b@fr.org", start="2025-01-01")])
    assert result.ok, messages(result)


def test_rule_M5_non_coordinating_un_agency_in_ga(run):
    rows = [member("rc@undp.org", function="resident_representative", **UNDP),
            member("r@unicef.org", function="resident_representative", instance="GA", **UNICEF)]
    result = run(rows)
    assert [(e.line, e.column, e.rule) for e in result.errors] == [(3, "instance", "M5")]


def test_rule_M8_binome_pairs_with_someone_who_is_not_an_expert(run):
    rows = [member("a@fr.org"),
            member("b@fr.org", function="expert", instance="GT-SANTE", role="binome", pair_email="a@fr.org")]
    result = run(rows, [group("GT-SANTE")])
    assert [(e.line, e.column, e.rule) for e in result.errors] == [(3, "pair_email", "M8")]


def test_rule_M9_limited_mandate_with_limits_is_accepted(run):
    result = run([member("a@fr.org", authority="limited", limits="no budget decisions")])
    assert result.ok
    assert Mandate.objects.get().limits == "no budget decisions"


def test_rule_T2_non_coordinating_un_agency_in_troika(run):
    rows = [member("a@fr.org"), member("b@de.org", partner="Germany", institution="GIZ"),
            member("rc@undp.org", function="resident_representative", **UNDP),
            member("r@unicef.org", function="resident_representative", **UNICEF)]
    result = run(rows, troikas=[troika(2026, "France", "UNICEF", "Germany"), troika(2027, "UNDP", "France", "Germany")])
    assert [(e.file, e.line, e.column, e.rule) for e in result.errors] == [("troika.csv", 2, "incoming", "T2")]
    assert nothing_written()


def test_rule_T1_three_different_partners(run):
    result = run([member("a@fr.org")], troikas=[troika(2026, "France", "France", "France")])
    assert [e.rule for e in result.errors] == ["T1"]


def test_leader_person_left_empty_when_the_partner_has_two_experts(run):
    members = directory(1, experts_per_group=2)
    result = run(members, [group("GT-SANTE", leader="Country0")])
    assert result.ok, messages(result)
    assert Instance.objects.get(code="GT-SANTE").leader_person is None


def test_query_count_does_not_grow_with_rows(run):
    def count(prefix, n_partners, experts):
        codes = (f"GT-{prefix}", f"GD-{prefix}")
        members = directory(n_partners, experts_per_group=experts, groups=codes, prefix=prefix)
        groups = [group(codes[0], leader=f"{prefix}Country0"), group(codes[1], kind="GD", leader=f"{prefix}Country1")]
        with CaptureQueriesContext(connection) as queries:
            result = run(members, groups, [troika(len(prefix) + 2000, *(f"{prefix}Country{i}" for i in range(3)))])
        assert result.ok, messages(result)
        return len(queries), result.created

    small, small_rows = count("S", 3, 1)
    large, large_rows = count("LARGE", 12, 3)
    assert large_rows > 3 * small_rows
    # One read per model, one bulk write (and one history write) per model, one set per group for permissions.
    assert large == small


def test_a_control_character_in_a_cell_is_refused_and_nothing_is_written(run):
    """A NUL byte (PostgreSQL refuses it in text) is the user's error on that cell, not a crash."""
    result = run([member("a@fr.org"), member("b@fr.org", last_name="Dia\x00ra")])
    assert not result.ok
    assert [(e.line, e.column) for e in result.errors] == [(3, "last_name")]
    assert nothing_written()
