"""Reading one raw message from the secretariat's mailbox into a classification, without touching the database.

Standard library `email` (policy `default`) for the MIME structure, `icalendar` for calendar parts.
Everything a sender controls is bounded before or while it is parsed: total size, number of parts,
nesting depth, size of a calendar part, header size, and a deadline for the whole walk. A message
past a bound is classified `error` ("refused"), never raised.

Kinds:
- `answer`: an iTIP REPLY (RFC 5546 §3.2.3, carried as in RFC 6047), inline or attached, any encoding;
- `counter`: an iTIP COUNTER (another time proposed): not an answer;
- `bounce`: a delivery status notification (RFC 3464) or a common non-standard bounce;
- `auto_reply`: an automatic answer (RFC 3834 `Auto-Submitted: auto-replied`, X-Autoreply, …) or an
  out-of-office subject in French or English;
- `free_text`: a person wrote back in words: never guessed at;
- `ignored`: nothing for the portal (another iTIP method, an automatic notice that is not a reply);
- `error`: refused (too large, too many parts, broken MIME or calendar).
"""

from __future__ import annotations

import datetime
import email
import email.parser
import hashlib
import re
import time
from dataclasses import dataclass, field
from email import errors, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from icalendar import Calendar

from core.converters import parse_id
from secretariat.message_ids import MessageRef, parse_message_id

MAX_MESSAGE_BYTES = 10 * 1024 * 1024
MAX_PARTS = 100
MAX_DEPTH = 8
MAX_CALENDAR_BYTES = 256 * 1024
MAX_TEXT_BYTES = 1024 * 1024
MAX_HEADER_BYTES = 256 * 1024
DEADLINE_SECONDS = 5.0
EXCERPT_CHARS = 1500


class Kind:
    ANSWER = "answer"
    COUNTER = "counter"
    BOUNCE = "bounce"
    AUTO_REPLY = "auto_reply"
    FREE_TEXT = "free_text"
    IGNORED = "ignored"
    ERROR = "error"


