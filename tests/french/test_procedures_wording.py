"""Written procedures in French and in English: every kind of e-mail (launch, extension, reminder, objection to
the secretariat, withdrawal, result) and the printed record, read with the proofreading rules of each language."""

from __future__ import annotations

import datetime

import pytest

from membership.models import Partner
from procedures import services
from procedures.mail import procedure_message
from procedures.models import Procedure, ProcedureMail
from procedures.views import record_html
from tests.factories import gec
from tests.french.checks import english_problems, problems, visible_text
from tests.procedures.helpers import cast, launched

pytestmark = pytest.mark.django_db


def _mails_of_every_kind():
    people = cast(gec())
    now = datetime.datetime.now(datetime.UTC)
    silence = launched(gec(), title="Déclaration conjointe sur les élections", now=now)
    services.answer_record(procedure=silence, person=people["A1"], answer="object", channel="portal",
                           reason="Le paragraphe 3 doit citer la feuille de route", now=now)
    services.procedure_extend(procedure=Procedure.objects.get(pk=silence.pk),
                              deadline=silence.deadline + datetime.timedelta(days=2), now=now)
    approval = launched(gec(), mode="approval", hours=20, title="Lettre au ministre", now=now)
    services.reminders_send(now=now + datetime.timedelta(hours=1))
    services.procedure_withdraw(procedure=Procedure.objects.get(pk=approval.pk), reason="Texte revu", now=now)
    closing = launched(gec(), title="Adoption du compte rendu", now=now)
    services.procedure_close(procedure_id=closing.pk, now=closing.deadline + datetime.timedelta(seconds=1))
    return ProcedureMail.objects.select_related("procedure__body", "person").order_by("pk")


def test_every_procedure_mail_reads_right_in_its_language():
    mails = list(_mails_of_every_kind())
    kinds = {(m.kind, m.language or "fr") for m in mails}
    for kind in ProcedureMail.Kind.values:
        assert (kind, "fr") in kinds, kind
    assert any(lang == "en" for _kind, lang in kinds)
    french_data = tuple(Partner.objects.values_list("name", flat=True)) + tuple(
        Procedure.objects.values_list("title", flat=True)) + tuple(Procedure.objects.values_list("text", flat=True)) + (
        "Le paragraphe 3 doit citer la feuille de route", "Texte revu")
    found = []
    for mail in mails:
        message = procedure_message(mail)
        text = f"{message.subject}\n{message.body}"
        if (mail.language or "fr") == "en":
            found += [f"{mail.kind}/en: {p}" for p in english_problems(text, french_data=french_data)]
        else:
            found += [f"{mail.kind}/fr: {p}" for p in problems(text)]
    assert not found, "\n".join(found)


def test_the_printed_record_reads_right_in_both_languages():
    people = cast(gec())
    procedure = launched(gec(), title="Déclaration conjointe")
    services.answer_record(procedure=procedure, person=people["A1"], answer="approve", channel="portal")
    services.answer_record(procedure=procedure, person=people["B1"], answer="abstain", channel="portal")
    services.procedure_close(procedure_id=procedure.pk, now=procedure.deadline + datetime.timedelta(seconds=1))
    procedure = Procedure.objects.get(pk=procedure.pk)
    french = visible_text(record_html(procedure, seats=None, language="fr"))
    assert "titulaire" in french and not problems(french), problems(french)
    english = visible_text(record_html(procedure, seats=None, language="en"))
    french_data = tuple(Partner.objects.values_list("name", flat=True)) + (procedure.title, procedure.text)
    assert "titular" in english and not english_problems(english, french_data=french_data), english_problems(
        english, french_data=french_data)
