"""Reading the secretariat's mailbox over IMAP with the standard library's `imaplib`.

Why `imaplib` rather than a wrapper such as imap-tools: the portal needs six commands (LOGIN, SELECT,
UID SEARCH UNSEEN, UID FETCH with BODY.PEEK, UID STORE, UID MOVE or COPY + EXPUNGE), `imaplib` has them with
socket timeouts and TLS certificate checks, is maintained with Python itself, and adds no dependency.

Each unread message is fetched without marking it read (BODY.PEEK), processed once
(`services.inbound_process`), then moved to the done folder. A message that is refused or could not be
processed is flagged, marked read (so the next poll does not read it again) and left where it is; the
secretariat sees it in "Courrier entrant", and marking it unread has it processed again.
"""

from __future__ import annotations

import base64
import imaplib
import logging
import re
import ssl
from dataclasses import dataclass

from django.conf import settings

from secretariat.inbound.models import InboundMessage
from secretariat.inbound.parse import MAX_MESSAGE_BYTES
from secretariat.inbound.services import Processed, inbound_process

logger = logging.getLogger(__name__)
MAX_MESSAGES_PER_POLL = 500


class MailboxError(Exception):
    """The mailbox could not be reached or refused a command (the message says which)."""


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    user: str
    password: str
    ssl: bool
    folder: str
    done_folder: str
    timeout: int

    @classmethod
    def from_settings(cls) -> MailboxSettings | None:
        """None when INBOUND_IMAP_HOST is unset: the feature is off."""
        if not settings.INBOUND_IMAP_HOST:
            return None
        return cls(host=settings.INBOUND_IMAP_HOST, port=settings.INBOUND_IMAP_PORT,
                   user=settings.INBOUND_IMAP_USER, password=settings.INBOUND_IMAP_PASSWORD,
                   ssl=settings.INBOUND_IMAP_SSL, folder=settings.INBOUND_IMAP_FOLDER,
                   done_folder=settings.INBOUND_IMAP_DONE_FOLDER, timeout=settings.INBOUND_IMAP_TIMEOUT)


def mailbox_name(name: str) -> str:
    """A folder name as IMAP wants it: modified UTF-7 (RFC 3501 §5.1.3), quoted ("Traités" → "Trait&AOk-s")."""
    out, pending = [], []

    def flush():
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode("ascii")
            out.append("&" + encoded.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    encoded = "".join(out)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(response, what: str):
    typ, data = response
    if typ != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise MailboxError(f"{what}: {typ} {detail}".strip())
    return data


def connect(config: MailboxSettings) -> imaplib.IMAP4:
    try:
        if config.ssl:
            conn = imaplib.IMAP4_SSL(config.host, config.port, ssl_context=ssl.create_default_context(),
                                     timeout=config.timeout)
        else:
            conn = imaplib.IMAP4(config.host, config.port, timeout=config.timeout)
        _check(conn.login(config.user, config.password), "LOGIN")
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"{config.host}:{config.port}: {exc}") from exc
    return conn


def _ensure_folder(conn: imaplib.IMAP4, name: str) -> None:
    typ, data = conn.list('""', name)
    if typ == "OK" and any(d for d in data if d):
        return
    _check(conn.create(name), f"CREATE {name}")


_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


def _size(conn: imaplib.IMAP4, uid: bytes) -> int:
    data = _check(conn.uid("FETCH", uid, "(RFC822.SIZE)"), "FETCH SIZE")
    for item in data:
        line = item[0] if isinstance(item, tuple) else item
        match = _SIZE.search(line or b"")
        if match:
            return int(match.group(1))
    return 0


def _body(conn: imaplib.IMAP4, uid: bytes, part: str) -> bytes:
    data = _check(conn.uid("FETCH", uid, f"(BODY.PEEK[{part}])"), "FETCH BODY")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return b""


def _move(conn: imaplib.IMAP4, uid: bytes, target: str, can_move: bool) -> None:
    if can_move:
        _check(conn.uid("MOVE", uid, target), "MOVE")
        return
    _check(conn.uid("COPY", uid, target), "COPY")
    _check(conn.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)"), "STORE")
    _check(conn.expunge(), "EXPUNGE")


@dataclass(frozen=True)
class Polled:
    uid: str
    processed: Processed


def poll(config: MailboxSettings | None = None) -> list[Polled]:
    """Process the unread messages of the folder; returns what became of each. Raises MailboxError."""
    config = config or MailboxSettings.from_settings()
    if config is None:
        return []
    conn = connect(config)
    results: list[Polled] = []
    try:
        folder, done = mailbox_name(config.folder), mailbox_name(config.done_folder)
        _ensure_folder(conn, done)
        _check(conn.select(folder), f"SELECT {config.folder}")
        # Asked again after login: servers announce MOVE (RFC 6851) only to authenticated clients.
        capabilities = b" ".join(d for d in _check(conn.capability(), "CAPABILITY") if isinstance(d, bytes))
        can_move = b"MOVE" in capabilities.upper().split()
        uids = _check(conn.uid("SEARCH", None, "UNSEEN"), "SEARCH")[0].split()[:MAX_MESSAGES_PER_POLL]
        for uid in uids:
            size = _size(conn, uid)
            if size > MAX_MESSAGE_BYTES:
                # Only the headers of a message past the limit are read: enough to key and list it.
                processed = inbound_process(raw=_body(conn, uid, "HEADER"), source=InboundMessage.Source.IMAP,
                                            declared_size=size)
            else:
                processed = inbound_process(raw=_body(conn, uid, ""), source=InboundMessage.Source.IMAP)
            if processed.failed:
                _check(conn.uid("STORE", uid, "+FLAGS.SILENT", r"(\Flagged \Seen)"), "STORE")
            else:
                _move(conn, uid, done, can_move)
            results.append(Polled(uid.decode("ascii"), processed))
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(str(exc)) from exc
    finally:
        try:
            conn.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return results
