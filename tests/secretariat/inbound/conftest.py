"""A directory shaped like the real one (about thirty partners, accents) and a convened GEC meeting whose
calendar UID is the one the client-shaped fixtures in messages/ answer."""

from __future__ import annotations

import email
import email.policy
import imaplib
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

import pytest

from meetings.models import Meeting
from membership.models import Partner, Person
from secretariat import services as secretariat_services
from secretariat.message_ids import make_message_id
from secretariat.models import Invitation
from tests.conftest import _unavailable
from tests.factories import gec
from tests.secretariat.factories import partner, person, proposed, seat
from tests.secretariat.inbound import dovecot as server

MESSAGES = Path(__file__).parent / "messages"
MEETING_UID = uuid.UUID("c0ffee00-0000-4000-8000-00000000a001")
CANCELLED_UID = uuid.UUID("c0ffee00-0000-4000-8000-00000000a002")

# (partner, type, titular (first, last, e-mail, function), deputy or None): the people the fixtures speak for.
NAMED = [
    ("Union européenne", Partner.Type.MULTILATERAL,
     ("Ulrike", "Østergaard", "ulrike.ostergaard@eeas.example", "resident_representative"), None),
    ("Espagne", Partner.Type.BILATERAL, ("Íñigo", "Álvarez", "inigo.alvarez@aecid.example", "head_of_cooperation"),
     None),
    ("Autriche", Partner.Type.BILATERAL, ("Anneliese", "Groß", "anneliese.gross@ada.example", "head_of_cooperation"),
     None),
    ("Italie", Partner.Type.BILATERAL, ("Isabella", "Rossi", "isabella.rossi@aics.example", "head_of_cooperation"),
     None),
    ("Irlande", Partner.Type.BILATERAL, ("Éloïse", "Ó Briain", "eloise.obriain@irlande.example", "head_of_cooperation"),
     ("Aodhán", "Kelly", "aodhan.kelly@irlande.example", "head_of_cooperation")),
    ("Norvège", Partner.Type.BILATERAL, ("Øyvind", "Aasen", "oyvind.aasen@norvege.example", "head_of_cooperation"),
     None),
    ("Allemagne", Partner.Type.BILATERAL, ("Ursula", "Eichel", "ursula.eichel@giz.example", "head_of_cooperation"),
     None),
    ("Suède", Partner.Type.BILATERAL, ("Olof", "Ekström", "olof.ekstrom@sida.example", "head_of_cooperation"),
     ("Astrid", "Eklund", "astrid.eklund@sida.example", "head_of_cooperation")),
    ("États-Unis", Partner.Type.BILATERAL,
     ("Abigail", "Underwood", "abigail.underwood@usaid.example", "head_of_cooperation"), None),
    ("Arabie saoudite", Partner.Type.BILATERAL,
     ("Abdullah", "Al-Otaibi", "a.alotaibi@sfd.example", "head_of_cooperation"), None),
    ("Émirats arabes unis", Partner.Type.BILATERAL,
     ("Amal", "Al Mansouri", "amal.almansouri@uae-aid.example", "head_of_cooperation"), None),
    ("Belgique", Partner.Type.BILATERAL, ("Éric", "Andrieu", "eric.andrieu@enabel.example", "head_of_cooperation"),
     None),
    ("Royaume-Uni", Partner.Type.BILATERAL, ("Ian", "O'Connor", "ian.oconnor@fcdo.example", "head_of_cooperation"),
     None),
    ("Japon", Partner.Type.BILATERAL, ("Akira", "Ueda", "akira.ueda@jica.example", "head_of_cooperation"), None),
    ("Banque africaine de développement", Partner.Type.MULTILATERAL,
     ("Yasmine", "Idrissi", "yasmine.idrissi@bad.example", "resident_representative"), None),
]
# The rest of the directory: names starting with vowels, accents, as in the real one.
OTHERS = ["Afrique du Sud", "Algérie", "Autorité ougandaise", "Égypte", "Équateur", "Éthiopie", "Inde",
          "Indonésie", "Irak", "Islande", "Israël", "Oman", "Ouzbékistan", "Organisation islamique",
          "Ukraine", "Uruguay"]


@dataclass
class World:
    meeting: Meeting
    cancelled: Meeting
    people: dict[str, Person] = field(default_factory=dict)

    def invitation(self, email: str, meeting: Meeting | None = None) -> Invitation:
        return Invitation.objects.get(meeting=meeting or self.meeting, email=email)


# The authserv-id of the secretariat's own mail server in these tests (INBOUND_TRUSTED_AUTHSERV_IDS).
TRUSTED_SERVER = "mx.ptf-mali.example.org"


def with_results(raw: bytes, value: str) -> bytes:
    """The message as a receiving server leaves it: its Authentication-Results header on top."""
    return f"Authentication-Results: {value}\r\n".encode() + raw


