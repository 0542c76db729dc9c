"""`manage.py invite_people [--instance CODE] [--partner NAME] [--without-account] [--dry-run]`.

The same invitations as the "Accès au portail" page, for an operator. Last line: `invited=N skipped=N`.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from instances.models import Instance
from membership.accounts.services import people_invite
from membership.models import Mandate, Partner, Person


class Command(BaseCommand):
    help = "Invite people of the directory to choose their portal password (e-mail with a single-use link)."

    def add_arguments(self, parser):
        parser.add_argument("--instance", help="only people with an active mandate in this instance (code, e.g. GEC)")
        parser.add_argument("--partner", help="only people of this partner (its name, e.g. Belgique)")
        parser.add_argument("--without-account", action="store_true",
                            help="only people who have no login account yet (not even an invitation used)")
        parser.add_argument("--dry-run", action="store_true", help="count, send nothing")

    def handle(self, *args, **options):
        people = Person.objects.all()
        if options["instance"]:
            instance = Instance.objects.filter(code__iexact=options["instance"]).first()
            if instance is None:
                raise CommandError(_("Unknown instance: %(code)s") % {"code": options["instance"]})
            active = Mandate.objects.active_on(timezone.localdate()).filter(person=OuterRef("pk"), instance=instance)
            people = people.filter(Exists(active))
        if options["partner"]:
            partner = Partner.objects.filter(name__iexact=options["partner"]).first()
            if partner is None:
                raise CommandError(_("Unknown partner: %(name)s") % {"name": options["partner"]})
            people = people.filter(institution__partner=partner)
        if options["without_account"]:
            people = people.filter(user__isnull=True)
        result = people_invite(people=people, dry_run=options["dry_run"])
        for reason, count in sorted(result.skipped.items()):
            self.stdout.write(f"skipped {reason}={count}")
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was sent."))
        self.stdout.write(f"invited={len(result.invited)} skipped={result.skipped_count}")
