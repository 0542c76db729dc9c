"""`manage.py backup`: one consistent backup file of the database and the uploaded files (ptf_portal.backups)."""

import datetime
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ptf_portal.backups import BackupError, backup, next_run, prune


def _time_of_day(value: str) -> datetime.time:
    try:
        return datetime.time.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--daily-at takes a time of day such as 02:30, got {value!r}") from exc


class Command(BaseCommand):
    help = "Back up the database (pg_dump -Fc) and the uploaded files into one file, then prune old backups."

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", default=str(settings.BACKUP_DIR), help="where backups are kept")
        parser.add_argument("--keep-daily", type=int, default=settings.BACKUP_KEEP_DAILY)
        parser.add_argument("--keep-monthly", type=int, default=settings.BACKUP_KEEP_MONTHLY)
        parser.add_argument("--daily-at", type=_time_of_day, default=None,
                            help="run for ever, once a day at this time (the compose `backup` service)")

    def handle(self, *args, **options):
        output = Path(options["output_dir"])
        while True:
            if options["daily_at"]:
                wait = (next_run(timezone.localtime(), options["daily_at"]) - timezone.localtime()).total_seconds()
                self.stdout.write(f"next backup in {int(wait)} s")
                time.sleep(wait)
            try:
                result = backup(output)
            except BackupError as exc:
                if not options["daily_at"]:
                    raise CommandError(str(exc)) from exc
                self.stderr.write(f"backup failed: {exc}")
                continue
            deleted = prune(output, keep_daily=options["keep_daily"], keep_monthly=options["keep_monthly"])
            self.stdout.write(f"{result.path}: {result.tables} tables, {result.rows} rows, {result.files} files "
                              f"in {result.seconds:.1f} s; {len(deleted)} old backup(s) removed")
            if not options["daily_at"]:
                return
