"""Partner pages and "My mandates"."""

from __future__ import annotations

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from membership.models import Mandate, Partner, Person
from membership.roles import person_of


@require_GET
def partner_list(request):
    partners = Partner.objects.annotate(people_count=Count("institutions__people", distinct=True)).order_by("name")
    return render(request, "membership/partner_list.html", {"partners": partners})


@require_GET
def partner_detail(request, pk):
    partner = get_object_or_404(Partner, pk=pk)
    today = timezone.localdate()
    active = Mandate.objects.active_on(today).select_related("instance").order_by("instance__kind", "instance__code")
    people = list(
        Person.objects.filter(institution__partner=partner)
        .select_related("institution")
        .prefetch_related(Prefetch("mandates", queryset=active, to_attr="active_mandates"))
    )
    led = list(partner.led_instances.filter(is_active=True).order_by("code"))
    return render(request, "membership/partner_detail.html",
                  {"partner": partner, "people": people, "led": led, "today": today})


@require_GET
def my_mandates(request):
    """M9: each mandate with its authority and, when limited, its written limits."""
    person = person_of(request.user)
    mandates = []
    led = []
    if person is not None:
        mandates = list(person.mandates.select_related("instance", "pairs_with__person").order_by("-start"))
        led = list(person.led_instances.all()) + list(person.co_led_instances.all())
    today = timezone.localdate()
    current = [m for m in mandates if m.is_active_on(today)]
    past = [m for m in mandates if not m.is_active_on(today)]
    return render(request, "membership/my_mandates.html",
                  {"person": person, "current": current, "past": past, "led": led, "today": today})
