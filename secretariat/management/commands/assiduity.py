"""Print a body's assiduity per partner for a year, as JSON or CSV."""

import json

from django.core.management.base import BaseCommand, CommandError

from core.csv_export import csv_text
from instances.models import Instance
from secretariat.reports.assiduity import FIELDS, assiduity, year_range


class Command(BaseCommand):
    help = "Print the assiduity per partner of INSTANCE_CODE in YEAR (keys: " + ", ".join(FIELDS) + ")."

    def add_arguments(self, parser):
        parser.add_argument("instance_code")
        parser.add_argument("year")
        parser.add_argument("--format", default="json", help="json (default) or csv")
        parser.add_argument("--sort", default="partner", help="a key to sort by; prefix with - for descending")

    def handle(self, *args, instance_code, year, format="json", sort="partner", **options):
        fmt = (format or "").lower()
        if fmt not in ("json", "csv"):
            raise CommandError(f"--format must be json or csv, not {format!r}.")
        if not str(year).isdigit() or not 2000 <= int(year) <= 2100:
            raise CommandError(f"YEAR must be a year such as 2026, not {year!r}.")
        if sort.lstrip("-") not in FIELDS:
            raise CommandError(f"--sort must be one of {', '.join(FIELDS)} (optionally with -), not {sort!r}.")
        instance = Instance.objects.filter(code__iexact=instance_code).first()
        if instance is None:
            codes = ", ".join(Instance.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"No instance with the code {instance_code!r}. Known codes: {codes}.")
        report = assiduity(instance, *year_range(int(year)), sort=sort.lstrip("-"), descending=sort.startswith("-"))
        rows = [row.as_dict() for row in report.rows]
        if fmt == "json":
            self.stdout.write(json.dumps([{key: row[key] for key in FIELDS} for row in rows], ensure_ascii=False,
                                         indent=2))
            return
        self.stdout.write(csv_text(FIELDS, ([row[key] for key in FIELDS] for row in rows)), ending="")
