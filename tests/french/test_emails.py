"""The e-mails a French-speaking partner receives in a week, rendered in French and read like the pages:
invitation, update, cancellation, reminder, digest, delegation. Also: a space before the colon."""

import re

from django.core import mail
from django.test import override_settings

from membership.models import Mandate
from secretariat import answers, emails
from secretariat.models import Invitation
from tests.factories import InstitutionFactory, PersonFactory
from tests.french.checks import problems, rule_ids, visible_text
from tests.french.world import build_french_world
from tests.security.world import _seat

# French puts a (narrow no-break) space before : ; ! ? — a colon glued to a word is an English habit.
GLUED_PUNCTUATION = re.compile(r"[^\s\u202f\u00a0]([:;!?])(?=\s|$)")


def _read(message) -> str:
    parts = [message.subject, message.body]
    for content, mimetype in message.alternatives:
        if mimetype == "text/html":
            parts.append(visible_text(content))
    return "\n".join(parts)


def _french_problems(name: str, text: str) -> list[str]:
    found = [f"{name}: {p}" for p in problems(text)]
    for match in GLUED_PUNCTUATION.finditer(text):
        context = " ".join(text[max(0, match.start() - 30):match.end() + 20].split())
        found.append(f"{name}: no space before {match.group(1)!r}: …{context}…")
    return found


@override_settings(LANGUAGE_CODE="fr")
def test_every_email_reads_as_french(db):
    world = build_french_world()
    invitation = Invitation.objects.select_related("meeting__instance").get(pk=world.invitations["rep_gec"].pk)
    Invitation.objects.filter(pk=invitation.pk).update(language="fr")
    invitation.language = "fr"
    deputy = PersonFactory(first_name="Ousmane", last_name="Éloi", language="fr",
                           institution=InstitutionFactory(partner=world.people["rep"].partner))
    _seat(deputy, world.instances["GEC"], Mandate.Role.DEPUTY)

    messages = {"invitation": emails.invitation_message(invitation)}
    for kind, note in (("update", "La salle change."), ("cancel", "Réunion reportée à une date ultérieure.")):
        copy = Invitation.objects.get(pk=invitation.pk)
        copy.kind, copy.message = kind, note
        messages[kind] = emails.invitation_message(copy)
    messages["reminder"] = emails.reminder_message(invitation)
    messages["digest"] = emails.digest_message(failed=[invitation], unanswered=[invitation])
    answers.invitation_delegate(invitation=invitation)
    delegated_row = Invitation.objects.get(delegated_from=invitation)
    assert Invitation.objects.get(pk=invitation.pk).rsvp == Invitation.Rsvp.DELEGATED
    messages["delegation"] = emails.invitation_message(delegated_row)

    found = []
    for name, message in messages.items():
        found += _french_problems(name, _read(message))
        if name != "digest":  # the digest goes to the SEG; partners read rules in words
            found += [f"{name}: {p}" for p in rule_ids(_read(message))]
    assert "heure de Bamako" in messages["invitation"].body
    assert "d'Aïssata Keïta" in messages["delegation"].body
    assert "l'Allemagne" in messages["delegation"].body
    assert found == [], "\n".join(found)
    mail.outbox.clear()


def test_the_glued_colon_check_is_not_vacuous():
    assert _french_problems("sample", "Lieu: Bamako")
    assert not _french_problems("sample", "Lieu\u202f: Bamako, https://example.org/a?b=1 à 9:00")
