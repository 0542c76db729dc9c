"""python manage.py process_mailbox [--file MESSAGE.eml ...]: read the secretariat's mailbox, or saved messages."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from secretariat.inbound.imap import MailboxError, MailboxSettings, poll
from secretariat.inbound.models import InboundMessage
from secretariat.inbound.parse import MAX_MESSAGE_BYTES
from secretariat.inbound.services import inbound_process


class Command(BaseCommand):
    help = ("Process the unread messages of the secretariat's mailbox (INBOUND_IMAP_*), or raw RFC 5322 files "
            "given with --file; prints one line per message: `NAME: outcome detail`.")

    def add_arguments(self, parser):
        parser.add_argument("--file", action="append", default=[], metavar="MESSAGE.eml",
                            help="a saved message to process instead of the mailbox (repeatable)")

    def handle(self, *args, file, **options):
        if file:
            for name in file:
                self._line(name, self._from_file(name))
            return
        config = MailboxSettings.from_settings()
        if config is None:
            raise CommandError("INBOUND_IMAP_HOST is not set: give --file MESSAGE.eml, or configure the mailbox.")
        try:
            results = poll(config)
        except MailboxError as exc:
            raise CommandError(f"mailbox: {exc}") from exc
        for polled in results:
            self._line(f"{config.folder}/{polled.uid}", polled.processed)

    def _from_file(self, name: str):
        path = Path(name)
        try:
            size = path.stat().st_size
            with path.open("rb") as handle:
                # Past the limit only the beginning is read: enough for the headers, and the message is refused.
                raw = handle.read(MAX_MESSAGE_BYTES + 1 if size <= MAX_MESSAGE_BYTES else 256 * 1024)
        except OSError as exc:
            raise CommandError(f"{name}: {exc.strerror or exc}") from exc
        return inbound_process(raw=raw, source=InboundMessage.Source.FILE, declared_size=size)

    def _line(self, name: str, processed) -> None:
        self.stdout.write(f"{name}: {processed.outcome} {processed.detail}")
