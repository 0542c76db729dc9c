"""`manage.py seed_history --years N [--seed S] [--allow-existing-data]`: years of generated history on top of
the loaded directory, through the services (see ptf_portal/history.py). For demos, benchmarks and tests."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ptf_portal.history import NoDirectoryError, RealDataError, seed_history


class Command(BaseCommand):
    help = ("Generate N years of realistic history (meetings, invitations, answers, minutes, actions, referrals, "
            "people rotating through mandates) on the directory in the database, through the services.")

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, required=True, help="how many years back from today (1 to 30)")
        parser.add_argument("--seed", type=int, default=0, help="the random seed: the same seed gives the same world")
        parser.add_argument("--allow-existing-data", action="store_true",
                            help="run even though the database holds meetings the generator did not write")
        parser.add_argument("--json", action="store_true", help="print what was written as JSON")

    def handle(self, *args, **options):
        years = options["years"]
        if not 1 <= years <= 30:
            raise CommandError(_("--years must be between 1 and 30."))
        log = None if options["json"] else self.stdout.write
        try:
            stats = seed_history(years=years, seed=options["seed"],
                                 allow_existing_data=options["allow_existing_data"], log=log)
        except NoDirectoryError:
            raise CommandError(_("The database holds no directory: load one first (load_demo or "
                                 "import_directory)."))
        except RealDataError as error:
            raise CommandError(_(
                "The database already holds %(real)d meetings or referrals not written by the generator and "
                "%(generated)d generated meetings: history is generated only on a directory without meetings. "
                "Add --allow-existing-data to generate it all the same."
            ) % {"real": error.real, "generated": error.generated})
        if options["json"]:
            self.stdout.write(json.dumps(stats.as_dict(), ensure_ascii=False))
            return
        data = stats.as_dict()
        refused = data.pop("refused")
        self.stdout.write(" ".join(f"{key}={value}" for key, value in data.items()))
        if refused:
            self.stdout.write(_("Steps refused by the rules (the world went on): %(detail)s")
                              % {"detail": ", ".join(f"{k} × {v}" for k, v in sorted(refused.items()))})
