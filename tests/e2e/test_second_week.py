"""The second week in real Chromium: a group leader opens her account the documented way and leads her group;
a delegated deputy declines and the seat returns to the titular, who answers herself; the roster, the
dashboard, the meeting page and the printed convocation name the same chair (T3/T4, T7, M3)."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from instances.models import Instance
from instances.services import instance_set_leadership
from meetings import services as meeting_services
from meetings.models import Meeting
from membership.models import Institution, Mandate, Partner, Person
from membership.services import troika_save
from secretariat import services as secretariat_services
from secretariat.models import Invitation
from tests.accounts.helpers import links_by_address
from tests.e2e.conftest import login, logout, shot
from tests.reports.pdftext import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Baobab-de-Kayes-2026"
RSVP = re.compile(r"https?://\S+/secretariat/rsvp/[^\s/]+/")
LONG_AGO = datetime.date(2000, 1, 1)
# The GEC meeting's year gets its own Troïka (the cast has this year's).
NEXT_JANUARY = timezone.make_aware(datetime.datetime(timezone.localdate().year + 1, 1, 15, 9, 0))


def _person(partner, first, last, email):
    institution = Institution.objects.get_or_create(partner=partner, name=f"Coopération — {partner.name}")[0]
    return Person.objects.create(institution=institution, first_name=first, last_name=last, email=email)


def _world():
    gec = Instance.objects.get(code="GEC")
    partners = {name: Partner.objects.create(name=name) for name in ("Espagne", "Allemagne", "Irlande", "Suède")}
    titulars, deputies = {}, {}
    for n, (name, partner) in enumerate(partners.items()):
        titulars[name] = _person(partner, "Ana", f"Titulaire-{n}", f"t{n}@ptf.example.org")
        deputies[name] = _person(partner, "Jon", f"Suppléant-{n}", f"d{n}@ptf.example.org")
        Mandate.objects.create(person=titulars[name], instance=gec, role="titular", start=LONG_AGO)
        Mandate.objects.create(person=deputies[name], instance=gec, role="deputy", start=LONG_AGO)
    troika_save(year=NEXT_JANUARY.year, lead=partners["Espagne"],
                incoming=partners["Allemagne"], outgoing=partners["Irlande"])
    sante = Instance.objects.create(kind="GT", code="GT-NUTRITION", name_fr="GT Nutrition", name_en="Nutrition")
    educ = Instance.objects.create(kind="GT", code="GT-EDUC", name_fr="GT Éducation", name_en="Education group")
    elena = _person(partners["Suède"], "Elena", "Andersen", "elena.andersen@sida.example.org")
    Mandate.objects.create(person=elena, instance=sante, role="expert", start=LONG_AGO)
    instance_set_leadership(instance=sante, leader_partner=partners["Suède"], leader_person=elena)
    other = _person(partners["Irlande"], "Ciara", "Walsh", "ciara@irlande.example.org")
    Mandate.objects.create(person=other, instance=educ, role="expert", start=LONG_AGO)
    instance_set_leadership(instance=educ, leader_partner=partners["Irlande"], leader_person=other)
    return titulars, deputies, sante, educ, elena


def _at(days):
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.replace(hour=9, minute=0, second=0, microsecond=0)


def _submit(page, selector):
    page.click(selector)
    page.wait_for_load_state()


def _link_to(address):
    return RSVP.search([m for m in mail.outbox if m.to == [address]][-1].body).group(0)


def test_the_second_week(page, e2e_cast):
    titulars, deputies, sante, educ, elena = _world()
    foreign = meeting_services.meeting_create(instance=educ, title="GT Éducation — revue", start=_at(15),
                                              end=_at(15) + datetime.timedelta(hours=2))

    # The SEG invites the GT-NUTRITION leader from "Accès au portail".
    login(page, "seg")
    page.goto(page.base + "/people/access/?instance=GT-NUTRITION")
    page.check(f"#tick-{elena.pk}")
    _submit(page, "#access-invite button[value=selected]")
    logout(page)

    # She activates her account and, signed in, lands on "Mes groupes".
    page.goto(links_by_address()[elena.email])
    page.wait_for_url("**/people/access/activate/")
    page.fill("input[name=new_password1]", PASSWORD)
    page.fill("input[name=new_password2]", PASSWORD)
    page.click("#activate-form button[type=submit]")
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=username]", elena.email)
    page.fill("input[name=password]", PASSWORD)
    _submit(page, "button[type=submit].primary")
    assert urlsplit(page.url).path == "/meetings/my-groups/"
    assert page.inner_text("h1") == "Mes groupes" and "GT-NUTRITION" in page.inner_text("main")
    assert "GT-EDUC" not in page.inner_text("main")

    # She creates a meeting of her group and convenes it; another group's stays out of her reach.
    _submit(page, "main a.button.primary:has-text('Nouvelle réunion')")
    assert page.eval_on_selector_all("select[name=instance] option[value]:not([value=''])",
                                     "os => os.map(o => o.textContent)") == [str(sante)]
    page.fill("input[name=title]", "GT Nutrition — plan de travail")
    page.fill("input[name=start]", _at(12).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=end]", (_at(12) + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    _submit(page, "main form button[type=submit].primary")
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    mine = Meeting.objects.get(title="GT Nutrition — plan de travail")
    page.click("#agenda details summary")
    page.fill("#agenda input[name=title]", "Plan de travail 2027")
    page.select_option("#agenda select[name=category]", index=1)
    _submit(page, "form[action$='/items/add/'] button[type=submit]")
    _submit(page, "form[action$='/propose-agenda/'] button")
    page.click("#workflow a[href$='/distribution/']")
    _submit(page, "main form[method=post] button[type=submit]")
    page.click("main a[href$='/send/']")
    page.wait_for_load_state()
    _submit(page, "main form[method=post] button.primary")
    mine.refresh_from_db()
    assert mine.status == Meeting.Status.CONVENED
    assert page.goto(page.base + f"/meetings/{foreign.pk}/edit/").status == 403
    shot(page, "second-week-1-leader")
    logout(page)

    # A GEC meeting convened; the Chef de file's titular delegates by her e-mailed link.
    gec = Instance.objects.get(code="GEC")
    meeting = meeting_services.meeting_create(instance=gec, title="GEC de janvier", start=NEXT_JANUARY,
                                              end=NEXT_JANUARY + datetime.timedelta(hours=2))
    meeting_services.agenda_item_add(meeting=meeting, title="Appui budgétaire", category="policy_dialogue",
                                     expected_outcome="information")
    meeting_services.meeting_propose_agenda(meeting=meeting)
    secretariat_services.invitations_send(meeting=meeting, by_user=e2e_cast.seg)
    titular, deputy = titulars["Espagne"], deputies["Espagne"]
    page.goto(_link_to(titular.email))
    _submit(page, "form.rsvp button[value=delegated]")
    assert Invitation.objects.get(meeting=meeting, person=titular).rsvp == "delegated"

    # The deputy declines by the link of the delegation's e-mail: the titular is told, in French, with her link.
    deputy_link = _link_to(deputy.email)
    mail.outbox.clear()
    page.goto(deputy_link)
    _submit(page, "form.rsvp button[value=declined]")
    [told] = [m for m in mail.outbox if m.to == [titular.email]]
    assert "le siège vous revient" in told.body and deputy.full_name in told.body

    # The SEG sees the seat not covered on the roster and the dashboard.
    login(page, "seg")
    page.goto(page.base + f"/meetings/{meeting.pk}/answers/")
    assert "siège non couvert" in page.inner_text("main")
    page.goto(page.base + "/meetings/dashboard/")
    assert "1 siège non couvert" in page.inner_text("#convening")
    logout(page)

    # She answers herself from her e-mail: she cannot come after all.
    page.goto(_link_to(titular.email))
    assert "le siège vous revient" in page.inner_text("main")
    _submit(page, "form.rsvp button[value=declined]")

    # Roster, dashboard, meeting page and printed convocation name the same chair, the deputy lead's titular.
    incoming = titulars["Allemagne"]
    chair = f"{incoming.full_name} (Allemagne, suppléance du chef de file de l'année, en l'absence du chef de file)"
    login(page, "seg")
    page.goto(page.base + f"/meetings/{meeting.pk}/answers/")
    assert chair in page.inner_text("#foreseen-chair") and "siège non couvert" not in page.inner_text("main")
    page.goto(page.base + "/meetings/dashboard/")
    assert chair in page.inner_text("#convening")
    page.goto(page.base + f"/meetings/{meeting.pk}/")
    assert page.inner_text("#chair") == chair
    shot(page, "second-week-2-chair")
    convocation = page.request.get(page.base + f"/secretariat/meetings/{meeting.pk}/convocation.pdf")
    assert convocation.ok
    text = pdf_text(convocation.body())
    assert f"La réunion sera présidée par {chair}." in text and "(T4)" not in text
