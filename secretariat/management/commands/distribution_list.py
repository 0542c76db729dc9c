"""Print the distribution list of an instance as it would be generated (M10)."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from instances.models import Instance
from meetings.models import Meeting
from secretariat.distribution import build_distribution_list
from secretariat.exports import machine_row, rows_as_csv


class Command(BaseCommand):
    help = ("Print the distribution list of INSTANCE_CODE (optionally for a meeting) as CSV or JSON, for machines: "
            "role, recipient and partner type are codes (see the keys), the reason is a sentence.")

    def add_arguments(self, parser):
        parser.add_argument("instance_code")
        parser.add_argument("--meeting", type=str, default=None, help="meeting id (adds presenters, experts…)")
        parser.add_argument("--date", type=str, default=None, help="YYYY-MM-DD (default: today, or the meeting's date)")
        parser.add_argument("--format", type=str, default="csv", help="csv or json")

    def handle(self, *args, instance_code, meeting=None, date=None, format="csv", **options):
        fmt = (format or "").lower()
        if fmt not in ("csv", "json"):
            raise CommandError(_("--format must be csv or json, not “%(value)s”.") % {"value": format})
        instance = Instance.objects.filter(code__iexact=instance_code).first()
        if instance is None:
            codes = ", ".join(Instance.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(_("No instance has the code “%(code)s”. Known codes: %(codes)s.") % {"code": instance_code, "codes": codes})
        meeting_obj = None
        if meeting is not None:
            if not str(meeting).isdigit():
                raise CommandError(_("--meeting must be a meeting number, not “%(value)s”.") % {"value": meeting})
            meeting_obj = Meeting.objects.filter(pk=int(meeting)).first()
            if meeting_obj is None:
                raise CommandError(_("No meeting has the number %(id)s.") % {"id": meeting})
            if meeting_obj.instance_id != instance.pk:
                raise CommandError(_("Meeting %(id)s belongs to %(owner)s, not to %(instance)s.") % {
                    "id": meeting, "owner": meeting_obj.instance.code, "instance": instance.code})
        if date is not None:
            try:
                on_date = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(_("--date must be a date written YYYY-MM-DD, not “%(value)s”.") % {"value": date})
        elif meeting_obj is not None:
            on_date = timezone.localtime(meeting_obj.start).date()
        else:
            on_date = timezone.localdate()
        rows = [e.as_row() for e in build_distribution_list(instance=instance, on_date=on_date, meeting=meeting_obj)]
        if fmt == "json":
            # role/recipient/partner_type: the old names of the *_code keys, kept until 0.3.0 (CHANGELOG.md).
            self.stdout.write(json.dumps([machine_row(r, with_old_names=True) for r in rows], ensure_ascii=False,
                                         indent=2))
        else:
            self.stdout.write(rows_as_csv(rows), ending="")
