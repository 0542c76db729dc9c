"""A directory the size of the real one: about thirty partners with French names, accents and vowels first,
each with a GEC titular and deputy, and the Troïka of the meeting's year."""

from django.core import mail
from django.utils import timezone

from membership import services as membership_services
from membership.models import Partner
from secretariat import services
from secretariat.models import Invitation
from tests.factories import gec
from tests.secretariat.factories import partner, person, proposed, seat

PARTNERS = [
    "Allemagne", "Autriche", "Agence française de développement", "Espagne", "États-Unis d'Amérique", "Irlande",
    "Italie", "Union européenne", "Organisation internationale de la Francophonie", "Belgique", "Canada",
    "Danemark", "Finlande", "Japon", "Luxembourg", "Norvège", "Pays-Bas", "Royaume-Uni", "Suède", "Suisse",
    "Banque africaine de développement", "Banque mondiale", "Banque islamique de développement",
    "Fonds monétaire international", "Chine", "Corée du Sud", "Émirats arabes unis", "Inde", "Turquie",
    "Qatar",
]
FIRST = ["Aïssata", "Éloïse", "Ousmane", "Inès", "Amadou", "Oumou", "Élodie", "Ibrahim", "Anaïs", "Yéli"]
LAST = ["Ouédraogo", "Éboué", "Achard", "Île", "Aubé", "Ezéchiel", "Iñiguez", "Olivé", "Ursule", "Émond"]


def build(size: int = 30, days: int = 12):
    """{"meeting", "partners", "titulars", "deputies"}: the GEC meeting sent to every titular and deputy."""
    partners, titulars, deputies = [], {}, {}
    for n, name in enumerate(PARTNERS[:size]):
        p = partner(name, Partner.Type.MULTILATERAL if "Banque" in name or "Fonds" in name else Partner.Type.BILATERAL)
        titular = person(p, function="head_of_cooperation", first_name=FIRST[n % 10], last_name=f"{LAST[n % 10]}-{n}")
        deputy = person(p, function="other", first_name=FIRST[(n + 3) % 10], last_name=f"{LAST[(n + 5) % 10]}-{n}")
        seat(titular, gec(), "titular")
        seat(deputy, gec(), "deputy")
        partners.append(p)
        titulars[name], deputies[name] = titular, deputy
    return {"partners": partners, "titulars": titulars, "deputies": deputies}


def troika(directory, year: int, lead="Espagne", incoming="Allemagne", outgoing="Irlande"):
    by_name = {p.name: p for p in directory["partners"]}
    return membership_services.troika_save(year=year, lead=by_name[lead], incoming=by_name[incoming],
                                           outgoing=by_name[outgoing])


def convene(capture, days: int = 12):
    m = proposed(gec(), days=days)
    with capture(execute=True):
        services.invitations_send(meeting=m)
    mail.outbox.clear()
    return m


def convened_world(capture, size: int = 30) -> dict:
    """The directory, its Troïka for the meeting's year, and a GEC meeting convened to all its members."""
    people = build(size)
    meeting = convene(capture)
    troika(people, timezone.localtime(meeting.start).year)
    return {**people, "meeting": meeting}


def row(meeting, who) -> Invitation:
    return Invitation.objects.get(meeting=meeting, person=who)