def sender_domain(raw: bytes) -> str:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    return parseaddr(str(parsed["From"]))[1].rpartition("@")[2].lower()


def message(name: str, *, authenticated: bool = True, **values) -> bytes:
    """A fixture's bytes, with {{INVITATION_ID}} and friends filled in for the ones that quote a Message-ID
    ({{MESSAGE_ID}}: the portal's real Message-ID of that invitation, with its MAC).

    `authenticated`: as the secretariat's server delivers it, with its Authentication-Results header saying that
    DMARC passed for the From domain (the world fixture trusts that server); False: the bytes as stored.
    """
    raw = (MESSAGES / name).read_bytes()
    if "INVITATION_ID" in values and "MESSAGE_ID" not in values:
        values["MESSAGE_ID"] = make_message_id(invitation_id=int(values["INVITATION_ID"]), kind="request", sequence=0)
    for key, value in values.items():
        raw = raw.replace(b"{{" + key.encode() + b"}}", str(value).encode())
    if authenticated:
        raw = with_results(raw, f"{TRUSTED_SERVER}; dmarc=pass (p=REJECT) header.from={sender_domain(raw)}")
    return raw


@pytest.fixture
def world(db, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://portail.ptf-mali.example"
    settings.INBOUND_TRUSTED_AUTHSERV_IDS = [TRUSTED_SERVER]
    settings.INBOUND_REQUIRE_AUTHENTICATION = True
    instance = gec()
    w = World(meeting=None, cancelled=None)
    for name, kind, titular, deputy in NAMED:
        p = partner(name, kind)
        first, last, email, function = titular
        w.people[email] = person(p, first_name=first, last_name=last, email=email, function=function)
        seat(w.people[email], instance, "titular")
        if deputy:
            first, last, email, function = deputy
            w.people[email] = person(p, first_name=first, last_name=last, email=email, function=function)
            seat(w.people[email], instance, "deputy")
    # Someone of Norway's embassy without any seat: a delegation to her is not allowed (M3).
    w.people["ingrid.lie@norvege.example"] = person(
        Partner.objects.get(name="Norvège"), first_name="Ingrid", last_name="Lie", email="ingrid.lie@norvege.example",
        function="expert")
    for n, name in enumerate(OTHERS):
        p = partner(name)
        seat(person(p, first_name="Awa", last_name=f"Ouédraogo-{n}", email=f"awa.ouedraogo{n}@{n}.example"),
             instance, "titular")
    w.meeting = proposed(instance, days=18, title="Réunion mensuelle du GEC")
    w.cancelled = proposed(instance, days=25, title="Réunion extraordinaire du GEC")
    Meeting.objects.filter(pk=w.meeting.pk).update(ical_uid=MEETING_UID)
    Meeting.objects.filter(pk=w.cancelled.pk).update(ical_uid=CANCELLED_UID)
    # The invitations really leave (eager tasks after commit, locmem outbox): they are "sent" like in production.
    with django_capture_on_commit_callbacks(execute=True):
        for m in (w.meeting, w.cancelled):
            m.refresh_from_db()
            secretariat_services.invitations_send(meeting=m)
        secretariat_services.meeting_cancel_and_notify(meeting=w.cancelled, reason="Fête nationale")
    w.meeting.refresh_from_db()
    w.cancelled.refresh_from_db()
    return w


@pytest.fixture(scope="session")
def dovecot():
    """A real IMAP server for the session; skipped without Dovecot, failed with REQUIRE_SERVICES=1."""
    # Not under pytest's private temporary directory: Dovecot's unprivileged processes must reach its files.
    root = Path(tempfile.mkdtemp(prefix="ptf-dovecot-"))
    root.chmod(0o755)
    try:
        running = server.start(root)
    except (RuntimeError, OSError, KeyError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        _unavailable(f"Dovecot cannot start: {exc}")
    yield running
    server.stop(running)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mailbox(dovecot, settings):
    """The secretariat's mailbox on the test Dovecot, emptied before each test; settings point at it."""
    settings.INBOUND_IMAP_HOST, settings.INBOUND_IMAP_PORT = dovecot.host, dovecot.port
    settings.INBOUND_IMAP_USER, settings.INBOUND_IMAP_PASSWORD = dovecot.user, dovecot.password
    settings.INBOUND_IMAP_SSL = False
    settings.INBOUND_IMAP_FOLDER, settings.INBOUND_IMAP_DONE_FOLDER = "INBOX", "Traités"
    conn = imaplib.IMAP4(dovecot.host, dovecot.port, timeout=10)
    conn.login(dovecot.user, dovecot.password)
    for folder in ("INBOX", '"Trait&AOk-s"'):
        typ, count = conn.select(folder)
        if typ == "OK" and int(count[0] or 0) > 0:
            conn.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
            conn.expunge()
    conn.logout()
    return dovecot