class Refused(Exception):
    """A bound was exceeded or the structure is broken: the message is refused with this reason code."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class AttendeeReply:
    email: str
    partstat: str
    delegated_to: str = ""
    name: str = ""


@dataclass(frozen=True)
class CalendarReply:
    """The VEVENT of a REPLY or COUNTER: what the client says about one meeting."""

    method: str
    uid: str
    sequence: int
    attendees: tuple[AttendeeReply, ...]
    prodid: str = ""
    comment: str = ""
    proposed_start: datetime.datetime | None = None
    proposed_end: datetime.datetime | None = None


@dataclass(frozen=True)
class Bounce:
    status: str  # RFC 3463 enhanced code "5.1.1", or "" when the bounce gives none
    permanent: bool
    diagnostic: str
    recipient: str = ""
    original: MessageRef | None = None
    invitation_header: int | None = None  # X-PTF-Invitation of the original, when quoted


@dataclass
class Parsed:
    kind: str
    key: str
    message_id: str = ""
    sender: str = ""
    subject: str = ""
    references: MessageRef | None = None  # the invitation message this one answers (In-Reply-To/References)
    calendar: CalendarReply | None = None
    bounce: Bounce | None = None
    excerpt: str = ""
    reason: str = ""  # for ignored/error: a code rendered by the services' messages
    params: dict = field(default_factory=dict)


def message_key(raw: bytes, message_id: str) -> str:
    """Processing is keyed on the Message-ID, and on the content when there is none."""
    message_id = (message_id or "").strip()
    if message_id:
        return "mid:" + message_id[:240]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


_HEADER_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)


def _raw_message_id(raw: bytes) -> str:
    """The Message-ID read from the header block alone, for refused messages the parser never sees."""
    head = raw[: min(len(raw), MAX_HEADER_BYTES)].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    match = _HEADER_MESSAGE_ID.search(head)
    if not match:
        return ""
    return " ".join(match.group(1).decode("ascii", "replace").split())[:240]


def _precheck(raw: bytes, declared_size: int | None) -> None:
    """Cheap checks on the bytes before building any object."""
    size = max(len(raw), declared_size or 0)
    if size > MAX_MESSAGE_BYTES:
        raise Refused("too_large", size=size, limit=MAX_MESSAGE_BYTES)
    head = raw.split(b"\n\n", 1)[0]
    if len(head) > MAX_HEADER_BYTES:
        raise Refused("headers_too_large", size=len(head))
    # Each MIME part starts with a boundary line "--…": count them before the parser builds thousands of objects.
    # Generous (quoted threads have "-----Original Message-----" lines too): the walk counts parts exactly.
    if raw.count(b"\n--") > 10 * MAX_PARTS:
        raise Refused("too_many_parts", limit=MAX_PARTS)


class _Walk:
    """Depth-first walk over the parts with the bounds of this module; nested messages included."""

    def __init__(self, message: EmailMessage, deadline: float):
        self.deadline = deadline
        self.count = 0
        self.parts: list[EmailMessage] = []
        self.quoted: set[int] = set()  # id() of the parts inside an attached message (message/rfc822)
        self._visit(message, 0, False)

    def _visit(self, part, depth: int, quoted: bool) -> None:
        if time.monotonic() > self.deadline:
            raise Refused("too_slow")
        self.count += 1
        if self.count > MAX_PARTS:
            raise Refused("too_many_parts", limit=MAX_PARTS)
        if depth > MAX_DEPTH:
            raise Refused("too_deep", limit=MAX_DEPTH)
        self.parts.append(part)
        if quoted:
            self.quoted.add(id(part))
        payload = part.get_payload()
        if isinstance(payload, list):
            inner = quoted or part.get_content_type() == "message/rfc822"
            for child in payload:
                if isinstance(child, email.message.Message):
                    self._visit(child, depth + 1, inner)


def _str(value) -> str:
    return "" if value is None else str(value)


def _header(message, name: str) -> str:
    try:
        return " ".join(_str(message.get(name, "")).split())
    except Exception:  # a malformed header the default policy cannot render
        return ""


def _address(value: str) -> str:
    """A bare, lower-case address from a header value or a `mailto:` URI (any case)."""
    value = (value or "").strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    _name, address = parseaddr(value)
    address = (address or value).strip().strip("<>").lower()
    return address if "@" in address else ""


def _decoded_bytes(part, limit: int) -> bytes:
    data = part.get_payload(decode=True)
    if data is None:
        data = _str(part.get_payload()).encode("utf-8", "replace")
    if len(data) > limit:
        raise Refused("part_too_large", size=len(data), limit=limit)
    return data


def _text_of(part, limit: int = MAX_TEXT_BYTES) -> str:
    """A text part's content in the charset it declares (unknown charsets read as UTF-8, errors replaced)."""
    data = _decoded_bytes(part, limit)
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


# --- calendar -----------------------------------------------------------------------------------------


def _is_calendar(part) -> bool:
    ctype = part.get_content_type()
    if ctype in ("text/calendar", "application/ics", "text/x-vcalendar", "application/x-ical"):
        return True
    filename = (part.get_filename() or "").lower() if ctype.startswith("application/") else ""
    return filename.endswith(".ics")


def _datetime(prop) -> datetime.datetime | None:
    if prop is None:
        return None
    value = getattr(prop, "dt", prop)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=datetime.UTC)
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time(), datetime.UTC)
    return None


def _attendees(event) -> tuple[AttendeeReply, ...]:
    raw = event.get("attendee")
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        params = getattr(item, "params", {})
        address = _address(_str(item))
        if not address:
            continue
        delegated = _str(params.get("DELEGATED-TO", ""))
        # DELEGATED-TO is a list of quoted URIs: the first is the delegate.
        delegated = _address(delegated.split(",")[0].strip().strip('"')) if delegated else ""
        out.append(AttendeeReply(email=address, partstat=_str(params.get("PARTSTAT", "NEEDS-ACTION")).upper(),
                                 delegated_to=delegated, name=_str(params.get("CN", ""))[:250]))
    return tuple(out)


