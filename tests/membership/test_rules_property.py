"""Property: whatever sequence of edits an administrator makes, every save the services accept leaves a
directory in which the rules module finds no violation (M1–M9, T2, T7) among the mandates in force or to come.

The admin forms call the same checks as these services (membership.forms → membership.services): the first
property runs many sequences through the services; its twin runs fewer through the admin's pages themselves
(each step a form posted as a browser would), so a form that skipped a check would be caught.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import settings as settings_
from hypothesis import strategies as st

from instances.models import Instance, Troika
from instances.services import instance_set_leadership, leadership_errors
from membership import rules, services
from membership.models import Institution, Mandate, Partner, Person
from tests.factories import GroupFactory, InstitutionFactory, PartnerFactory, PersonFactory

pytestmark = pytest.mark.django_db

# The edits that change the OTHER record of a cross-record rule come up more often.
OPS = st.sampled_from(["create", "end", "move_person", "move_person", "move_person", "move_institution",
                       "move_institution", "delete", "replace", "lead", "partner_type"])
DAYS = st.integers(min_value=-400, max_value=400)
STEP = st.tuples(OPS, st.integers(0, 11), st.integers(0, 11), st.integers(0, 3), DAYS, DAYS)


def _directory():
    """Three partners (one multilateral), two institutions each, two people per institution; a GT where
    France and Belgium each have an expert paired with a binôme, led by a person of France with a co-lead of
    Belgium (neither holds a mandate: T7 is checked alone); a GEC titular each."""
    partners = [PartnerFactory(name="France", article="la"), PartnerFactory(name="Belgique", article="la"),
                PartnerFactory(name="Banque mondiale", partner_type=Partner.Type.MULTILATERAL)]
    functions = [Person.Function.HEAD_OF_COOPERATION, Person.Function.EXPERT, Person.Function.AMBASSADOR,
                 Person.Function.OTHER]
    for p in partners:
        for k in range(2):
            institution = InstitutionFactory(partner=p)
            for j in range(2):
                PersonFactory(institution=institution, function=functions[(k * 2 + j) % 4])
    group = GroupFactory(code="GT-SANTE")
    start = timezone.localdate() - datetime.timedelta(days=100)
    for p in partners[:2]:
        people = list(Person.objects.filter(institution__partner=p).order_by("pk"))
        expert = services.mandate_create(person=people[1], instance=group, role="expert", start=start)
        services.mandate_create(person=people[3], instance=group, role="binome", start=start, pairs_with=expert)
        services.mandate_create(person=people[0], instance=Instance.objects.get(code="GEC"), role="titular",
                                start=start)
    leader, co_lead = (Person.objects.filter(institution__partner=p).order_by("pk")[2] for p in partners[:2])
    instance_set_leadership(instance=group, leader_partner=partners[0], leader_person=leader,
                            co_lead_partner=partners[1], co_lead_person=co_lead)
    Troika.objects.create(year=timezone.localdate().year, lead=partners[0], incoming=partners[2],
                          outgoing=partners[1])


def violations_in_force() -> list:
    today = timezone.localdate()
    mandates = list(Mandate.objects.select_related("person__institution__partner", "instance"))
    facts = [services.fact_from_mandate(m) for m in mandates]
    current = {m.pk for m in mandates if m.end is None or m.end >= today}
    found = [v for v in rules.check_mandates(facts, one_un_strict=services.one_un_strict())
             if set(v.keys) <= current]
    for group in Instance.objects.filter(kind__in=["GT", "GD"]):
        found += [f"T7 {group}: {errors}" for errors in leadership_errors(group).values()]
    for troika in Troika.objects.all():
        found += services.troika_violations(troika)
    return found


def _pick(seq, i):
    return seq[i % len(seq)] if seq else None


def apply(step) -> None:
    op, a, b, c, d1, d2 = step
    today = timezone.localdate()
    seated = list(Person.objects.filter(Q(mandates__isnull=False) | Q(led_instances__isnull=False)
                                        | Q(co_led_instances__isnull=False)).distinct().order_by("pk"))
    people = list(Person.objects.order_by("pk"))
    mandates = list(Mandate.objects.order_by("pk"))
    instances = list(Instance.objects.order_by("pk"))
    institutions = list(Institution.objects.order_by("pk"))
    partners = list(Partner.objects.order_by("pk"))
    start = today + datetime.timedelta(days=d1)
    if op == "create":
        instance = _pick(instances, b)
        roles = ["expert", "binome"] if instance.is_group else ["titular", "deputy"]
        role = roles[c % 2]
        experts = [m for m in mandates if m.role == "expert"]
        services.mandate_create(
            person=_pick(people, a), instance=instance, role=role, start=start,
            end=start + datetime.timedelta(days=abs(d2)) if d2 % 3 else None,
            pairs_with=_pick(experts, c) if role == "binome" else None)
    elif op == "end" and mandates:
        m = _pick(mandates, a)
        services.mandate_end(mandate=m, end=max(m.start, start))
    elif op == "move_person":
        services.person_update(person=_pick(seated if c % 2 else people, a), institution=_pick(institutions, b))
    elif op == "move_institution":
        seated_institutions = list(Institution.objects.filter(people__in=seated).distinct().order_by("pk"))
        services.institution_update(institution=_pick(seated_institutions if c % 2 else institutions, a),
                                    partner=_pick(partners, b))
    elif op == "delete" and mandates:
        services.mandate_delete(mandate=_pick(mandates, a))
    elif op == "replace" and mandates:
        m = _pick(mandates, a)
        services.mandate_replace(mandate=m, on=m.start + datetime.timedelta(days=1 + abs(d1)),
                                 successor=_pick(people, b))
    elif op == "lead":
        group = Instance.objects.get(code="GT-SANTE")
        leader = _pick(people, a)
        instance_set_leadership(instance=group, leader_partner=leader.institution.partner, leader_person=leader)
    elif op == "partner_type":
        partner = _pick(partners, a)
        services.partner_update(partner=partner, partner_type=[Partner.Type.BILATERAL,
                                                               Partner.Type.MULTILATERAL][b % 2])


def test_rules_hold_after_every_accepted_save_whatever_the_sequence_of_edits():
    _directory()
    assert violations_in_force() == []

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(steps=st.lists(STEP, min_size=1, max_size=8))
    def run(steps):
        with transaction.atomic():
            for step in steps:
                try:
                    with transaction.atomic():
                        apply(step)
                except ValidationError:
                    continue  # refused: nothing written (the savepoint rolled back)
                assert violations_in_force() == [], step
            transaction.set_rollback(True)

    run()


# -- the same property through the admin's pages (HTTP posts of the forms an administrator fills) -------------------


def _admin_post(client, url, changes: dict) -> bool:
    """Post the admin form at `url` as the browser would, with `changes`; True when the save was accepted."""
    from tests.membership.test_admin import form_data

    page = client.get(url)
    if page.status_code != 200:
        return False
    data = form_data(page)
    data.update(changes)
    return client.post(url, data).status_code == 302


def apply_through_the_admin(client, step) -> bool:
    from django.urls import reverse

    op, a, b, c, d1, d2 = step
    today = timezone.localdate()
    people = list(Person.objects.order_by("pk"))
    mandates = list(Mandate.objects.order_by("pk"))
    instances = list(Instance.objects.order_by("pk"))
    institutions = list(Institution.objects.order_by("pk"))
    partners = list(Partner.objects.order_by("pk"))
    start = today + datetime.timedelta(days=d1)
    if op == "create":
        instance = _pick(instances, b)
        role = (["expert", "binome"] if instance.is_group else ["titular", "deputy"])[c % 2]
        experts = [m for m in mandates if m.role == "expert"]
        pair = _pick(experts, c) if role == "binome" else None
        end = start + datetime.timedelta(days=abs(d2)) if d2 % 3 else None
        return client.post(reverse("admin:membership_mandate_add"), {
            "person": _pick(people, a).pk, "instance": instance.pk, "role": role, "pairs_with": pair.pk if pair else "",
            "start": start.isoformat(), "end": end.isoformat() if end else "", "authority": "full", "limits": "",
        }).status_code == 302
    if op == "end" and mandates:
        m = _pick(mandates, a)
        return client.post(reverse("admin:membership_mandate_end", args=[m.pk]),
                           {"end": max(m.start, start).isoformat()}).status_code == 302
    if op == "move_person":
        person = _pick(people, a)
        return _admin_post(client, reverse("admin:membership_person_change", args=[person.pk]),
                           {"institution": str(_pick(institutions, b).pk)})
    if op == "move_institution":
        institution = _pick(institutions, a)
        return _admin_post(client, reverse("admin:membership_institution_change", args=[institution.pk]),
                           {"partner": str(_pick(partners, b).pk)})
    if op == "delete" and mandates:
        m = _pick(mandates, a)  # the inline's "Supprimer ?" box on the person's page
        url = reverse("admin:membership_person_change", args=[m.person_id])
        from tests.membership.test_admin import form_data

        data = form_data(client.get(url))
        rows = [key for key, value in data.items() if key.endswith("-id") and value == str(m.pk)]
        data[rows[0].removesuffix("-id") + "-DELETE"] = "on"
        return client.post(url, data).status_code == 302
    if op == "replace" and mandates:
        m = _pick(mandates, a)
        return client.post(reverse("admin:membership_mandate_replace", args=[m.pk]), {
            "on": (m.start + datetime.timedelta(days=1 + abs(d1))).isoformat(), "successor": _pick(people, b).pk,
            "transfer_binomes": "on", "transfer_leadership": "on"}).status_code == 302
    if op == "lead":
        group = Instance.objects.get(code="GT-SANTE")
        leader = _pick(people, a)
        return _admin_post(client, reverse("admin:instances_instance_change", args=[group.pk]),
                           {"leader_partner": str(leader.institution.partner_id), "leader_person": str(leader.pk)})
    if op == "partner_type":
        partner = _pick(partners, a)
        return _admin_post(client, reverse("admin:membership_partner_change", args=[partner.pk]),
                           {"partner_type": [Partner.Type.BILATERAL, Partner.Type.MULTILATERAL][b % 2]})
    return False


def test_rules_hold_after_every_save_the_admin_accepts_whatever_the_sequence_of_edits(client, settings):
    """The administrator's pages, not the services: each step is the form posted as a browser would."""
    from tests.factories import UserFactory

    settings.REQUIRE_2FA_FOR_STAFF = False
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    _directory()
    assert violations_in_force() == []
    accepted = []

    @settings_(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(steps=st.lists(STEP, min_size=1, max_size=6))
    def run(steps):
        with transaction.atomic():
            for step in steps:
                if apply_through_the_admin(client, step):
                    accepted.append(step[0])
                    assert violations_in_force() == [], step
            transaction.set_rollback(True)

    run()
    assert len(set(accepted)) >= 4, accepted  # the sequences did save through several pages
