"""Writes to instances: the GT/GD leadership (T7) and the object permissions that follow it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.french import to_name
from instances.models import Instance
from instances.permissions import sync_leader_permissions


def leadership_errors(instance: Instance) -> dict[str, list[str]]:
    """T7: only a GT/GD has a leader and a co-lead; each person belongs to the partner they carry."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    roles = [
        ("leader_partner", "leader_person", instance.leader_partner, instance.leader_person, _("leader")),
        ("co_lead_partner", "co_lead_person", instance.co_lead_partner, instance.co_lead_person, _("co-lead")),
    ]
    if not instance.is_group:
        for partner_field, person_field, partner, person, label in roles:
            if partner is not None or person is not None:
                add(partner_field if partner is not None else person_field,
                    _("The %(instance)s has no %(role)s: it is chaired by the Troïka (T3, T5, T7).")
                    % {"instance": instance.code or instance.get_kind_display(), "role": label})
        return errors
    for partner_field, person_field, partner, person, label in roles:
        if person is not None and partner is None:
            add(partner_field, _("Choose the partner that %(person)s carries as %(role)s (T7).")
                % {"person": person.full_name, "role": label})
        elif person is not None and person.institution.partner_id != partner.pk:
            their = person.institution.partner
            add(person_field, _("%(person)s belongs %(to_their)s, not %(to_partner)s, the %(role)s partner (T7).")
                % {"person": person.full_name, "to_their": to_name(their.name, article=their.article),
                   "to_partner": to_name(partner.name, article=partner.article), "role": label})
    if instance.co_lead_partner is not None and instance.leader_partner is None:
        add("co_lead_partner", _("A group has a co-lead only when it has a leader (T7)."))
    elif instance.co_lead_partner is not None and instance.co_lead_partner == instance.leader_partner:
        add("co_lead_partner", _("The co-lead is another partner than the leader (T7)."))
    if instance.leader_person is not None and instance.leader_person == instance.co_lead_person:
        add("co_lead_person", _("%(person)s cannot be both leader and co-lead (T7).")
            % {"person": instance.leader_person.full_name})
    return errors


@transaction.atomic
def instance_set_leadership(
    *, instance: Instance, leader_partner=None, leader_person=None, co_lead_partner=None, co_lead_person=None
) -> Instance:
    """Set who leads a GT/GD (T7), save, and give the leaders' accounts the right to manage its meetings."""
    instance.leader_partner, instance.leader_person = leader_partner, leader_person
    instance.co_lead_partner, instance.co_lead_person = co_lead_partner, co_lead_person
    errors = leadership_errors(instance)
    if errors:
        raise ValidationError(errors)
    instance.full_clean()
    instance.save()
    sync_leader_permissions(instance)
    return instance
