"""Write a meeting's convocation, attendance sheet or minutes as PDF (the same documents as the meeting page)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from meetings.models import Meeting
from secretariat.reports import pdf


class Command(BaseCommand):
    help = "Write the convocation, attendance sheet or minutes of MEETING_ID as a PDF file."

    def add_arguments(self, parser):
        parser.add_argument("meeting_id")
        parser.add_argument("--kind", default="convocation", help="convocation, attendance or minutes")
        parser.add_argument("--output", default=None, help="the file to write (default: the document's French name)")
        parser.add_argument("--language", default="fr", help="fr (default) or en")
        parser.add_argument("--public", action="store_true",
                            help="leave out confidential items and documents, as for a reader without clearance")

    def handle(self, *args, meeting_id, kind, output=None, language="fr", public=False, **options):
        if not str(meeting_id).isdigit():
            raise CommandError(f"MEETING_ID must be a number, not {meeting_id!r}.")
        if kind not in pdf.KINDS:
            raise CommandError(f"--kind must be one of {', '.join(pdf.KINDS)}, not {kind!r}.")
        if language not in ("fr", "en"):
            raise CommandError(f"--language must be fr or en, not {language!r}.")
        meeting = Meeting.objects.select_related("instance").filter(pk=int(meeting_id)).first()
        if meeting is None:
            raise CommandError(f"No meeting with the id {meeting_id}.")
        if kind == pdf.MINUTES and not hasattr(meeting, "minutes"):
            raise CommandError(f"Meeting {meeting_id} has no minutes yet.")
        try:
            body, name = pdf.meeting_pdf(meeting, kind, cleared=not public, language=language)
        except pdf.DocumentTooLarge as refusal:
            raise CommandError(refusal.message())
        path = Path(output or name)
        try:
            path.write_bytes(body)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.")
        self.stdout.write(f"{path} ({len(body)} bytes)")