def _calendar(part) -> CalendarReply | None:
    """The first VEVENT of an iTIP REPLY/COUNTER part; None for other methods; Refused when broken."""
    text = _text_of(part, MAX_CALENDAR_BYTES)
    try:
        cal = Calendar.from_ical(text)
    except Exception as exc:  # icalendar raises ValueError and others on broken input
        raise Refused("broken_calendar", error=type(exc).__name__) from exc
    # METHOD is in the calendar (RFC 5546) and repeated in the Content-Type (RFC 6047 §2.4).
    method = (_str(cal.get("method")) or _str(part.get_param("method")) or "").upper()
    events = [c for c in cal.walk("VEVENT")]
    if not events:
        raise Refused("broken_calendar", error="no VEVENT")
    event = events[0]
    uid = _str(event.get("uid")).strip()
    if not uid:
        raise Refused("broken_calendar", error="no UID")
    try:
        sequence = int(_str(event.get("sequence", 0)) or 0)
    except ValueError:
        sequence = 0
    return CalendarReply(
        method=method, uid=uid[:250], sequence=max(sequence, 0), attendees=_attendees(event),
        prodid=_str(cal.get("prodid"))[:200], comment=_str(event.get("comment"))[:1000],
        proposed_start=_datetime(event.get("dtstart")) if method == "COUNTER" else None,
        proposed_end=_datetime(event.get("dtend")) if method == "COUNTER" else None,
    )


# --- bounces ------------------------------------------------------------------------------------------

_STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_SMTP_REPLY = re.compile(r"(?<!\d)([45])\d\d(?:[ -]|$)", re.MULTILINE)
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_X_PTF = re.compile(r"^X-PTF-Invitation:\s*(\d+)", re.IGNORECASE | re.MULTILINE)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (status notification|has failed|failure)|mail delivery failed|"
    r"returned mail|failure notice|non remis|non distribu|échec de (la )?(remise|distribution)|"
    r"message (not|non) (delivered|remis)|delivery notification", re.IGNORECASE)
_BOUNCE_SENDER = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)


def _field(block, name: str) -> str:
    return _header(block, name)


def _typed(value: str) -> str:
    """`rfc822; someone@x` → `someone@x`; `smtp; 550 5.1.1 …` → `550 5.1.1 …` (RFC 3464 type;value)."""
    return value.split(";", 1)[1].strip() if ";" in value else value.strip()


def _original_headers(walk: _Walk):
    """The original message (message/rfc822) or its headers (text/rfc822-headers), when the bounce quotes them."""
    for part in walk.parts[1:]:
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload:
                return payload[0]
        if ctype == "text/rfc822-headers":
            return email.parser.Parser(policy=policy.default).parsestr(_text_of(part, MAX_HEADER_BYTES),
                                                                      headersonly=True)
    return None


def _status_is_permanent(status: str, action: str = "") -> bool:
    if status:
        return status.startswith("5")
    return action.lower() == "failed"


def _dsn(message, walk: _Walk) -> Bounce | None:
    """RFC 3464: the first per-recipient block of message/delivery-status."""
    status_part = next((p for p in walk.parts if p.get_content_type() == "message/delivery-status"), None)
    if status_part is None:
        return None
    blocks = status_part.get_payload()
    if not isinstance(blocks, list) or len(blocks) < 2:
        raise Refused("broken_report")
    # The first block is per-message; the others are per-recipient. Report the worst one (a failure first).
    recipients = blocks[1:]
    recipients.sort(key=lambda b: 0 if _field(b, "Action").lower() == "failed" else 1)
    block = recipients[0]
    action = _field(block, "Action").lower()
    match = _STATUS.search(_field(block, "Status"))
    status = ".".join(match.groups()) if match else ""
    diagnostic = _typed(_field(block, "Diagnostic-Code")) or status or action
    recipient = _address(_typed(_field(block, "Original-Recipient"))) or _address(
        _typed(_field(block, "Final-Recipient")))
    if action in ("delivered", "relayed", "expanded"):
        return None
    return Bounce(status=status, permanent=_status_is_permanent(status, action), diagnostic=diagnostic[:2000],
                  recipient=recipient)


def _line_at(text: str, position: int) -> str:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return text[start: end if end != -1 else len(text)]


