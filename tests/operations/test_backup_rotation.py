"""Which backups are kept: the newest of each of the last N days and of the last M months."""

import datetime

from ptf_portal.backups import next_run, prune


def test_prune_keeps_the_newest_per_day_and_per_month(tmp_path):
    names = ["20261207T020000Z", "20261207T010000Z", "20261206T020000Z", "20261205T020000Z",
             "20261130T020000Z", "20261115T020000Z", "20261031T020000Z", "20260930T020000Z"]
    for name in names:
        (tmp_path / f"ptf-backup-{name}.tar").write_bytes(b"x")
    deleted = prune(tmp_path, keep_daily=2, keep_monthly=3)
    kept = sorted(p.name[11:27] for p in tmp_path.glob("ptf-backup-*.tar"))
    # Days: 7 Dec (newest), 6 Dec; months: Dec (7 Dec), Nov (30 Nov), Oct (31 Oct).
    assert kept == ["20261031T020000Z", "20261130T020000Z", "20261206T020000Z", "20261207T020000Z"]
    assert len(deleted) == len(names) - 4


def test_next_run_is_today_or_tomorrow():
    tz = datetime.UTC
    assert next_run(datetime.datetime(2026, 12, 7, 1, 0, tzinfo=tz), datetime.time(2, 30)) == \
        datetime.datetime(2026, 12, 7, 2, 30, tzinfo=tz)
    assert next_run(datetime.datetime(2026, 12, 7, 3, 0, tzinfo=tz), datetime.time(2, 30)) == \
        datetime.datetime(2026, 12, 8, 2, 30, tzinfo=tz)
