"""Print the answers roster of a meeting, ordered like its distribution list."""

import json

from django.core.management.base import BaseCommand, CommandError

from meetings.models import Meeting
from secretariat.exports import dicts_as_csv
from secretariat.selectors import ROW_KEYS, meeting_answers


class Command(BaseCommand):
    help = "Print who was invited to MEETING_ID and what they answered, as CSV or JSON."

    def add_arguments(self, parser):
        parser.add_argument("meeting_id", type=str)
        parser.add_argument("--format", type=str, default="csv", help="csv or json")

    def handle(self, *args, meeting_id, format="csv", **options):
        fmt = (format or "").lower()
        if fmt not in ("csv", "json"):
            raise CommandError(f"--format must be csv or json, not {format!r}.")
        if not str(meeting_id).isdigit():
            raise CommandError(f"MEETING_ID must be a meeting id (a number), not {meeting_id!r}.")
        meeting = Meeting.objects.select_related("instance").filter(pk=int(meeting_id)).first()
        if meeting is None:
            raise CommandError(f"No meeting with the id {meeting_id}.")
        rows = [row.as_dict() for row in meeting_answers(meeting)]
        if fmt == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(dicts_as_csv(rows, ROW_KEYS), ending="")
