"""A silence procedure on the GEC from launch to the register, in real Chromium: the SEG launches it, a titular
approves by the e-mailed link, a deputy objects with a reason, the SEG extends, the objection is replaced by an
approval, the deadline passes (the close service called as the beat would), the decision is in the register and
the record prints."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.utils import timezone

from instances.models import Instance
from membership.roles import SECRETARIAT_GROUP
from procedures import services
from procedures.models import Procedure, ProcedureAnswer
from tests.e2e.conftest import login, shot
from tests.procedures.helpers import cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gec_world(e2e_settings, transactional_db):
    gec = Instance.objects.get_or_create(code="GEC", defaults={
        "kind": "GEC", "name_fr": "Groupe Exécutif de Coopération", "name_en": "Executive Cooperation Group"})[0]
    people = cast(gec)
    seg = User.objects.create_user("seg", "seg@example.org", "portal-password-123", first_name="Awa",
                                   last_name="Traoré")
    seg.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    return {"gec": gec, "people": people}


def link_for(person, answer: str) -> str:
    """The answer link of the latest message to this person."""
    messages = [m for m in mail.outbox if person.email in m.to]
    found = re.search(r"(https?://\S+/procedures/answer/\S+\?answer=" + answer + ")", messages[-1].body)
    assert found, messages[-1].body
    return found.group(1)


def answer_by_link(browser, url: str, reason: str = "") -> None:
    """Someone opens the e-mailed link (not signed in), reads the question, confirms."""
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="fr-FR")
    page = context.new_page()
    page.goto(url)
    assert page.locator("input[name=answer]:checked").count() == 1  # the link's answer is preselected
    if reason:
        page.fill("textarea[name=reason]", reason)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    # In the recipient's language (the deputy of B reads English).
    text = page.inner_text("main")
    assert "Votre réponse est enregistrée." in text or "Your answer was recorded." in text
    context.close()


def test_silence_procedure_from_launch_to_the_register(page, browser, gec_world):
    gec, people = gec_world["gec"], gec_world["people"]
    login(page, "seg")
    page.goto(page.base + f"/procedures/body/{gec.pk}/new/")
    page.fill("input[name=title]", "Déclaration conjointe sur la saison des pluies")
    page.fill("textarea[name=text]", "Les partenaires techniques et financiers saluent …")
    page.select_option("select[name=mode]", "silence")
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    procedure = Procedure.objects.get()
    page.click("form[action$='/launch/'] button")
    page.wait_for_load_state()
    procedure.refresh_from_db()
    assert procedure.state == "open" and procedure.seats.count() == 3
    assert len(mail.outbox) == 5  # every titular and deputy, once
    shot(page, "procedure-open")

    answer_by_link(browser, link_for(people["A1"], "approve"))
    # The titular of B is away: the SEG marks her absent, her deputy answers for the partner (M3).
    page.reload()
    page.locator("tr", has_text="Partenaire B").locator("button", has_text="Déclarer le titulaire absent").click()
    page.wait_for_load_state()
    answer_by_link(browser, link_for(people["B2"], "object"), reason="Le paragraphe 3 doit citer le plan national.")
    assert ProcedureAnswer.objects.get(person=people["B2"]).answer == "object"
    page.goto(page.base + "/meetings/dashboard/")
    assert "Le paragraphe 3 doit citer le plan national." in page.inner_text("#procedures")
    assert [m.subject for m in mail.outbox if m.subject.startswith("Objection soulevée")]  # to the SEG, at once

    page.goto(page.base + f"/procedures/{procedure.pk}/extend/")
    new_deadline = timezone.localtime(procedure.deadline) + datetime.timedelta(days=2)
    page.fill("input[name=deadline]", new_deadline.strftime("%Y-%m-%dT%H:%M"))
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    procedure.refresh_from_db()
    assert procedure.round == 1 and ProcedureAnswer.objects.count() == 2  # earlier answers kept
    answer_by_link(browser, link_for(people["B2"], "approve"))  # the extension's fresh link
    assert ProcedureAnswer.objects.get(person=people["B2"]).answer == "approve"

    assert services.close_due(now=procedure.deadline) == 1  # as the beat does at the deadline
    page.goto(page.base + "/meetings/decisions/")
    register = page.inner_text("main")
    assert "Déclaration conjointe sur la saison des pluies" in register and "adoptée" in register
    shot(page, "decisions-register")
    page.goto(page.base + f"/procedures/{procedure.pk}/")
    assert "Résultat" in page.inner_text("main")
    response = page.request.get(page.base + f"/procedures/{procedure.pk}/record.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")
