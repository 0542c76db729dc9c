"""A secretariat's week in real Chromium, on a directory the size of the real one (30 partners, 15 groups):
schedule, extraordinary GEC meeting, agenda, list, sending, a member's late proposal, reschedule, meeting day,
records, referral. Each step checks a gap the workflow once had."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from instances.models import Instance
from meetings.models import ActionItem, AgendaItem, Meeting, Referral
from membership.models import Institution, Mandate, Partner, Person
from secretariat.models import Invitation
from tests.e2e.conftest import login, logout, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTNERS = [
    "Agence française de développement", "Allemagne", "Autriche", "Arabie saoudite", "Éthiopie", "Égypte",
    "Espagne", "Émirats arabes unis", "États-Unis", "Irlande", "Italie", "Inde", "Indonésie", "Islande",
    "Organisation internationale pour les migrations", "Office du Haut-Commissariat aux droits de l'homme",
    "Ouganda", "Union européenne", "Unicef", "Union africaine", "Ukraine", "Uruguay", "Agence japonaise",
    "Afrique du Sud", "Algérie", "Angola", "Argentine", "Arménie", "Azerbaïdjan", "Oman",
]
FIRST = ["Aïssata", "Éric", "Oumar", "Inès", "Awa", "Ibrahim", "Ousmane", "Adama", "Élodie", "Amadou"]
LAST = ["Ouédraogo", "Touré", "Ambroise", "Éboué", "Iyer", "Ulloa", "Ortega", "Akinyi", "Émond", "Isaïe"]


def _directory(cast):
    """30 partners with a titular and a deputy in the GEC, 15 groups with a leader and experts."""
    gec = Instance.objects.get(code="GEC")
    partners = [Partner.objects.create(name=name) for name in PARTNERS]
    people = []
    for n, partner in enumerate(partners):
        institution = Institution.objects.create(partner=partner, name=f"Ambassade — {partner.name}")
        for k in range(2):
            people.append(Person(institution=institution, first_name=FIRST[(n + k) % 10],
                                 last_name=f"{LAST[(n * 3 + k) % 10]}-{n}{k}",
                                 email=f"p{n}-{k}@partenaires.example.org"))
    people = Person.objects.bulk_create(people)
    start = datetime.date(2000, 1, 1)
    mandates = []
    for n in range(len(partners)):
        mandates.append(Mandate(person=people[2 * n], instance=gec, role=Mandate.Role.TITULAR, start=start))
        mandates.append(Mandate(person=people[2 * n + 1], instance=gec, role=Mandate.Role.DEPUTY, start=start))
    for g in range(15):
        leader_partner = partners[g]
        group = Instance.objects.create(
            kind="GT" if g % 3 else "GD", code=f"GT-{g:02d}" if g % 3 else f"GD-{g:02d}",
            name_fr=f"Groupe thématique n° {g}", name_en=f"Thematic group {g}",
            leader_partner=leader_partner, leader_person=people[2 * g])
        for k in range(4):
            mandates.append(Mandate(person=people[(2 * g + 2 * k + 1) % len(people)], instance=group,
                                    role=Mandate.Role.EXPERT, start=start))
    Mandate.objects.bulk_create(mandates)
    return partners, people


def _local(days, hour=9):
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def _fmt(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _submit(page, selector):
    page.click(selector)
    page.wait_for_load_state()


def test_a_secretariat_week(page, e2e_cast):
    partners, people = _directory(e2e_cast)
    assert Partner.objects.count() >= 30 and Instance.objects.filter(kind__in=["GT", "GD"]).count() >= 15
    login(page, "seg")

    # Monday — the year's schedule: past dates skipped and counted, each meeting with its proposal deadline.
    year = timezone.localdate().year
    page.goto(page.base + "/meetings/schedule/")
    page.select_option("select[name=instance]", label="GEC")
    page.fill("input[name=year]", str(year))
    _submit(page, "main form button[type=submit]")
    scheduled = Meeting.objects.filter(instance__code="GEC")
    assert all(m.start > timezone.now() for m in scheduled)
    assert all(m.proposal_deadline is not None for m in scheduled)
    if timezone.localdate().month > 1:
        assert re.search(r"dates? déjà passées? (a|ont) été ignorée", page.inner_text("main"))
    shot(page, "week-1-schedule")

    # An extraordinary GEC meeting, created in the past by mistake first: the page asks for confirmation.
    page.goto(page.base + "/meetings/new/")
    page.select_option("select[name=instance]", label="GEC")
    page.fill("input[name=title]", "GEC extraordinaire — transition")
    page.select_option("select[name=kind]", value="extraordinary")
    page.fill("textarea[name=extraordinary_reason]", "Saisine urgente sur la transition")
    past = _local(-1)
    page.fill("input[name=start]", _fmt(past))
    page.fill("input[name=end]", _fmt(past + datetime.timedelta(hours=2)))
    _submit(page, "main form button[type=submit].primary")
    assert page.locator("input[type=checkbox][name=confirm_past]").count() == 1
    start = _local(6)
    page.fill("input[name=start]", _fmt(start))
    page.fill("input[name=end]", _fmt(start + datetime.timedelta(hours=2)))
    page.fill("input[name=proposal_deadline]", _fmt(start - datetime.timedelta(days=1)))
    _submit(page, "main form button[type=submit].primary")
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    meeting = Meeting.objects.get(title="GEC extraordinaire — transition")

    # Agenda: a forced out-of-scope category gets the rule's message (A2), not a generic error.
    page.click("#agenda details summary")
    page.fill("#agenda input[name=title]", "Sécurité au Centre")
    page.evaluate("""() => { const s = document.querySelector('#agenda select[name=category]');
        const o = document.createElement('option'); o.value = 'security'; o.text = 'sécurité'; s.add(o);
        s.value = 'security'; }""")
    _submit(page, "form[action$='/items/add/'] button[type=submit]")
    assert "(A2)" in page.inner_text("main") and "choix valide" not in page.inner_text("main")
    assert not meeting.items.exists()
    page.goto(page.base + f"/meetings/{meeting.pk}/")
    page.click("#agenda details summary")
    page.fill("#agenda input[name=title]", "Transition politique et appui budgétaire")
    page.select_option("#agenda select[name=category]", value="policy_dialogue")
    _submit(page, "form[action$='/items/add/'] button[type=submit]")
    assert meeting.items.count() == 1

    # Proposed agenda, distribution list, sending.
    _submit(page, "form[action$='/propose-agenda/'] button")
    page.click("#workflow a[href$='/distribution/']")
    _submit(page, "main form[method=post] button[type=submit]")
    page.click("main a[href$='/send/']")
    page.wait_for_load_state()
    shot(page, "week-2-send")
    _submit(page, "main form[method=post] button.primary")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONVENED
    invited = Invitation.objects.filter(meeting=meeting, kind="request").count()
    assert invited >= 60  # 30 titulars and 30 deputies, and the cast's
    logout(page)

    # A member proposes after convocation, before the deadline; she sees her proposal waiting.
    login(page, "partner")
    page.goto(page.base + "/meetings/invitations/")
    page.click(f"#invitation-{Invitation.objects.get(meeting=meeting, person=e2e_cast.titular).pk} "
               f"a[href$='/meetings/{meeting.pk}/propose/']")
    page.wait_for_load_state()
    page.fill("input[name=title]", "Élections : calendrier électoral")
    page.select_option("select[name=category]", value="policy_dialogue")
    _submit(page, "main form button[type=submit]")
    assert "en attente de décision" in page.inner_text("#my-proposals")
    logout(page)

    # The secretariat accepts it: an agenda update (SEQUENCE + 1) goes to every invitee, the proposer is told.
    login(page, "seg")
    page.goto(page.base + f"/meetings/{meeting.pk}/")
    proposal = meeting.items.get(status=AgendaItem.Status.PROPOSED)
    mail.outbox.clear()
    _submit(page, f"#item-{proposal.pk} button[value=accept]")
    meeting.refresh_from_db()
    assert meeting.ical_sequence == 1
    assert Invitation.objects.filter(meeting=meeting, kind="update").count() == invited
    assert any(m.to == [e2e_cast.titular.email] and "acceptée" in m.subject for m in mail.outbox)

    # Reschedule with a message: the message is in the audit.
    page.click("#workflow a[href$='/reschedule/']")
    page.wait_for_load_state()
    later = start + datetime.timedelta(days=1)
    page.fill("input[name=start]", _fmt(later))
    page.fill("input[name=end]", _fmt(later + datetime.timedelta(hours=2)))
    page.fill("textarea[name=message]", "Décalage d'un jour : salle indisponible")
    _submit(page, "main form button[type=submit].primary")
    page.goto(page.base + "/audit/?model=meeting")
    assert "salle indisponible" in page.inner_text("main")

    # Meeting day (the clock moves to the meeting, begun an hour ago whatever the hour the test runs): held; no
    # send button any more.
    begun = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(hours=1)
    Meeting.objects.filter(pk=meeting.pk).update(start=begun, end=begun + datetime.timedelta(hours=2))
    page.goto(page.base + f"/meetings/{meeting.pk}/")
    _submit(page, "form[action$='/held/'] button")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    page.goto(page.base + f"/meetings/{meeting.pk}/send/")
    assert page.locator("#cannot-send").count() == 1 and page.locator("main button.primary").count() == 0

    # Records: owners of the chosen partner only; a due date before the meeting asks for confirmation.
    page.goto(page.base + f"/meetings/{meeting.pk}/records/")
    page.fill("form:has(input[value=decision]) textarea[name=text]", "Saisir le GA sur la sécurité électorale")
    _submit(page, "form:has(input[value=decision]) button[type=submit]")
    irlande = Partner.objects.get(name="Irlande")
    action_form = "form:has(input[value=action])"
    page.fill(f"{action_form} input[name=title]", "Note sur le calendrier électoral")
    page.select_option(f"{action_form} select[name=owner_partner]", label="Irlande")
    visible = page.eval_on_selector_all(f"{action_form} select[name=owner_person] option",
                                        "os => os.filter(o => !o.hidden && o.value).map(o => o.textContent)")
    assert visible and all("(Irlande)" in label for label in visible)
    page.select_option(f"{action_form} select[name=owner_person]", label=visible[0])
    page.fill(f"{action_form} input[name=due_date]", (timezone.localdate() - datetime.timedelta(days=2)).isoformat())
    _submit(page, f"{action_form} button[type=submit]")
    assert not ActionItem.objects.exists()
    page.check(f"{action_form} input[name=confirm_due_date]")
    _submit(page, f"{action_form} button[type=submit]")
    action = ActionItem.objects.get()
    assert action.owner_person.institution.partner == irlande
    shot(page, "week-3-records")

    # Referral: "Refer to the GA" from the decision pre-fills the question and the meeting.
    page.click("a[href*='/meetings/referrals/new/?decision=']")
    page.wait_for_load_state()
    assert page.input_value("input[name=question]") == "Saisir le GA sur la sécurité électorale"
    assert page.input_value("select[name=requested_at_meeting]") == str(meeting.pk)
    _submit(page, "main form button[type=submit]")
    referral = Referral.objects.get()
    assert referral.requested_at_meeting == meeting
    shot(page, "week-4-referral")
