"""`manage.py status [--json]`: the monitoring checks, printed; exit 1 when something is wrong."""

import json

from django.core.management.base import BaseCommand, CommandError

from ptf_portal.operations import evaluate


class Command(BaseCommand):
    help = "Check the database, Redis, the worker, the beat, the outbox and the mailbox; exit 1 if one is wrong."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the facts as JSON")

    def handle(self, *args, **options):
        findings, incidents = evaluate()
        wrong = [f for f in findings if not f.ok]
        if options["json"]:
            self.stdout.write(json.dumps({
                "ok": not wrong, "checks": {f.name: f.as_dict() for f in findings},
                "open_incidents": [{"check": i.check_name, "opened_at": i.opened_at.isoformat()} for i in incidents],
            }, indent=2, ensure_ascii=False))
        else:
            for finding in findings:
                state = "ok" if finding.ok else "WRONG"
                if not finding.applicable:
                    state = "n/a"
                self.stdout.write(f"{finding.name:<9} {state:<5} {finding.message}".rstrip())
        if wrong:
            raise CommandError(f"{len(wrong)} check(s) wrong: {', '.join(f.name for f in wrong)}", returncode=1)
