"""Generate a year of ordinary meetings for one instance (I3–I5)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.french import long_datetime
from instances.models import Instance
from meetings.schedule import ga_meeting_count_warnings, generate_year


class Command(BaseCommand):
    help = "Create the ordinary meetings of INSTANCE_CODE for YEAR from its schedule rule; safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("instance_code")
        parser.add_argument("year", type=int)

    def handle(self, instance_code, year, **options):
        if not 2000 <= year <= 2100:
            raise CommandError(f"Year out of range: {year}")
        instance = Instance.objects.filter(code=instance_code).first()
        if instance is None:
            raise CommandError(_("No instance has the code “%(code)s”.") % {"code": instance_code})
        try:
            created = generate_year(instance=instance, year=year)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages))
        if not created:
            self.stdout.write(_("No meeting created for %(instance)s in %(year)s.")
                              % {"instance": instance.code, "year": year})
        else:
            self.stdout.write(ngettext("%(count)d meeting created for %(instance)s in %(year)s.",
                                       "%(count)d meetings created for %(instance)s in %(year)s.", len(created))
                              % {"count": len(created), "instance": instance.code, "year": year})
        if created.skipped_past:
            self.stdout.write(ngettext("%(count)d date already past was skipped.",
                                       "%(count)d dates already past were skipped.", created.skipped_past)
                              % {"count": created.skipped_past})
        for meeting in created:
            self.stdout.write(f"  {long_datetime(meeting.start)}  {meeting.title}")
        if instance.kind == Instance.Kind.GA:
            for warning in ga_meeting_count_warnings(year):
                self.stderr.write(warning)
