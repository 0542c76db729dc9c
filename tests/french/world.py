"""The security test world, renamed as a French-speaking secretariat's directory looks.

Partners whose names start with a vowel and take each article (le, la, les, l', none), people with accents,
meeting, agenda and document titles in French: what the portal then shows in English or ungrammatical
French is the portal's, not the test data's.
"""

from __future__ import annotations

from unittest import mock

from django.contrib.auth.models import User

from core.french import of_name
from meetings.models import ActionItem, AgendaItem, Document, Meeting, Minutes, Referral
from membership.models import Institution, Partner, Person
from tests.factories import PartnerFactory, realistic_directory
from tests.security import world as security_world
from tests.security.world import World, build_world

PARTNERS = [  # (name, article) for partners A..G of the security world, in order
    # Canada and Pays-Bas without an article, as the held-out directory file has them: the table of names gives it.
    ("Allemagne", "l'"), ("Union européenne", "l'"), ("Canada", ""), ("ONU Femmes", ""), ("Pays-Bas", ""),
    ("France", "la"), ("Italie", "l'"),
]
PEOPLE = {
    "rep": ("Aïssata", "Keïta"), "ga_member": ("Émile", "Ouédraogo"), "gt_member": ("Oumou", "Sangaré"),
    "leader_a": ("Ibrahim", "Maïga"), "leader_b": ("Hélène", "Arnaud"), "no_mandate": ("Éric", "Dembélé"),
}


_SECURITY_PERSON = security_world._person


def _french_partner(name: str, **kwargs) -> Partner:
    french_name, article = PARTNERS["ABCDEFG".index(name.removeprefix("Partner "))]
    return PartnerFactory(name=french_name, article=article, **kwargs)


def _french_person(name: str, partner: Partner, *args) -> Person:
    person = _SECURITY_PERSON(name, partner, *args)
    first, last = PEOPLE[name]
    Person.objects.filter(pk=person.pk).update(first_name=first, last_name=last)
    User.objects.filter(pk=person.user_id).update(first_name=first, last_name=last)
    institution = "Coopération " + of_name(partner.name, article=partner.article, language="fr")
    Institution.objects.filter(pk=person.institution_id).update(name=institution, acronym="")
    return Person.objects.get(pk=person.pk)


def build_french_world() -> World:
    # The names are set before the invitations are sent: distribution lists keep a copy of them.
    with mock.patch.object(security_world, "PartnerFactory", _french_partner), \
            mock.patch.object(security_world, "_person", _french_person):
        world = build_world()
    # 30 partners in all, with real names: 23 more, seated in the GEC after the invitations went out.
    realistic_directory(world.instances["GEC"])
    User.objects.filter(username="admin").update(first_name="Ousmane", last_name="Touré")
    for meeting in Meeting.objects.all():
        code = meeting.instance.code
        Meeting.objects.filter(pk=meeting.pk).update(title=f"Réunion ordinaire {code} {meeting.pk}")
    for item in AgendaItem.objects.all():
        AgendaItem.objects.filter(pk=item.pk).update(title=f"Point sur la santé {item.pk}")
    Document.objects.update(title="Note de synthèse")
    ActionItem.objects.update(title="Envoyer la revue sectorielle")
    Minutes.objects.update(text="Le groupe a passé en revue le secteur.")
    # Every free text of the referrals (question, details, conclusion…) in French.
    text_fields = [f.name for f in Referral._meta.get_fields()
                   if f.concrete and not f.choices and f.get_internal_type() in ("CharField", "TextField")]
    Referral.objects.update(**{name: "Situation sécuritaire dans le centre" for name in text_fields})
    for key, meeting in list(world.meetings.items()):
        world.meetings[key] = Meeting.objects.get(pk=meeting.pk)
    return world
