"""Indexes for the audit pages (ptf_portal.audit) on the history tables, which grow with every change.

The audit page lists a model's history newest first, `ORDER BY history_date DESC, history_id DESC`, within a
date range or for one object, and finds each record's predecessor by (id, history_date, history_id). Without
these, each page sorts the whole table and each predecessor scans the object's rows: both grow with the years.
"""

from django.db import migrations

AUDITED_HISTORIES = [
    ("membership", "HistoricalMandate"), ("membership", "HistoricalPerson"), ("membership", "HistoricalAccountEvent"),
    ("meetings", "HistoricalMeeting"), ("meetings", "HistoricalAgendaItem"),
    ("secretariat", "HistoricalDistributionList"), ("secretariat", "HistoricalInvitation"),
    ("instances", "HistoricalInstance"),
]


def _tables(apps):
    for app_label, name in AUDITED_HISTORIES:
        try:
            yield apps.get_model(app_label, name)._meta.db_table
        except LookupError:  # a model without history: nothing to index
            continue


def create(apps, schema_editor):
    quote = schema_editor.quote_name
    for table in _tables(apps):
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {quote(table[:40] + '_audit_date')} "
                              f"ON {quote(table)} (history_date DESC, history_id DESC)")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {quote(table[:40] + '_audit_object')} "
                              f"ON {quote(table)} (id, history_date DESC, history_id DESC)")


def drop(apps, schema_editor):
    quote = schema_editor.quote_name
    for table in _tables(apps):
        for suffix in ("_audit_date", "_audit_object"):
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(table[:40] + suffix)}")


class Migration(migrations.Migration):

    dependencies = [
        ("ptf_portal", "0002_incident"),
        ("membership", "0005_person_email_failure"),
        ("meetings", "0004_attendance_confirmed"),
        ("secretariat", "0006_seat_role_labels"),
        ("instances", "0005_instance_proposal_days_before"),
    ]

    operations = [migrations.RunPython(create, drop)]
