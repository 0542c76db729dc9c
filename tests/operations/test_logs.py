"""Logs an operator can read: one line per request and per task, durations and outcomes, no personal data."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery import shared_task
from pythonjsonlogger.json import JsonFormatter

from ptf_portal.request_log import mask_personal

ROOT = Path(__file__).resolve().parents[2]


def test_a_request_is_one_line_with_status_and_duration_and_no_address(client, caplog, db):
    with caplog.at_level(logging.INFO, logger="ptf.request"):
        client.get("/healthz?email=elena.andersen@bm.example")
    [record] = [r for r in caplog.records if r.name == "ptf.request"]
    assert record.status == 200 and record.method == "GET" and record.duration_ms >= 0
    assert "elena.andersen" not in record.getMessage() and "[address]" in record.path


def test_capability_tokens_and_encoded_addresses_are_masked():
    assert "abc123" not in mask_personal("/secretariat/rsvp/abc123/")
    assert "elena" not in mask_personal("/people/?q=elena%40bm.example")


@shared_task(name="tests.operations.test_logs.sample_task")
def sample_task(fail=False):
    if fail:
        raise ValueError("boom")
    return 1


def test_a_task_is_one_line_with_its_outcome_and_duration(caplog):
    from ptf_portal.celery import app

    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False  # as a worker: the failure is recorded, not raised
    try:
        with caplog.at_level(logging.INFO, logger="ptf.task"):
            sample_task.apply()
            sample_task.apply(kwargs={"fail": True})
    finally:
        app.conf.task_eager_propagates = propagates
    outcomes = [(r.task, r.outcome) for r in caplog.records if r.name == "ptf.task"]
    assert ("tests.operations.test_logs.sample_task", "SUCCESS") in outcomes
    assert ("tests.operations.test_logs.sample_task", "FAILURE") in outcomes
    assert len(outcomes) == 2  # one line per task, failed or not
    assert all(r.duration_ms is not None for r in caplog.records if getattr(r, "outcome", "") == "SUCCESS")


def test_json_lines_carry_the_fields():
    record = logging.LogRecord("ptf.request", logging.INFO, __file__, 1, "GET / 200", (), None)
    record.status, record.duration_ms = 200, 3.2
    line = json.loads(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s").format(record))
    assert line["status"] == 200 and line["duration_ms"] == 3.2 and line["name"] == "ptf.request"


@pytest.mark.parametrize("dsn, active", [("", False), ("https://public@sentry.example.org/1", True)])
def test_sentry_reports_only_when_a_dsn_is_set(dsn, active):
    code = ("import django, sentry_sdk; django.setup(); "
            "print(sentry_sdk.get_client().is_active(), sentry_sdk.get_client().options['send_default_pii'])")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ptf_portal.settings", "SENTRY_DSN": dsn, "LOG_FORMAT": "json"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == str(active)
    if active:
        assert out.stdout.split()[1] == "False"


def test_a_bad_log_format_stops_start_up():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ptf_portal.settings", "LOG_FORMAT": "xml"}
    out = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 1 and "LOG_FORMAT" in out.stderr
