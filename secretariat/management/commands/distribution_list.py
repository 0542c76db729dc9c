"""Print the distribution list of an instance as it would be generated (M10)."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from instances.models import Instance
from meetings.models import Meeting
from secretariat.distribution import build_distribution_list
from secretariat.exports import rows_as_csv


class Command(BaseCommand):
    help = "Print the distribution list of INSTANCE_CODE (optionally for a meeting) as CSV or JSON."

    def add_arguments(self, parser):
        parser.add_argument("instance_code")
        parser.add_argument("--meeting", type=str, default=None, help="meeting id (adds presenters, experts…)")
        parser.add_argument("--date", type=str, default=None, help="YYYY-MM-DD (default: today, or the meeting's date)")
        parser.add_argument("--format", type=str, default="csv", help="csv or json")

    def handle(self, *args, instance_code, meeting=None, date=None, format="csv", **options):
        fmt = (format or "").lower()
        if fmt not in ("csv", "json"):
            raise CommandError(f"--format must be csv or json, not {format!r}.")
        instance = Instance.objects.filter(code__iexact=instance_code).first()
        if instance is None:
            codes = ", ".join(Instance.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"No instance with the code {instance_code!r}. Known codes: {codes}.")
        meeting_obj = None
        if meeting is not None:
            if not str(meeting).isdigit():
                raise CommandError(f"--meeting must be a meeting id (a number), not {meeting!r}.")
            meeting_obj = Meeting.objects.filter(pk=int(meeting)).first()
            if meeting_obj is None:
                raise CommandError(f"No meeting with the id {meeting}.")
            if meeting_obj.instance_id != instance.pk:
                raise CommandError(f"Meeting {meeting} belongs to {meeting_obj.instance.code}, not {instance.code}.")
        if date is not None:
            try:
                on_date = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date must be a date written YYYY-MM-DD, not {date!r}.")
        elif meeting_obj is not None:
            on_date = timezone.localtime(meeting_obj.start).date()
        else:
            on_date = timezone.localdate()
        rows = [e.as_row() for e in build_distribution_list(instance=instance, on_date=on_date, meeting=meeting_obj)]
        if fmt == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(rows_as_csv(rows), ending="")
