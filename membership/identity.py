"""Which addresses the directory accepts: one per person whatever its case, and none that only looks like another.

An address is how the portal reaches a person and how a person signs in, so a look-alike of an address the
directory already knows (``ptf-malı.example.org`` for ``ptf-mali.example.org``, a Cyrillic ``а`` for a Latin
``a``) would let whoever registers that domain receive what was meant for someone else, or be taken for them.
The admin (``PersonAdminForm``) and the importer refuse, for a new address:

- a domain with a label that mixes scripts (Latin and Cyrillic in one label…), Unicode TR 39's restriction;
- a domain whose TR 39 skeleton equals that of another domain already in the directory or used by an account
  of the secretariat, staff or a superuser.

Legitimate internationalised domains (``bücher.example``, ``президент.рф``) pass. See core.addresses.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from core import french
from core.addresses import DomainIndex, InvalidAddress, display_domain, domain_of, mixed_script_labels
from membership.models import Person
from membership.roles import SECRETARIAT_GROUP

SCRIPT_NAMES = {"LATIN": "latin", "CYRILLIC": "cyrillique", "GREEK": "grec", "ARABIC": "arabe",
                "ARMENIAN": "arménien", "HEBREW": "hébreu", "CHEROKEE": "cherokee", "HAN": "han"}


def privileged_accounts():
    """Accounts whose address must never have a look-alike: superusers, staff and the secretariat."""
    return get_user_model()._default_manager.filter(
        Q(is_superuser=True) | Q(is_staff=True) | Q(groups__name=SECRETARIAT_GROUP)).distinct()


def known_domains(*, exclude_person_pk=None) -> DomainIndex:
    """The domains of the directory and of the privileged accounts (two queries)."""
    addresses = list(Person.objects.exclude(pk=exclude_person_pk).values_list("email", flat=True))
    addresses += list(privileged_accounts().exclude(email="").values_list("email", flat=True))
    index = DomainIndex()
    for address in addresses:
        try:
            index.add(domain_of(address))
        except InvalidAddress:
            continue
    return index


def _scripts(names: list[str]) -> str:
    in_french = (translation.get_language() or "fr").startswith("fr")
    return ", ".join(SCRIPT_NAMES.get(n, n.lower()) if in_french else n.title() for n in names)


def lookalike_problem(address: str, index: DomainIndex) -> str | None:
    """Why this address is refused as a look-alike (a message in the active language), or None."""
    try:
        domain = domain_of(address)
    except InvalidAddress:
        return None  # not an address: the e-mail check says so
    readable = f"{address.rpartition('@')[0]}@{display_domain(domain)}"
    mixed = mixed_script_labels(domain)
    if mixed:
        label, scripts = mixed[0]
        return _("The domain of %(address)s mixes scripts in %(label)s (%(scripts)s): such an address can pass "
                 "for another one and is refused.") % {
            "address": french.quoted(readable), "label": french.quoted(label), "scripts": _scripts(scripts)}
    other = index.lookalike(domain)
    if other is not None:
        return _("The domain %(domain)s looks like %(other)s, already known to the portal: such an address can "
                 "pass for another one and is refused. Check the address with its holder.") % {
            "domain": french.quoted(display_domain(domain)), "other": french.quoted(display_domain(other))}
    return None
