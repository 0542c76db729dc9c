"""A GEC (or GA, or group) with seats for the procedures' tests: titulars, deputies, one partner without."""

from __future__ import annotations

import datetime

from django.utils import timezone

from membership.models import Mandate, Person
from procedures import services
from tests.factories import InstitutionFactory, PartnerFactory, PersonFactory

START = datetime.date(2020, 1, 1)


def person(partner, name, function=Person.Function.HEAD_OF_COOPERATION, language="fr"):
    return PersonFactory(first_name=name.title(), last_name=f"{name.title()}son", email=f"{name}@example.org",
                         institution=InstitutionFactory(partner=partner), function=function, language=language)


def seat(instance, who, role=Mandate.Role.TITULAR, start=START, end=None, pairs_with=None):
    [mandate] = Mandate.objects.bulk_create([Mandate(person=who, instance=instance, role=role, start=start, end=end,
                                                     pairs_with=pairs_with)])
    return mandate


def cast(instance, *, function=Person.Function.HEAD_OF_COOPERATION, prefix=""):
    """Three partners: A (titular + deputy), B (titular + deputy, deputy English-speaking), C (titular only)."""
    people = {}
    for code in "ABC":
        partner = PartnerFactory(name=f"Partenaire {prefix}{code}")
        people[f"{code}1"] = person(partner, f"{prefix}tit{code.lower()}", function)
        seat(instance, people[f"{code}1"])
        if code != "C":
            people[f"{code}2"] = person(partner, f"{prefix}dep{code.lower()}", function,
                                        language="en" if code == "B" else "fr")
            seat(instance, people[f"{code}2"], Mandate.Role.DEPUTY)
    return people


def launched(instance, *, mode="silence", hours=48, now=None, by_user=None, title="Déclaration conjointe"):
    now = now or timezone.now()
    procedure = services.procedure_create(body=instance, title=title, text="Les partenaires saluent …", mode=mode,
                                          deadline=now + datetime.timedelta(hours=hours), by_user=by_user)
    return services.procedure_launch(procedure=procedure, now=now)
