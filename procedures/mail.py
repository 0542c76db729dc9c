"""The procedures' e-mails, written as `ProcedureMail` rows and sent by the secretariat's outbox (its second
kind of row: the same claim, breaker, hand-over and recovery as invitations).

Each message is built in its recipient's language. A GA procedure's text never leaves the portal (A4): the
message says "confidential text — see the portal" and the reader signs in. The answer links are signed and
single-use: the token names the message row, its person and its seat; the GET page only asks, the POST records.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from procedures.models import Procedure, ProcedureMail
from secretariat import outbox
from secretariat.message_ids import message_id_domain

SALT = "procedures.answer.v1"
ANSWER_KINDS = (ProcedureMail.Kind.LAUNCH, ProcedureMail.Kind.EXTEND, ProcedureMail.Kind.REMINDER)


class LinkError(Exception):
    """The link is altered, or names something that does not match."""


@dataclass(frozen=True)
class LinkClaim:
    mail_id: int
    person_id: int
    seat_id: int


def make_token(mail: ProcedureMail) -> str:
    return signing.dumps({"m": mail.pk, "p": mail.person_id or 0, "s": mail.seat_id or 0}, salt=SALT, compress=True)


def read_token(token: str) -> LinkClaim:
    try:
        data = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkError("invalid")
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) and data[k] > 0 for k in "mps"):
        raise LinkError("invalid")
    return LinkClaim(mail_id=data["m"], person_id=data["p"], seat_id=data["s"])


def mail_for_token(token: str) -> ProcedureMail:
    claim = read_token(token)
    mail = (ProcedureMail.objects.select_related("procedure__body", "person", "seat__partner")
            .filter(pk=claim.mail_id).first())
    if (mail is None or mail.person_id != claim.person_id or mail.seat_id != claim.seat_id
            or mail.kind not in ANSWER_KINDS):
        raise LinkError("invalid")
    return mail


def answer_url(mail: ProcedureMail) -> str:
    return settings.SITE_URL + reverse("procedures:answer_link", args=[make_token(mail)])


def procedure_url(procedure: Procedure) -> str:
    return settings.SITE_URL + reverse("procedures:detail", args=[procedure.pk])


def _subject(mail: ProcedureMail, procedure: Procedure) -> str:
    label = f"{procedure.body.code} — {procedure.title}"
    return {
        ProcedureMail.Kind.LAUNCH: _("Written procedure: %(label)s"),
        ProcedureMail.Kind.EXTEND: _("Deadline extended: %(label)s"),
        ProcedureMail.Kind.WITHDRAW: _("Withdrawn: %(label)s"),
        ProcedureMail.Kind.REMINDER: _("Reminder, please answer: %(label)s"),
        ProcedureMail.Kind.OBJECTION: _("Objection raised: %(label)s"),
        ProcedureMail.Kind.RESULT: _("Result: %(label)s"),
    }[mail.kind] % {"label": label}


def procedure_message(mail: ProcedureMail, shared: dict | None = None) -> EmailMultiAlternatives:
    procedure = mail.procedure
    with translation.override(mail.language or settings.LANGUAGE_CODE):
        links = {}
        if mail.kind in ANSWER_KINDS and mail.seat_id and mail.person_id:
            base = answer_url(mail)
            links = {answer: f"{base}?answer={answer}" for answer in ("approve", "object", "abstain")}
        context = {
            "mail": mail, "procedure": procedure, "body": procedure.body,
            "deadline": timezone.localtime(procedure.deadline), "time_zone": settings.TIME_ZONE,
            "confidential": procedure.is_confidential, "links": links, "url": procedure_url(procedure),
            "result_label": procedure.get_result_display() if procedure.result else "",
        }
        subject = _subject(mail, procedure)
        text = render_to_string("procedures/emails/message.txt", context)
    return EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [mail.email], reply_to=[settings.SECRETARIAT_EMAIL],
        headers={"X-PTF-Procedure": str(procedure.pk),
                 "Message-ID": f"<ptf.procedure.{mail.pk}.{mail.kind}.{mail.round}@{message_id_domain()}>"},
    )


PROCEDURE_MAILS = outbox.OutboxKind(
    "procedure", ProcedureMail, "procedures.tasks.send_procedure_mail_batch",
    lambda row, shared: procedure_message(row, shared), "procedure_id", ("procedure__body", "seat__partner"))
outbox.register_kind(PROCEDURE_MAILS)
