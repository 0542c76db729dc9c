"""The pages: the body's list, a procedure, the forms, the answer links (GET asks, POST records) and the PDF."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.core import mail as django_mail
from django.urls import reverse
from django.utils import timezone

from procedures import services
from procedures.mail import make_token
from procedures.models import Procedure, ProcedureAnswer, ProcedureMail
from tests.factories import ga, gec
from tests.procedures.helpers import cast, launched

pytestmark = pytest.mark.django_db


def login(client, person):
    user = User.objects.create_user(f"u{person.pk}", person.email, "portal-password-123")
    person.user = user
    person.save(update_fields=["user"])
    client.force_login(user)
    return user


def link_of(procedure, person, kind="launch"):
    row = ProcedureMail.objects.get(procedure=procedure, person=person, kind=kind)
    return reverse("procedures:answer_link", args=[make_token(row)])


def test_seg_drafts_launches_and_sees_every_seat(client, secretariat_user):
    cast(gec())
    client.force_login(secretariat_user)
    response = client.get(reverse("procedures:create", args=[gec().pk]))
    assert response.status_code == 200
    deadline = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("procedures:create", args=[gec().pk]), {
        "title": "Déclaration conjointe", "text": "Les partenaires …", "mode": "silence", "deadline": deadline})
    procedure = Procedure.objects.get()
    assert response.status_code == 302 and procedure.state == "draft"
    client.post(reverse("procedures:launch", args=[procedure.pk]))
    procedure.refresh_from_db()
    assert procedure.state == "open" and procedure.seats.count() == 3
    page = client.get(reverse("procedures:detail", args=[procedure.pk])).content.decode()
    assert "Partenaire A" in page and "Partenaire C" in page
    listing = client.get(reverse("procedures:body_list", args=[gec().pk])).content.decode()
    assert "Déclaration conjointe" in listing


def test_a_partner_sees_only_its_own_seat_and_the_result_once_closed(client):
    people = cast(gec())
    procedure = launched(gec())
    services.answer_record(procedure=procedure, person=people["B1"], answer="approve", channel="portal")
    login(client, people["A1"])
    page = client.get(reverse("procedures:detail", args=[procedure.pk])).content.decode()
    assert "Partenaire A" in page and "Partenaire B" not in page
    assert "Record (PDF)" not in page and "Procès-verbal" not in page


def test_the_link_asks_on_get_records_on_post_and_is_single_use(client):
    people = cast(gec())
    procedure = launched(gec())
    url = link_of(procedure, people["A1"])
    assert client.get(url + "?answer=approve").status_code == 200
    assert not ProcedureAnswer.objects.exists()  # a GET (a mail scanner) records nothing
    assert client.post(url, {"answer": "approve"}).status_code == 200
    assert ProcedureAnswer.objects.get().channel == "link"
    reused = client.post(url, {"answer": "abstain"})
    assert reused.status_code == 400 and ProcedureAnswer.objects.get().answer == "approve"


def test_an_objection_by_link_asks_its_reason(client):
    people = cast(gec())
    procedure = launched(gec())
    url = link_of(procedure, people["B1"])
    assert client.post(url, {"answer": "object", "reason": ""}).status_code == 400
    assert not ProcedureAnswer.objects.exists()
    assert client.post(url, {"answer": "object", "reason": "Paragraph 2"}).status_code == 200
    assert ProcedureAnswer.objects.get().reason == "Paragraph 2"


@pytest.mark.parametrize("token", ["x", "abc:def", "", "eyJtIjoxfQ:1abc:bad"])
def test_a_tampered_link_is_a_clear_page_never_a_500(client, token):
    cast(gec())
    launched(gec())
    url = reverse("procedures:answer_link", args=[token]) if token else "/procedures/answer/%20/"
    for response in (client.get(url), client.post(url, {"answer": "approve"})):
        assert response.status_code in (400, 404)
    assert not ProcedureAnswer.objects.exists()


def test_a_link_of_another_mail_with_its_signature_altered_is_refused(client):
    people = cast(gec())
    procedure = launched(gec())
    token = make_token(ProcedureMail.objects.get(procedure=procedure, person=people["A1"], kind="launch"))
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.post(reverse("procedures:answer_link", args=[tampered]), {"answer": "approve"})
    assert response.status_code == 400 and not ProcedureAnswer.objects.exists()


def test_links_after_closing_or_withdrawal_change_nothing(client):
    people = cast(gec())
    procedure = launched(gec())
    url = link_of(procedure, people["A1"])
    services.procedure_close(procedure_id=procedure.pk, now=procedure.deadline)
    response = client.post(url, {"answer": "approve"})
    assert response.status_code == 400 and "les réponses à cette procédure sont closes" in response.content.decode()
    other = launched(gec(), title="Lettre")
    url = link_of(other, people["A1"])
    services.procedure_withdraw(procedure=other, reason="Overtaken")
    response = client.post(url, {"answer": "approve"})
    assert response.status_code == 400 and "a été retirée" in response.content.decode()
    assert not ProcedureAnswer.objects.exists()


def test_the_record_pdf_once_closed(client, secretariat_user):
    people = cast(gec())
    procedure = launched(gec())
    services.answer_record(procedure=procedure, person=people["A1"], answer="approve", channel="portal")
    client.force_login(secretariat_user)
    assert client.get(reverse("procedures:record_pdf", args=[procedure.pk])).status_code == 404
    services.procedure_close(procedure_id=procedure.pk, now=procedure.deadline)
    response = client.get(reverse("procedures:record_pdf", args=[procedure.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_A4_a_ga_procedure_is_hidden_from_gec_members_and_its_mails_keep_the_text_in(
        client, django_capture_on_commit_callbacks):
    gec_people = cast(gec())
    ga_people = cast(ga(), function="ambassador", prefix="ga")
    django_mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        procedure = launched(ga())
    assert django_mail.outbox and all("Les partenaires saluent" not in m.body for m in django_mail.outbox)
    assert all(re.search(r"(Confidential text|Texte confidentiel)", m.body) for m in django_mail.outbox)
    login(client, gec_people["A1"])
    assert client.get(reverse("procedures:detail", args=[procedure.pk])).status_code == 403
    assert client.get(reverse("procedures:body_list", args=[ga().pk])).status_code == 403
    client.logout()
    login(client, ga_people["A1"])
    assert client.get(reverse("procedures:detail", args=[procedure.pk])).status_code == 200


def test_the_secretariat_records_an_answer_given_by_telephone_under_the_same_rules(client, secretariat_user):
    people = cast(gec())
    procedure = launched(gec())
    seat_b = procedure.seats.get(titular=people["B1"])
    client.force_login(secretariat_user)
    url = reverse("procedures:record_for", args=[procedure.pk, seat_b.pk])
    client.post(url, {"person": people["B2"].pk, "answer": "approve"})  # the deputy, titular present: refused
    assert not ProcedureAnswer.objects.exists()
    client.post(url, {"person": people["B1"].pk, "answer": "object", "reason": "By telephone"})
    row = ProcedureAnswer.objects.get()
    assert (row.person, row.channel, row.recorded_by) == (people["B1"], "seg", secretariat_user)


def test_the_quorum_is_edited_on_the_body_in_the_admin(client, settings):
    from django.contrib.auth.models import User as Users

    admin = Users.objects.create_superuser("root", "root@example.org", "portal-password-123")
    settings.REQUIRE_2FA_FOR_STAFF = False
    client.force_login(admin)
    page = client.get(reverse("admin:instances_instance_change", args=[gec().pk]))
    assert page.status_code == 200 and 'name="procedure_quorum_percent"' in page.content.decode()


def test_an_attachment_is_checked_stored_and_served_only_to_readers(client, secretariat_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    people = cast(gec())
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    client.force_login(secretariat_user)
    deadline = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(reverse("procedures:create", args=[gec().pk]), {
        "title": "Lettre", "text": "…", "mode": "silence", "deadline": deadline,
        "attachment": SimpleUploadedFile("annexe.pdf", b"not a pdf")})
    assert refused.status_code == 200 and not Procedure.objects.exists()
    client.post(reverse("procedures:create", args=[gec().pk]), {
        "title": "Lettre", "text": "…", "mode": "silence", "deadline": deadline,
        "attachment": SimpleUploadedFile("annexe.pdf", pdf)})
    procedure = Procedure.objects.get()
    assert procedure.attachment_name == "annexe.pdf" and "annexe" not in procedure.attachment.name
    response = client.get(reverse("procedures:attachment", args=[procedure.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf
    client.logout()
    login(client, people["A1"])
    assert client.get(reverse("procedures:attachment", args=[procedure.pk])).status_code == 403  # still a draft
