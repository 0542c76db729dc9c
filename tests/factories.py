"""factory_boy factories for the directory and instances."""

import datetime

import factory
from django.contrib.auth.models import User

from instances.models import Instance, Troika
from membership.models import Institution, Mandate, Partner, Person


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("portal-password-123")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Partner {n}")
    partner_type = Partner.Type.BILATERAL


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"Institution {n}")
    acronym = factory.Sequence(lambda n: f"I{n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    function = Person.Function.HEAD_OF_COOPERATION
    institution = factory.SubFactory(InstitutionFactory)
    language = Person.Language.FR


class GroupFactory(factory.django.DjangoModelFactory):
    """A thematic group (GT)."""

    class Meta:
        model = Instance
        django_get_or_create = ("code",)

    kind = Instance.Kind.GT
    code = factory.Sequence(lambda n: f"GT-{n}")
    name_fr = factory.LazyAttribute(lambda i: f"Groupe {i.code}")
    name_en = factory.LazyAttribute(lambda i: f"Group {i.code}")
    sector = "santé"
    secretariat = Instance.Secretariat.DEDICATED


class MandateFactory(factory.django.DjangoModelFactory):
    """Saved directly: tests of the rules themselves go through membership.services instead."""

    class Meta:
        model = Mandate

    person = factory.SubFactory(PersonFactory)
    instance = factory.LazyFunction(lambda: Instance.objects.get(code="GEC"))
    role = Mandate.Role.TITULAR
    start = datetime.date(2026, 1, 1)


class TroikaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Troika

    year = 2026
    lead = factory.SubFactory(PartnerFactory)
    incoming = factory.SubFactory(PartnerFactory)
    outgoing = factory.SubFactory(PartnerFactory)


def gec():
    return Instance.objects.get(code="GEC")


def ga():
    return Instance.objects.get(code="GA")


# A realistic directory: real country and organisation names, their article left empty as in the held-out
# directory file (the table of names, core/french_names.py, gives it), people with accented names.
REAL_PARTNERS = [
    "Belgique", "Danemark", "Espagne", "États-Unis", "Suède", "Suisse", "Luxembourg", "Norvège", "Japon", "Chine",
    "Royaume-Uni", "Côte d'Ivoire", "Émirats arabes unis", "Irlande", "Autriche", "Banque mondiale",
    "Banque africaine de développement", "Programme des Nations unies pour le développement", "UNICEF",
    "Fonds monétaire international", "Agence française de développement", "Haïti", "Inde",
]
REAL_PEOPLE = [("Aminata", "Diallo"), ("Éloïse", "Andersen-Vandermeersch"), ("Ousmane", "Écoutin"),
               ("Inès", "Haïdara"), ("Yacouba", "Ouattara"), ("Hélène", "Ibrahim")]


def realistic_directory(instance, count: int = len(REAL_PARTNERS)) -> list:
    """`count` partners with real names and no article, each with a head of cooperation seated as titular in
    `instance` (mandates written directly: the directory is world furniture)."""
    people = []
    for n, name in enumerate(REAL_PARTNERS[:count]):
        partner = PartnerFactory(name=name, article="")
        first, last = REAL_PEOPLE[n % len(REAL_PEOPLE)]
        people.append(PersonFactory(first_name=first, last_name=f"{last} {n}", email=f"hoc{n}@cooperation.example",
                                    institution=InstitutionFactory(partner=partner, name=f"Coopération {n}",
                                                                   acronym="")))
    Mandate.objects.bulk_create([Mandate(person=p, instance=instance, role=Mandate.Role.TITULAR,
                                         start=datetime.date(2000, 1, 1)) for p in people])
    return people
