"""`manage.py export_directory --output FILE [--format csv|xlsx] [--date YYYY-MM-DD]`.

The directory as of a date in the columns `import_directory` reads. csv: the members file at FILE and the
groups and Troïka files beside it (FILE's stem + -groups.csv / -troika.csv); xlsx: one workbook of three sheets.
Last line: `members=N groups=N troika=N`.
"""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from membership.directory_io import export_csv_files, export_tables, export_xlsx


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date: “{value}” is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Export the directory (members, groups, Troïka) in import_directory's format."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="the members file (csv) or the workbook (xlsx)")
        parser.add_argument("--format", choices=["csv", "xlsx"], help="default: from the file's extension, else csv")
        parser.add_argument("--date", type=_date, help="the directory as of this day (default: today)")

    def handle(self, *args, **options):
        output = Path(options["output"])
        fmt = options["format"] or ("xlsx" if output.suffix.lower() == ".xlsx" else "csv")
        tables = export_tables(options["date"])
        try:
            if fmt == "xlsx":
                output.write_bytes(export_xlsx(tables))
                written = [output]
            else:
                written = export_csv_files(tables, output)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None
        for path in written:
            self.stdout.write(str(path))
        self.stdout.write(f"members={len(tables.members)} groups={len(tables.groups)} troika={len(tables.troika)}")
