"""The upgrade check's comparison: what counts as data lost."""

from tests.upgrade_check import compare

BEFORE = {"person": {"rows": 2, "columns": {"id": "a", "email": "b"}},
          "mandate": {"rows": 3, "columns": {"id": "c"}}}


def test_the_same_data_passes_and_new_columns_or_tables_are_fine():
    after = {"person": {"rows": 2, "columns": {"id": "a", "email": "b", "email_key": "z"}},
             "mandate": {"rows": 3, "columns": {"id": "c"}}, "incident": {"rows": 0, "columns": {}}}
    assert compare(BEFORE, after, set()) == []


def test_a_lost_row_a_dropped_column_a_changed_column_and_a_dropped_table_fail():
    after = {"person": {"rows": 1, "columns": {"id": "a"}}}
    problems = compare(BEFORE, after, set())
    assert "table person: 2 rows before, 1 after" in problems
    assert "column person.email disappeared" in problems
    assert "table mandate disappeared (3 rows)" in problems
    changed = {"person": {"rows": 2, "columns": {"id": "a", "email": "B"}}, "mandate": BEFORE["mandate"]}
    assert compare(BEFORE, changed, set()) == ["column person.email: its content changed"]


def test_a_declared_rewrite_is_allowed():
    changed = {"person": {"rows": 2, "columns": {"id": "a", "email": "B"}}, "mandate": BEFORE["mandate"]}
    assert compare(BEFORE, changed, {"person.email"}) == []
