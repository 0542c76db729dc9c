"""Directory pages: the instances, who represents which partner in each, and the organigram."""

from __future__ import annotations

from collections import defaultdict

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from instances.models import Instance, Troika
from instances.organigram import build_organigram
from membership.access import can_manage_instance
from membership.models import Mandate

ROLE_ORDER = {Mandate.Role.TITULAR: 0, Mandate.Role.DEPUTY: 1, Mandate.Role.EXPERT: 2, Mandate.Role.BINOME: 3}
LEADERS = ("leader_person__institution__partner", "leader_partner", "co_lead_person__institution__partner",
           "co_lead_partner")


@require_GET
def instance_list(request):
    instances = list(Instance.objects.filter(is_active=True).select_related(*LEADERS))
    political = [i for i in instances if not i.is_group]
    groups = [i for i in instances if i.is_group]
    return render(request, "membership/directory/list.html", {"political": political, "groups": groups})


@require_GET
def instance_detail(request, code):
    instance = get_object_or_404(Instance.objects.select_related(*LEADERS), code=code)
    today = timezone.localdate()
    mandates = list(
        Mandate.objects.active_on(today).filter(instance=instance)
        .select_related("person__institution__partner", "pairs_with__person")
    )
    by_partner = defaultdict(list)
    for mandate in mandates:
        by_partner[mandate.person.institution.partner].append(mandate)
    rows = [
        {"partner": partner, "mandates": sorted(ms, key=lambda m: (ROLE_ORDER.get(m.role, 9), m.person.last_name))}
        for partner, ms in sorted(by_partner.items(), key=lambda kv: kv[0].name)
    ]
    return render(request, "membership/directory/detail.html", {
        "instance": instance, "rows": rows, "today": today,
        "can_manage": can_manage_instance(request.user, instance),
    })


@require_GET
def organigram(request):
    year = timezone.localdate().year
    troika = Troika.objects.select_related("lead", "incoming", "outgoing").filter(year=year).first()
    instances = list(Instance.objects.filter(is_active=True).select_related(*LEADERS))
    chart = build_organigram(troika=troika, instances=instances)
    return render(request, "membership/directory/organigram.html", {"chart": chart, "troika": troika, "year": year})
