"""Helpers for the secretariat tests: a directory, meetings built through the meeting services."""

import datetime

from django.utils import timezone

from instances.models import Instance
from meetings import services as meeting_services
from membership.models import Mandate, Partner
from tests.factories import InstitutionFactory, PartnerFactory, PersonFactory

LONG_AGO = datetime.date(2000, 1, 1)
CATEGORY = {"GEC": "policy_dialogue", "GA": "security", "GT": "sector_dialogue", "GD": "cross_cutting"}


def at(days: float, hour: int = 9) -> datetime.datetime:
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def partner(name, partner_type=Partner.Type.BILATERAL, **kwargs):
    return PartnerFactory(name=name, partner_type=partner_type, **kwargs)


def person(partner_obj, **kwargs):
    return PersonFactory(institution=InstitutionFactory(partner=partner_obj), **kwargs)


def seat(person_obj, instance, role=Mandate.Role.TITULAR, start=LONG_AGO, end=None, **kwargs):
    """A mandate saved directly: the representation rules themselves are membership's tests."""
    [mandate] = Mandate.objects.bulk_create(
        [Mandate(person=person_obj, instance=instance, role=role, start=start, end=end, **kwargs)]
    )
    return mandate


def group(code="GT-SANTE", kind=Instance.Kind.GT, **kwargs):
    instance, _ = Instance.objects.get_or_create(
        code=code, defaults=dict(kind=kind, name_fr=f"Groupe {code}", name_en=f"Group {code}",
                                 secretariat=Instance.Secretariat.DEDICATED, **kwargs))
    return instance


def meeting(instance, days=30, **kwargs):
    start = kwargs.pop("start", None) or at(days)
    kwargs.setdefault("title", f"{instance.code} meeting")
    return meeting_services.meeting_create(instance=instance, start=start, end=start + datetime.timedelta(hours=2),
                                           **kwargs)


def item(m, **kwargs):
    kwargs.setdefault("title", "Budget support")
    kwargs.setdefault("category", CATEGORY[m.instance.kind])
    kwargs.setdefault("expected_outcome", "information")
    return meeting_services.agenda_item_add(meeting=m, **kwargs)


def proposed(instance, days=30, items=1, **kwargs):
    """A meeting whose agenda is proposed: ready to be convened by invitations_send."""
    m = meeting(instance, days, **kwargs)
    for n in range(items):
        item(m, title=f"Item {n + 1}")
    meeting_services.meeting_propose_agenda(meeting=m)
    return m


def gec_with_members(instance, n: int):
    """n bilateral partners, each with a titular (head of cooperation) and a deputy."""
    people = []
    for i in range(n):
        p = partner(f"Bilateral {instance.code} {i:03d}")
        titular = person(p, function="head_of_cooperation")
        deputy = person(p, function="head_of_cooperation")
        seat(titular, instance, "titular")
        seat(deputy, instance, "deputy")
        people.append((p, titular, deputy))
    return people