def _plain_bounce(message, walk: _Walk, texts: list[str]) -> Bounce | None:
    """A bounce in words (Exim, qmail, Exchange NDR text…): the first status code in the text."""
    sender = _address(_header(message, "From"))
    subject = _header(message, "Subject")
    failed_header = _header(message, "X-Failed-Recipients")
    if not (_BOUNCE_SENDER.match(sender) or _BOUNCE_SUBJECT.search(subject) or failed_header):
        return None
    body = "\n".join(texts)
    match = _STATUS.search(body)
    if match:
        status = ".".join(match.groups())
        permanent = status.startswith("5")
        line = _line_at(body, match.start())
    else:
        smtp = _SMTP_REPLY.search(body)
        if smtp is None:
            # A bounce without any code: noted for the secretariat, no state changed.
            return Bounce(status="", permanent=False, diagnostic=subject[:2000],
                          recipient=_address(failed_header.split(",")[0]) if failed_header else "")
        status, permanent, line = "", smtp.group(1) == "5", _line_at(body, smtp.start())
    recipient = _address(failed_header.split(",")[0]) if failed_header else ""
    if not recipient:
        own = {_address(_header(message, "To")), sender}
        found = [a.lower() for a in _EMAIL.findall(body) if a.lower() not in own]
        recipient = found[0] if found else ""
    return Bounce(status=status, permanent=permanent, diagnostic=" ".join(line.split())[:2000], recipient=recipient)


def _bounce(message, walk: _Walk, texts: list[str]) -> Bounce | None:
    is_report = (message.get_content_type() == "multipart/report"
                 and _str(message.get_param("report-type")).lower() == "delivery-status")
    bounce = _dsn(message, walk) if is_report else None
    if bounce is None:
        bounce = _plain_bounce(message, walk, texts)
    if bounce is None:
        return None
    original = _original_headers(walk)
    ref = None
    header_id = None
    if original is not None:
        ref = parse_message_id(_header(original, "Message-ID"))
        raw_id = _header(original, "X-PTF-Invitation")
        header_id = parse_id(raw_id)
        if not bounce.recipient:
            bounce = Bounce(**{**bounce.__dict__, "recipient": _address(_header(original, "To"))})
    body = "\n".join(texts)
    ref = ref or parse_message_id(_header(message, "In-Reply-To")) or parse_message_id(
        _header(message, "References")) or parse_message_id(body)
    if header_id is None:
        match = _X_PTF.search(body)
        header_id = int(match.group(1)) if match else None
    return Bounce(**{**bounce.__dict__, "original": ref, "invitation_header": header_id})


# --- automatic replies --------------------------------------------------------------------------------

_OOO_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto(matic)?[- ]?reply|autoreply|auto:|out of (the )?office|ooo\b|away from|"
    r"absent|absence|réponse automatique|reponse automatique|message d'absence|absent(e)? du bureau|"
    r"hors du bureau|congés?\b|en congé)", re.IGNORECASE)


def _auto_reply_kind(message) -> str | None:
    """`auto_reply` (RFC 3834 and the common vendor headers), `ignored` for other automatic mail, else None."""
    auto = _header(message, "Auto-Submitted").lower()
    if auto.startswith("auto-replied"):
        return Kind.AUTO_REPLY
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond") or _header(
            message, "X-Auto-Response-Suppress"):
        return Kind.AUTO_REPLY
    precedence = _header(message, "Precedence").lower()
    if precedence == "auto_reply":
        return Kind.AUTO_REPLY
    if _OOO_SUBJECT.search(_header(message, "Subject")):
        return Kind.AUTO_REPLY
    if auto and auto != "no":
        return Kind.IGNORED  # auto-generated notices: not a reply to the invitation
    if precedence in ("bulk", "list", "junk"):
        return Kind.IGNORED
    return None


# --- the whole message --------------------------------------------------------------------------------

_QUOTE_START = re.compile(r"^(>|-----\s*(original|message d'origine)|le .{5,80} a écrit\s*:|on .{5,80} wrote:|"
                          r"de\s*:\s|from\s*:\s)", re.IGNORECASE | re.MULTILINE)
_TAG = re.compile(r"<[^>]{0,2000}>")


def _texts(walk: _Walk) -> list[str]:
    """The text parts that are not attachments nor quoted originals (plain first, HTML stripped otherwise)."""
    plain, html = [], []
    for part in walk.parts:
        ctype = part.get_content_type()
        if part.is_multipart() or ctype not in ("text/plain", "text/html") or id(part) in walk.quoted:
            continue
        if part.get_content_disposition() == "attachment":
            continue
        (plain if ctype == "text/plain" else html).append(part)
    chosen = plain or html
    out = []
    for part in chosen:
        text = _text_of(part)
        if part.get_content_type() == "text/html":
            text = _TAG.sub(" ", text)
        out.append(text)
    return out


