"""One row per seat of a written procedure: partner, person, role, answer, reason, answered_at, channel."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.converters import parse_id
from core.csv_export import csv_text
from procedures.models import Procedure
from procedures.selectors import RESULT_FIELDS, result_rows, visible_seats


class Command(BaseCommand):
    help = "Print the seats of written procedure ID with their answers, as JSON or CSV."

    def add_arguments(self, parser):
        parser.add_argument("procedure_id")
        parser.add_argument("--format", default="json", help="json (default) or csv")
        parser.add_argument("--as-user", default=None,
                            help="show only what this portal user may see (A4: a GA procedure to GA members and "
                                 "the SEG; a partner sees its own seat)")

    def handle(self, *args, procedure_id, format="json", as_user=None, **options):
        pk = parse_id(procedure_id)
        if pk is None:
            raise CommandError(f"ID must be a number, not {procedure_id!r}.")
        if format not in ("json", "csv"):
            raise CommandError(f"--format must be json or csv, not {format!r}.")
        procedure = Procedure.objects.select_related("body").filter(pk=pk).first()
        if procedure is None:
            raise CommandError(f"No written procedure with the id {pk}.")
        user = None
        if as_user is not None:
            user = get_user_model().objects.filter(username=as_user, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {as_user!r}.")
        seats = visible_seats(procedure, user)
        if seats is None:
            raise CommandError(f"{as_user} may not read written procedure {pk}.")
        rows = result_rows(seats)
        if format == "csv":
            self.stdout.write(csv_text(RESULT_FIELDS, ([row[f] for f in RESULT_FIELDS] for row in rows)), ending="")
        else:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
