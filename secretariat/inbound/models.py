"""One row per message read from the secretariat's mailbox: what it was, what the portal did with it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from secretariat.inbound.messages import render_detail


class InboundMessage(models.Model):
    """A message of the secretariat's mailbox, processed once (keyed on its Message-ID, or its content)."""

    class Kind(models.TextChoices):
        ANSWER = "answer", _("calendar answer")
        COUNTER = "counter", _("proposal of another time")
        BOUNCE = "bounce", _("delivery failure")
        AUTO_REPLY = "auto_reply", _("automatic reply")
        FREE_TEXT = "free_text", _("written reply")
        IGNORED = "ignored", _("nothing for the portal")
        ERROR = "error", _("refused message")

    class Outcome(models.TextChoices):
        ANSWER = "answer", _("answer recorded")
        BOUNCE = "bounce", _("delivery failure noted")
        AUTO_REPLY = "auto-reply", _("automatic reply")
        IGNORED = "ignored", _("nothing changed")
        UNMATCHED = "unmatched", _("no matching invitation")
        HELD = "held", _("held for the secretariat")
        ERROR = "error", _("refused")

    class Source(models.TextChoices):
        IMAP = "imap", _("mailbox")
        FILE = "file", _("file")

    key = models.CharField(_("key"), max_length=250, unique=True)
    message_id = models.CharField(_("Message-ID"), max_length=250, blank=True)
    source = models.CharField(_("source"), max_length=4, choices=Source.choices, default=Source.IMAP)
    received_at = models.DateTimeField(_("processed"), default=timezone.now)
    sender = models.CharField(_("sender"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    # The outcome's explanation, kept as a code and its values, rendered in the reader's language.
    detail_code = models.CharField(_("detail"), max_length=40, blank=True)
    detail_params = models.JSONField(_("detail values"), default=dict, blank=True)
    excerpt = models.TextField(_("what the person wrote"), blank=True)
    invitation = models.ForeignKey(
        "secretariat.Invitation", verbose_name=_("invitation"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="inbound_messages",
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", verbose_name=_("meeting"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="inbound_messages",
    )
    proposed_start = models.DateTimeField(_("proposed start"), null=True, blank=True)
    proposed_end = models.DateTimeField(_("proposed end"), null=True, blank=True)
    # What proved the sender (`dkim:aecid.example`, `authentication-results:mx.ptf-mali.org`), empty when nothing did.
    authentication = models.CharField(_("authenticated by"), max_length=300, blank=True)
    # A held message: what it would change once the secretariat confirms it (an answer or a bounce, as values).
    held_action = models.JSONField(_("held change"), default=dict, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    needs_attention = models.BooleanField(_("needs the secretariat"), default=False)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handled by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["-received_at"], name="inbound_recent"),
            models.Index(fields=["needs_attention", "handled_at"], name="inbound_to_handle",
                         condition=Q(needs_attention=True, handled_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} — {self.sender or '?'} — {self.subject}"

    @property
    def detail(self) -> str:
        return render_detail(self.detail_code, self.detail_params)

    @property
    def is_held(self) -> bool:
        """Held and not yet confirmed nor set aside: the secretariat may confirm it."""
        return self.outcome == self.Outcome.HELD and self.confirmed_at is None and self.handled_at is None

    @property
    def is_open(self) -> bool:
        return self.needs_attention and self.handled_at is None