def _excerpt(texts: list[str]) -> str:
    """What the person wrote, without the quoted invitation under it."""
    text = "\n".join(texts)
    match = _QUOTE_START.search(text)
    if match:
        text = text[: match.start()]
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()[:EXCERPT_CHARS]


def parse_message(raw: bytes, *, declared_size: int | None = None) -> Parsed:
    """Classify one raw RFC 5322 message. Never raises: a hostile or broken message is an `error`.

    `declared_size`: the size the mailbox announces when only the headers of a too large message were fetched.
    """
    try:
        _precheck(raw, declared_size)
    except Refused as refused:
        return Parsed(kind=Kind.ERROR, key=message_key(raw, _raw_message_id(raw)), message_id=_raw_message_id(raw),
                      reason=refused.code, params=refused.params)
    deadline = time.monotonic() + DEADLINE_SECONDS
    message_id = ""
    base = Parsed(kind=Kind.IGNORED, key=message_key(raw, ""))
    try:
        message = email.message_from_bytes(raw, policy=policy.default)
        message_id = _header(message, "Message-ID")[:240]
        base.message_id = message_id
        base.key = message_key(raw, message_id)
        base.sender = _address(_header(message, "From")) or _address(_header(message, "Sender"))
        base.subject = _header(message, "Subject")[:300]
        base.references = parse_message_id(_header(message, "In-Reply-To")) or parse_message_id(
            _header(message, "References"))
        return _classify(message, base, deadline)
    except Refused as refused:
        base.kind, base.reason, base.params = Kind.ERROR, refused.code, refused.params
        return base
    except Exception as exc:  # the parser and icalendar can raise many things on hostile input
        base.kind, base.reason, base.params = Kind.ERROR, "broken_message", {"error": type(exc).__name__}
        return base


_STRUCTURE_DEFECTS = (
    errors.NoBoundaryInMultipartDefect, errors.StartBoundaryNotFoundDefect,
    errors.MultipartInvariantViolationDefect, errors.MisplacedEnvelopeHeaderDefect,
)


def _classify(message, base: Parsed, deadline: float) -> Parsed:
    walk = _Walk(message, deadline)
    for part in walk.parts:
        broken = [d for d in part.defects if isinstance(d, _STRUCTURE_DEFECTS)]
        if broken:
            raise Refused("broken_mime", error=type(broken[0]).__name__)
    texts = _texts(walk)
    if time.monotonic() > deadline:
        raise Refused("too_slow")
    bounce = _bounce(message, walk, texts)
    if bounce is not None:
        base.kind, base.bounce = Kind.BOUNCE, bounce
        return base
    calendars = [p for p in walk.parts if _is_calendar(p) and id(p) not in walk.quoted]
    broken = None
    for part in calendars:
        try:
            reply = _calendar(part)
        except Refused as refused:
            broken = broken or refused  # clients send the same calendar inline and attached: try the other
            continue
        if reply.method in ("REPLY", "COUNTER"):
            # What the person's client wrote next to the calendar: shown to the secretariat beside the answer.
            base.kind, base.calendar = (Kind.ANSWER if reply.method == "REPLY" else Kind.COUNTER), reply
            base.excerpt = _excerpt(texts)
            return base
    if broken is not None:
        raise broken
    if calendars:
        base.kind, base.reason, base.params = Kind.IGNORED, "other_method", {}
        return base
    automatic = _auto_reply_kind(message)
    if automatic is not None:
        base.kind = automatic
        base.reason = "automatic" if automatic == Kind.IGNORED else ""
        base.excerpt = _excerpt(texts)[:300]
        return base
    base.excerpt = _excerpt(texts)
    base.kind = Kind.FREE_TEXT if base.excerpt else Kind.IGNORED
    if not base.excerpt:
        base.reason = "empty"
    return base


def addresses(value: str) -> list[str]:
    """Bare lower-case addresses from an address-list header."""
    return [a.lower() for _n, a in getaddresses([value or ""]) if "@" in a]
