"""`manage.py restore FILE`: load a backup into an empty database and media folder, then check it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ptf_portal.backups import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into the (empty) database and media folder, then verify."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--force", action="store_true",
                            help="replace a database that has tables and a media folder that has files")

    def handle(self, *args, **options):
        try:
            result = restore(Path(options["file"]), force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored release {result['release']} of {result['created_at']}: {result['tables']} tables, "
            f"{result['rows']} rows and {result['files']} files checked, in {result['seconds']:.1f} s"
        )
