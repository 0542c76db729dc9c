"""Written and silence procedures: a text put to a body's seats with a deadline, one voice per seat."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from membership.models import Mandate


def attachment_upload_to(instance, filename):
    # A random name: the original is kept in `attachment_name`, never used as a path.
    return f"procedures/{uuid.uuid4().hex}"


class Procedure(models.Model):
    """A decision sought between meetings: the text, the mode, the deadline, and once closed its result."""

    class Mode(models.TextChoices):
        SILENCE = "silence", _("silence procedure")
        APPROVAL = "approval", _("written approval")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Result(models.TextChoices):
        NONE = "", _("no result yet")
        ADOPTED = "adopted", _("adopted")
        NOT_ADOPTED = "not_adopted", _("not adopted")

    # Named `body`: simple-history's rows have an `instance` attribute of their own.
    body = models.ForeignKey("instances.Instance", verbose_name=_("body"), on_delete=models.PROTECT,
                             related_name="procedures")
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    # One optional attachment (the text in full, an annex), served only through the procedure's checked view.
    attachment = models.FileField(_("attachment"), upload_to=attachment_upload_to, blank=True, max_length=300)
    attachment_name = models.CharField(_("attachment's file name"), max_length=250, blank=True)
    attachment_type = models.CharField(_("attachment's type"), max_length=100, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.SILENCE)
    deadline = models.DateTimeField(_("deadline"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices, blank=True, default="")
    # Frozen at launch from the body's setting (approval mode): the number of seats that must answer.
    quorum = models.PositiveSmallIntegerField(_("quorum (seats)"), null=True, blank=True)
    # Each extension is a new round of messages; the links of earlier rounds stay valid.
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    launched_at = models.DateTimeField(_("launched"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdraw_reason = models.TextField(_("why withdrawn"), blank=True)
    reminded_round = models.PositiveSmallIntegerField(_("reminders sent for round"), null=True, blank=True)
    decision = models.OneToOneField("meetings.Decision", verbose_name=_("decision"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="procedure")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("written procedure")
        verbose_name_plural = _("written procedures")
        ordering = ["-deadline", "-pk"]
        indexes = [models.Index(fields=["state", "deadline"], name="procedure_state_deadline")]
        constraints = [
            models.CheckConstraint(condition=Q(result="") | Q(state="closed"), name="procedure_result_when_closed"),
            models.CheckConstraint(condition=~Q(state="closed") | ~Q(result=""), name="procedure_closed_has_result"),
        ]

    def __str__(self):
        return f"{self.body} — {self.title}"

    @property
    def is_confidential(self) -> bool:
        """A4: a GA procedure is confidential to GA members and the SEG, like GA minutes."""
        return self.body.kind == "GA"

    def accepts_answers(self, now=None) -> bool:
        """Open and before the deadline, to the second."""
        return self.state == self.State.OPEN and (now or timezone.now()) < self.deadline


class ProcedureSeat(models.Model):
    """One partner's seat in a procedure, frozen at launch from the mandates of the launch date."""

    procedure = models.ForeignKey(Procedure, verbose_name=_("procedure"), on_delete=models.CASCADE,
                                  related_name="seats")
    partner = models.ForeignKey("membership.Partner", verbose_name=_("partner"), on_delete=models.PROTECT,
                                related_name="+")
    titular = models.ForeignKey("membership.Person", verbose_name=_("titular"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    deputy = models.ForeignKey("membership.Person", verbose_name=_("deputy"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    # The titular passed the voice to the deputy, or the secretariat marked the titular absent (M3, M6, M8).
    delegated = models.BooleanField(_("delegated to the deputy"), default=False)
    titular_absent = models.BooleanField(_("titular marked absent"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["procedure", "partner__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["procedure", "partner"], name="one_seat_per_partner")]

    def __str__(self):
        return f"{self.procedure_id} — {self.partner}"


class ProcedureAnswer(models.Model):
    """The seat's standing answer: one row per seat, the last answer given before the deadline (history keeps
    the earlier ones)."""

    class Answer(models.TextChoices):
        APPROVE = "approve", _("approve")
        OBJECT = "object", _("object")
        ABSTAIN = "abstain", _("abstain")

    class Channel(models.TextChoices):
        LINK = "link", _("link in the e-mail")
        PORTAL = "portal", _("portal")
        SECRETARIAT = "seg", _("recorded by the secretariat")

    seat = models.OneToOneField(ProcedureSeat, verbose_name=_("seat"), on_delete=models.CASCADE,
                                related_name="answer")
    person = models.ForeignKey("membership.Person", verbose_name=_("given by"), on_delete=models.PROTECT,
                               related_name="+")
    role = models.CharField(_("as"), max_length=10)
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices)
    reason = models.TextField(_("reason"), blank=True)
    channel = models.CharField(_("answered through"), max_length=10, choices=Channel.choices)
    answered_at = models.DateTimeField(_("answered"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.CheckConstraint(condition=~Q(answer="object") | ~Q(reason=""), name="objection_states_reason"),
        ]

    def __str__(self):
        return f"{self.seat} — {self.answer}"

    @property
    def role_label(self) -> str:
        """The mandate's role in words ("suppléant"), as pages and printed records say it."""
        return Mandate.Role(self.role).label if self.role in Mandate.Role.values else self.role


class ProcedureMail(models.Model):
    """A message of a procedure, written as a row first and sent once by the secretariat's outbox."""

    class Kind(models.TextChoices):
        LAUNCH = "launch", _("launch")
        EXTEND = "extend", _("extension")
        WITHDRAW = "withdraw", _("withdrawal")
        REMINDER = "reminder", _("reminder")
        OBJECTION = "objection", _("objection (to the secretariat)")
        RESULT = "result", _("result")

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    procedure = models.ForeignKey(Procedure, verbose_name=_("procedure"), on_delete=models.CASCADE,
                                  related_name="mails")
    seat = models.ForeignKey(ProcedureSeat, verbose_name=_("seat"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="mails")
    person = models.ForeignKey("membership.Person", verbose_name=_("person"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("name"), max_length=250)
    language = models.CharField(_("language"), max_length=2, default="fr")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    note = models.TextField(_("note"), blank=True)
    # The answer links of this message are single-use: set when an answer is recorded through one of them.
    link_used_at = models.DateTimeField(_("answer link used"), null=True, blank=True)
    # The outbox's fields (secretariat/outbox.py), with the same names and meanings as on an invitation.
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    handover_at = models.DateTimeField(_("hand-over to the mail server began"), null=True, blank=True)
    delivery_uncertain = models.BooleanField(_("uncertain delivery"), default=False)
    messages_sent = models.PositiveIntegerField(_("messages sent"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    message_at = models.DateTimeField(_("message written"), default=timezone.now)

    class Meta:
        verbose_name = _("procedure e-mail")
        verbose_name_plural = _("procedure e-mails")
        ordering = ["procedure", "pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="procedure_mail_state_due")]
        constraints = [
            # One message of each kind per person and round: a second closing or launch writes nothing twice.
            models.UniqueConstraint(fields=["procedure", "email", "kind", "round"],
                                    condition=~Q(kind="objection"), name="one_procedure_mail_per_round"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.name} <{self.email}>"
