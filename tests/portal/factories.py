"""The portal's cast: secretariat, a group leader, a GEC titular and deputy, a GA member, an outsider."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User

from instances.models import Instance
from instances.permissions import sync_leader_permissions
from membership.models import Mandate, Partner, Person
from tests.factories import InstitutionFactory, PartnerFactory, PersonFactory, TroikaFactory, UserFactory, ga, gec
from tests.meetings.factories import LONG_AGO, at, item

PASSWORD = "portal-password-123"


def login_person(username: str, partner: Partner, **kwargs) -> Person:
    user = UserFactory(username=username, first_name=username.title())
    return PersonFactory(institution=InstitutionFactory(partner=partner), user=user, **kwargs)


def seat(person, instance, role=Mandate.Role.TITULAR, **kwargs) -> Mandate:
    return Mandate.objects.create(person=person, instance=instance, role=role, start=LONG_AGO, **kwargs)


@dataclass
class Cast:
    gec: Instance
    ga: Instance
    group: Instance
    france: Partner
    titular: Person
    deputy: Person
    leader: Person
    ga_member: Person
    outsider: User


def make_cast() -> Cast:
    france = PartnerFactory(name="France")
    germany = PartnerFactory(name="Germany")
    titular = login_person("partner", france, language="fr")
    deputy = login_person("deputy", france, function=Person.Function.EXPERT)
    seat(titular, gec())
    seat(deputy, gec(), Mandate.Role.DEPUTY)
    leader = login_person("leader", germany, function=Person.Function.EXPERT)
    group = Instance.objects.create(kind=Instance.Kind.GT, code="GT-SANTE", name_fr="Santé", name_en="Health",
                                    leader_partner=germany, leader_person=leader,
                                    secretariat=Instance.Secretariat.DEDICATED)
    sync_leader_permissions(group)
    expert = seat(leader, group, Mandate.Role.EXPERT)
    binome = PersonFactory(institution=InstitutionFactory(partner=germany), function=Person.Function.EXPERT)
    seat(binome, group, Mandate.Role.BINOME, pairs_with=expert)
    ambassador = login_person("ambassador", PartnerFactory(name="Japan"), function=Person.Function.AMBASSADOR)
    seat(ambassador, ga())
    TroikaFactory(year=datetime.date.today().year, lead=france, incoming=germany,
                  outgoing=PartnerFactory(name="World Bank", partner_type="multilateral"))
    outsider = UserFactory(username="outsider")
    return Cast(gec(), ga(), group, france, titular, deputy, leader, ambassador, outsider)


def gec_meeting_with_agenda(days=20, **kwargs):
    from tests.meetings.factories import meeting

    m = meeting(gec(), days=days, proposal_deadline=at(days - 2), **kwargs)
    item(m, title="Budget support")
    return m
