"""Proofreading on the realistic directory (the French world: 30 partners with real country names and no article):
every kind of e-mail, for every role that receives it, in French and in English, and every printed document in both
languages. French is read with the French rules (tests/french/checks.py: elision, contraction, months, "heure de
Bamako", codes, English left over); English with the English rules (no French left over: "heure de Bamako",
"7 déc.", "9 h 00", « », French catalogue phrases). Partners never read a rule ID.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation

from meetings import services as meeting_services
from meetings.models import AgendaItem, Meeting
from membership.accounts import emails as account_emails
from membership.accounts.models import AccountInvitation
from membership.models import Institution, Mandate, Partner, Person
from secretariat import answers, emails
from secretariat import services as secretariat_services
from secretariat.models import Invitation
from secretariat.reports.documents import KINDS
from secretariat.reports.pdf import meeting_document_html
from tests.factories import InstitutionFactory, PersonFactory
from tests.french.checks import english_problems, problems, rule_ids, visible_text
from tests.french.test_emails import GLUED_PUNCTUATION
from tests.french.world import build_french_world
from tests.security.world import _seat

pytestmark = pytest.mark.django_db
LANGUAGES = ("fr", "en")


def _read(message) -> str:
    parts = [message.subject, message.body]
    for content, mimetype in getattr(message, "alternatives", ()):
        if mimetype == "text/html":
            parts.append(visible_text(content))
    return "\n".join(parts)


def _french_data() -> tuple[str, ...]:
    """What the directory and the meetings hold as typed, in French: left as written in an English text."""
    data = set(Partner.objects.values_list("name", flat=True)) | set(Institution.objects.values_list("name", flat=True))
    data |= set(Meeting.objects.values_list("title", flat=True)) | set(AgendaItem.objects.values_list("title", flat=True))
    data |= {"Note de synthèse", "Envoyer la revue sectorielle", "Le groupe a passé en revue le secteur.",
             "Situation sécuritaire dans le centre", "La salle change.", "Réunion reportée à une date ultérieure."}
    for person in Person.objects.all():
        data.add(person.full_name)
    return tuple(d for d in data if d)


def _check(name: str, language: str, text: str, *, partner: bool, french_data) -> list[str]:
    where = f"{name} [{language}]"
    if language == "fr":
        found = problems(text)
        for match in GLUED_PUNCTUATION.finditer(text):
            found.append(f"no space before {match.group(1)!r}: …{' '.join(text[max(0, match.start() - 30):match.end() + 20].split())}…")
    else:
        found = english_problems(text, french_data=french_data)
    if partner:
        found += rule_ids(text)
    return [f"{where}: {p}" for p in found]


@pytest.fixture
def world(settings):
    settings.LANGUAGE_CODE = "fr"
    world = build_french_world()
    # A GEC meeting convened after the 30 partners of the realistic directory took their seats: it invites them all.
    seg = world.users["secretariat"]
    start = (timezone.localtime() + datetime.timedelta(days=50)).replace(hour=9, minute=0, second=0, microsecond=0)
    meeting = meeting_services.meeting_create(instance=world.instances["GEC"], title="Réunion ordinaire du GEC",
                                              start=start, end=start + datetime.timedelta(hours=2))
    meeting_services.agenda_item_add(meeting=meeting, title="Revue conjointe du secteur de l'éducation",
                                     category="policy_dialogue", expected_outcome="information")
    meeting_services.meeting_propose_agenda(meeting=meeting)
    secretariat_services.invitations_send(meeting=meeting, by_user=seg)
    world.meetings["gec_realistic"] = Meeting.objects.get(pk=meeting.pk)
    # A deputy for the GEC seat of the representative: the delegation e-mail names the titular.
    deputy = PersonFactory(first_name="Ousmane", last_name="Éloi", language="fr",
                           institution=InstitutionFactory(partner=world.people["rep"].partner))
    _seat(deputy, world.instances["GEC"], Mandate.Role.DEPUTY)
    return world


def _invitation_messages(invitation: Invitation) -> dict[str, object]:
    messages = {"invitation": emails.invitation_message(invitation)}
    for kind, note in (("update", "La salle change."), ("cancel", "Réunion reportée à une date ultérieure.")):
        copy = Invitation.objects.select_related("meeting__instance").get(pk=invitation.pk)
        copy.kind, copy.message, copy.language = kind, note, invitation.language
        messages[kind] = emails.invitation_message(copy)
    messages["reminder"] = emails.reminder_message(invitation)
    return messages


def test_every_email_and_document_reads_right_in_french_and_in_english(world):
    realistic = Invitation.objects.filter(meeting=world.meetings["gec_realistic"]).count()
    # The 23 heads of cooperation of the realistic directory (30 partners with the world's 7) and the world's GEC titular.
    assert realistic >= 24, realistic
    french_data = _french_data()
    # One invitation per (meeting, recipient role, to/cc): every role that receives an invitation, in every body.
    rows, kinds_seen = [], set()
    for invitation in Invitation.objects.select_related("meeting__instance", "person").order_by("pk"):
        key = (invitation.meeting_id, invitation.role, invitation.recipient)
        if key not in kinds_seen:
            kinds_seen.add(key)
            rows.append(invitation)
    # ... and five of the realistic partners, whose names take every article (le, la, les, l', none).
    rows += list(Invitation.objects.filter(meeting=world.meetings["gec_realistic"])
                 .select_related("meeting__instance", "person").order_by("pk")[:5])
    found, rendered = [], 0
    for language in LANGUAGES:
        Invitation.objects.update(language=language)
        Person.objects.update(language=language)
        for row in rows:
            invitation = Invitation.objects.select_related("meeting__instance", "person").get(pk=row.pk)
            for kind, message in _invitation_messages(invitation).items():
                rendered += 1
                if kind == "invitation":  # the check reads the language it means to read
                    assert ("heure de Bamako" if language == "fr" else "(Bamako time)") in message.body, message.body
                found += _check(f"{kind} to {invitation.name} ({invitation.role}, {invitation.meeting.instance.code})",
                                language, _read(message), partner=True, french_data=french_data)
        # Delegation: the representative's GEC seat to their deputy.
        titular = Invitation.objects.get(pk=world.invitations["rep_gec"].pk)
        with transaction.atomic():  # undone: each language delegates the same seat afresh
            delegated = answers.invitation_delegate(invitation=titular)
            found += _check("delegation", language, _read(emails.invitation_message(delegated)), partner=True,
                            french_data=french_data)
            # The deputy declines: the seat returns to the titular, told so in a new message.
            answers.answer_record(invitation=delegated, answer=Invitation.Rsvp.DECLINED,
                                  channel=Invitation.Channel.LINK)
            returned = Invitation.objects.select_related("meeting__instance").get(pk=titular.pk)
            assert returned.message, "the seat did not return to the titular"
            found += _check("seat returned", language, _read(emails.invitation_message(returned)), partner=True,
                            french_data=french_data)
            transaction.set_rollback(True)
        # The SEG's digest, in the portal's language.
        with override_settings(LANGUAGE_CODE=language):
            found += _check("digest", language, _read(emails.digest_message(failed=rows[:3], unanswered=rows[:5])),
                            partner=False, french_data=french_data)
        # The proposer of an agenda item: accepted and not accepted.
        item = AgendaItem.objects.filter(meeting=world.meetings["gec_realistic"]).first()
        for status in (AgendaItem.Status.ACCEPTED, AgendaItem.Status.REJECTED):
            item.proposed_by, item.status, item.decision_reason = world.people["rep"], status, "Hors du champ du GEC."
            item.proposed_by.language = language
            found += _check(f"proposal {status}", language, _read(emails.proposal_decision_message(item)),
                            partner=True, french_data=french_data + ("Hors du champ du GEC.",))
        # Accounts: the invitation to choose a password (a person; a new SEG member), the reset, the notice.
        person = Person.objects.get(pk=world.people["ga_member"].pk)
        expires = timezone.now() + datetime.timedelta(days=7)
        found += _check("account invitation", language, _read(account_emails.invitation_message(
            AccountInvitation(person=person, expires_at=expires), "token")), partner=True, french_data=french_data)
        seg_user = User(username="new.seg@example.org", email="new.seg@example.org", first_name="Inès",
                        last_name="Ag Alhassane")
        with override_settings(LANGUAGE_CODE=language):
            found += _check("SEG account invitation", language, _read(account_emails.invitation_message(
                AccountInvitation(user=seg_user, expires_at=expires), "token")), partner=False,
                french_data=french_data)
        found += _check("password reset", language, _read(account_emails.password_reset_message(person.user)),
                        partner=True, french_data=french_data)
        with translation.override(language):
            change = translation.gettext("The e-mail address of your login on the PTF Mali portal was changed from "
                                         "%(old)s to %(new)s.") % {"old": "a@example.org", "new": person.email}
        found += _check("login change", language, _read(account_emails.login_change_notice(
            to=person.email, change=change, language=language, when=timezone.now(), by="Awa Traoré")),
            partner=True, french_data=french_data)
        # Printed documents of a convened, a GA and a held meeting, as printed for the members (rule IDs in words).
        for key in ("gec_realistic", "ga", "a_held"):
            for kind in KINDS:
                html = meeting_document_html(world.meetings[key], kind, cleared=True, language=language)
                found += _check(f"{kind} of {key}", language, visible_text(html), partner=True,
                                french_data=french_data)
    assert rendered > 2 * 4 * 10
    mail.outbox.clear()
    unique = list(dict.fromkeys(found))
    assert unique == [], f"{len(unique)} problems:\n" + "\n".join(unique)

