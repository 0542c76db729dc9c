"""A4 for written procedures: a GA procedure is read only by GA members and the SEG — on its page, in its PDF
record, in its e-mails and through `procedure_result --as-user` — for every role of the access matrix. And the
command's rows."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from procedures import services
from procedures.mail import procedure_message
from procedures.models import ProcedureMail
from tests.factories import gec
from tests.procedures.helpers import cast, launched
from tests.security.world import ROLES, build_world, login_as

pytestmark = pytest.mark.django_db
GA_READERS = {"ga_member", "secretariat", "admin"}


def _command(*args) -> str:
    out = io.StringIO()
    call_command("procedure_result", *args, stdout=out)
    return out.getvalue()


def test_A4_a_ga_procedure_across_page_pdf_mails_and_command_for_every_role(settings):
    settings.REQUIRE_2FA_FOR_STAFF = False
    world = build_world()
    procedure = world.extra["procedures"]["ga"]
    services.answer_record(procedure=procedure, person=world.people["ga_member"], answer="object",
                           reason="Security wording tx-secret", channel="portal")
    services.procedure_close(procedure_id=procedure.pk, now=procedure.deadline)
    for role in ROLES:
        client = Client()
        login_as(client, world, role)
        page = client.get(reverse("procedures:detail", args=[procedure.pk]))
        pdf = client.get(reverse("procedures:record_pdf", args=[procedure.pk]))
        if role == "anonymous":
            assert page.status_code == 302 and pdf.status_code == 302
            continue
        if role in GA_READERS:
            assert page.status_code == 200 and "Texte confidentiel ga" in page.content.decode()
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
            rows = json.loads(_command(str(procedure.pk), "--as-user", world.users[role].username))
            assert [row["partner"] for row in rows] == [world.people["ga_member"].partner.name]
        else:
            assert page.status_code == 403, role
            assert pdf.status_code == 403, role
            assert "Texte confidentiel ga" not in page.content.decode()
            with pytest.raises(CommandError, match="may not read"):
                _command(str(procedure.pk), "--as-user", world.users[role].username)
    rows = list(ProcedureMail.objects.filter(procedure=procedure).exclude(kind="objection"))
    assert {row.kind for row in rows} == {"launch", "result"}
    for row in rows:
        assert "Texte confidentiel ga" not in procedure_message(row).body


def test_procedure_result_one_row_per_seat_in_json_and_csv():
    people = cast(gec())
    procedure = launched(gec())
    services.answer_record(procedure=procedure, person=people["A1"], answer="approve", channel="portal")
    services.seat_set_stand_in(seat=procedure.seats.get(titular=people["B1"]), delegated=True)
    services.answer_record(procedure=procedure, person=people["B2"], answer="object", reason="=1+1 formula",
                           channel="link")
    rows = json.loads(_command(str(procedure.pk), "--format", "json"))
    assert [row["partner"] for row in rows] == ["Partenaire A", "Partenaire B", "Partenaire C"]
    assert set(rows[0]) == {"partner", "person", "role", "answer", "reason", "answered_at", "channel"}
    assert (rows[1]["person"], rows[1]["role"], rows[1]["answer"], rows[1]["channel"]) == (
        people["B2"].full_name, "deputy", "object", "link")
    assert rows[2]["answer"] == "" and rows[2]["answered_at"] == ""
    table = list(csv.reader(io.StringIO(_command(str(procedure.pk), "--format", "csv"))))
    assert table[0] == ["partner", "person", "role", "answer", "reason", "answered_at", "channel"]
    assert len(table) == 4 and not table[2][4].startswith("=")  # spreadsheet-safe
    with pytest.raises(CommandError):
        _command("0")
    with pytest.raises(CommandError):
        _command(str(procedure.pk), "--format", "xml")


def test_the_audit_history_shows_procedures_and_answers(client, secretariat_user):
    people = cast(gec())
    procedure = launched(gec())
    services.answer_record(procedure=procedure, person=people["A1"], answer="approve", channel="portal")
    client.force_login(secretariat_user)
    for key in ("procedure", "procedureanswer"):
        assert client.get(reverse("audit"), {"model": key}).status_code == 200
