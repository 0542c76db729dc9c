"""`manage.py import_directory MEMBERS [--groups GROUPS] [--troika TROIKA] [--dry-run]`."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from membership.importer import import_directory


class Command(BaseCommand):
    help = "Import the directory (members, groups, Troïka) from CSV or .xlsx files, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("members", help="members file (.csv or .xlsx)")
        parser.add_argument("--groups", help="thematic and dialogue groups file")
        parser.add_argument("--troika", help="Troïka file (one row per year)")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--language", choices=[code for code, _name in settings.LANGUAGES],
                            default=settings.LANGUAGE_CODE, help="language of the messages")

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            result = import_directory(
                members=options["members"], groups=options["groups"], troika=options["troika"],
                dry_run=options["dry_run"],
            )
            for problem in result.errors:
                self.stderr.write(str(problem))
            if not result.ok:
                self.stdout.write(result.summary)
                raise CommandError(ngettext("%(count)d error: nothing was imported.",
                                            "%(count)d errors: nothing was imported.", len(result.errors))
                                   % {"count": len(result.errors)},
                                   returncode=1)
            for name in result.unplaced:
                self.stderr.write(_("%(name)s: French article unknown (neither the file's partner_article column nor "
                                    "the table of names gives it); set it in the administration.") % {"name": name})
            if result.dry_run:
                self.stdout.write(_("Dry run: nothing was written."))
            self.stdout.write(result.summary)
