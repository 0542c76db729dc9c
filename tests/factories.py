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
