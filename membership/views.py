"""Partner pages, "My mandates" and the personal calendar feed (issue 6, items 4 and 5)."""

from __future__ import annotations

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

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


def feed_url(request, token: str) -> str:
    """The absolute URL of the personal .ics feed (H4's view), or "" if that view is not installed."""
    for name in ("secretariat:calendar_feed", "secretariat:feed"):
        try:
            return request.build_absolute_uri(reverse(name, args=[token]))
        except NoReverseMatch:
            continue
    return ""


@require_http_methods(["GET", "POST"])
def my_calendar(request):
    """The secret calendar feed URL, created on first view; POST with `renew` replaces a leaked secret."""
    from secretariat.models import CalendarFeedToken

    person = person_of(request.user)
    token = None
    if person is not None:
        token, _created = CalendarFeedToken.objects.get_or_create(person=person)
        if request.method == "POST" and "renew" in request.POST:
            token.delete()
            token = CalendarFeedToken.objects.create(person=person)
    url = feed_url(request, token.token) if token else ""
    return render(request, "membership/my_calendar.html", {"person": person, "token": token, "url": url})
