"""Meetings of the instances: agendas, documents, referrals, attendance, minutes, decisions, actions."""

import uuid

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.french import short_date


class Meeting(models.Model):
    """A formal meeting of one instance (A1), ordinary or extraordinary (I3)."""

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("ordinary")
        EXTRAORDINARY = "extraordinary", _("extraordinary")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        AGENDA_PROPOSED = "agenda_proposed", _("agenda proposed")
        CONVENED = "convened", _("convened")
        HELD = "held", _("held")
        MINUTES_APPROVED = "minutes_approved", _("minutes approved")
        CANCELLED = "cancelled", _("cancelled")

    instance = models.ForeignKey(
        "instances.Instance", verbose_name=_("instance"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices, default=Kind.ORDINARY)
    title = models.CharField(_("title"), max_length=250)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    place = models.CharField(_("place"), max_length=250, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    extraordinary_reason = models.TextField(_("why it is convened"), blank=True)
    cancellation_reason = models.TextField(_("why it was cancelled"), blank=True)
    proposal_deadline = models.DateTimeField(_("deadline for proposing agenda items"), null=True, blank=True)
    with_government = models.BooleanField(
        _("dialogue meeting with the government"), default=False,
        help_text=_("The government's designated interlocutors are invited (A6, A7)."),
    )
    # iCalendar identity: one UID for the meeting's life, SEQUENCE rises with each update.
    ical_uid = models.UUIDField(_("calendar UID"), default=uuid.uuid4, unique=True, editable=False)
    ical_sequence = models.PositiveIntegerField(_("calendar sequence"), default=0, editable=False)
    # The chair recorded when the meeting is held; it does not follow later mandate changes.
    chair_person = models.ForeignKey(
        "membership.Person", verbose_name=_("chair"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chair_partner = models.ForeignKey(
        "membership.Partner", verbose_name=_("chair's partner"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    chair_role = models.CharField(_("chair's role"), max_length=20, blank=True)
    chair_reason = models.CharField(_("why this chair"), max_length=300, blank=True)
    chair_rule = models.CharField(_("rule applied for the chair"), max_length=5, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    # simple-history gives historical rows an `instance` property (the live object), which hides a field of
    # that name; the instance of a meeting never changes, so it is left out of the history.
    # The reason of a change keeps the secretariat's whole message to the invitees (reschedule, cancellation).
    history = HistoricalRecords(excluded_fields=["instance"], history_change_reason_field=models.TextField(null=True))

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["start"]
        # The lists that grow with history read a window of dates (the coming meetings and the last twelve
        # months, "Mes invitations" by the meeting's end): an index on each reads the window, not the years.
        indexes = [models.Index(fields=["instance", "start"], name="meeting_instance_start"),
                   models.Index(fields=["start"], name="meeting_start"),
                   models.Index(fields=["end"], name="meeting_end")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="meeting_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.heading} ({short_date(self.start)})"

    @property
    def heading(self) -> str:
        """ "GEC — Janvier 2027": the body's code and the title, the code once when the title already starts
        with it (a title "GEC — janvier 2027" is not written "GEC — GEC — janvier 2027")."""
        # Historical rows may lack their instance (deleted since): never crash the history page.
        try:
            code = self.instance.code
        except ObjectDoesNotExist:
            code = "?"
        title = self.title or ""
        if title[:len(code)].casefold() == code.casefold() and not title[len(code):len(code) + 1].isalnum():
            return title
        return f"{code} — {title}"

    def clean(self):
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("The meeting must end after it starts.")
        if self.proposal_deadline and self.start and self.proposal_deadline > self.start:
            errors["proposal_deadline"] = _("The deadline for proposing items must be before the meeting starts.")
        if self.kind == self.Kind.EXTRAORDINARY and not self.extraordinary_reason.strip() and self.instance_id:
            if self.instance.kind == "GEC":
                errors["extraordinary_reason"] = _("An extraordinary GEC meeting must say why it is convened (I3).")
        if errors:
            raise ValidationError(errors)

    @property
    def confidential_by_default(self) -> bool:
        """A4: GA material is confidential to GA members and the SEG."""
        return self.instance.kind == "GA"


class AgendaItem(models.Model):
    """An item of a meeting's agenda, within the instance's scope (A2, A4, A6)."""

    class Category(models.TextChoices):
        # A2 — GEC
        POLICY_DIALOGUE = "policy_dialogue", _("development policy dialogue")
        EFFECTIVENESS = "effectiveness", _("development effectiveness and coordination")
        ORGANISATION = "organisation", _("organisation of the partners and relations with other actors")
        # A3 — conclusions of the GA brought back to the GEC
        REFERRAL_CONCLUSION = "referral_conclusion", _("conclusions of the GA")
        # A4 — GA
        HUMAN_RIGHTS = "human_rights", _("human rights")
        DEMOCRACY = "democracy", _("democracy")
        RECONCILIATION = "reconciliation", _("national reconciliation")
        RULE_OF_LAW = "rule_of_law", _("rule of law")
        SECURITY = "security", _("security")
        GEC_REFERRAL = "gec_referral", _("question submitted by the GEC")
        # A6 — GT/GD
        SECTOR_DIALOGUE = "sector_dialogue", _("sector dialogue among partners")
        GOVERNMENT_DIALOGUE = "government_dialogue", _("dialogue with the government and other actors")
        CROSS_CUTTING = "cross_cutting", _("cross-cutting theme")
        # any instance
        FOLLOW_UP = "follow_up", _("follow-up of actions")

    class Outcome(models.TextChoices):
        INFORMATION = "information", _("information")
        ORIENTATION = "orientation", _("orientation")
        ARBITRATION = "arbitration", _("arbitration")
        DECISION = "decision", _("decision")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    expected_outcome = models.CharField(
        _("expected outcome"), max_length=15, choices=Outcome.choices, default=Outcome.INFORMATION
    )
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=15)
    presenter_person = models.ForeignKey(
        "membership.Person", verbose_name=_("presenter"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="presented_items",
    )
    presenter_group = models.ForeignKey(
        "instances.Instance", verbose_name=_("presenting group"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="presented_items",
        help_text=_("A thematic or dialogue group invited to present its sector's stakes (A5)."),
    )
    topic_experts = models.ManyToManyField(
        "membership.Person", verbose_name=_("topic experts invited"), blank=True, related_name="expert_items",
        help_text=_("GA: people with competence on this item, invited for this meeting (M6)."),
    )
    confidential = models.BooleanField(_("confidential"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    proposed_by = models.ForeignKey(
        "membership.Person", verbose_name=_("proposed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="proposed_items",
    )
    decision_reason = models.TextField(_("reason for accepting or rejecting"), blank=True)
    referral = models.ForeignKey(
        "meetings.Referral", verbose_name=_("referral"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="agenda_items",
    )

    history = HistoricalRecords(m2m_fields=[topic_experts])

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "pk"]

    def __str__(self):
        return self.title

    # Django's own get_FOO_display() translates every label of the field on each call, to build its lookup;
    # an agenda shows these two for each item.
    def get_category_display(self) -> str:
        return str(_CATEGORY_LABELS.get(self.category, self.category))

    def get_expected_outcome_display(self) -> str:
        return str(_OUTCOME_LABELS.get(self.expected_outcome, self.expected_outcome))


_CATEGORY_LABELS = dict(AgendaItem.Category.choices)
_OUTCOME_LABELS = dict(AgendaItem.Outcome.choices)


def document_upload_to(instance, filename):
    # Random names: the original name is kept in `filename`, never used as a path.
    return f"documents/{instance.meeting_id}/{uuid.uuid4().hex}"


class Document(models.Model):
    """A file attached to a meeting, an agenda item or the minutes; served only through a checked view."""

    class Kind(models.TextChoices):
        AGENDA = "agenda", _("agenda document")
        MINUTES = "minutes", _("minutes attachment")

    class TextState(models.TextChoices):
        PENDING = "pending", _("text not read yet")
        DONE = "done", _("text read")
        NONE = "none", _("no text to read")
        FAILED = "failed", _("text could not be read")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="documents")
    agenda_item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="documents",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.AGENDA)
    title = models.CharField(_("title"), max_length=250)
    file = models.FileField(_("file"), upload_to=document_upload_to)
    filename = models.CharField(_("file name"), max_length=250)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    confidential = models.BooleanField(_("confidential"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    # Whether the file's text was read for the search (meetings.extraction, after the upload); the text itself is
    # in DocumentText, so that the pages listing documents never read it.
    text_state = models.CharField(_("text extraction"), max_length=12, choices=TextState.choices,
                                  default=TextState.PENDING, editable=False)
    # Why not, as a code of meetings.extraction (`text_failure` says it in the reader's language).
    text_error = models.CharField(_("why the text could not be read"), max_length=20, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["meeting", "uploaded_at"]

    def __str__(self):
        return self.title

    @property
    def text_failure(self) -> str:
        """Why the file's text could not be read, in words."""
        return str(_TEXT_FAILURES.get(self.text_error, _TEXT_FAILURES["unreadable"])) if self.text_error else ""

    @property
    def text(self) -> str:
        """The text read from the file ("" when none was read)."""
        try:
            return self.extracted.text
        except ObjectDoesNotExist:
            return ""


_TEXT_FAILURES = {
    "unsupported": _("this kind of file has no text the search can read"),
    "too_large": _("the file is too large for its text to be read"),
    "time": _("reading its text took too long"),
    "encrypted": _("the file is protected by a password"),
    "unreadable": _("its text could not be read (damaged or unusual file)"),
}


class DocumentText(models.Model):
    """The text read from a document's file, for the search."""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, primary_key=True, related_name="extracted")
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("document text")
        verbose_name_plural = _("document texts")

    def __str__(self):
        return str(self.document_id)


class Referral(models.Model):
    """A question referred by the GEC to the GA, or taken up by the GA itself (A3)."""

    class Origin(models.TextChoices):
        GEC = "gec", _("referred by the GEC")
        SELF = "self", _("taken up by the GA itself")

    class State(models.TextChoices):
        REQUESTED = "requested", _("requested")
        SCHEDULED = "scheduled", _("scheduled on a GA meeting")
        CONCLUDED = "concluded", _("concluded")
        RETURNED = "returned", _("returned to the GEC")

    origin = models.CharField(_("origin"), max_length=5, choices=Origin.choices, default=Origin.GEC)
    question = models.CharField(_("question"), max_length=300)
    details = models.TextField(_("details"), blank=True)
    expected_outcome = models.CharField(
        _("expected from the GA"), max_length=15, choices=AgendaItem.Outcome.choices,
        default=AgendaItem.Outcome.ORIENTATION,
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_at_meeting = models.ForeignKey(
        Meeting, verbose_name=_("requested at (GEC meeting)"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="referrals_requested",
    )
    ga_meeting = models.ForeignKey(
        Meeting, verbose_name=_("GA meeting"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="referrals_scheduled",
    )
    conclusion = models.TextField(_("conclusion"), blank=True)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)
    returned_to_meeting = models.ForeignKey(
        Meeting, verbose_name=_("returned to (GEC meeting)"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="referrals_returned",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]

    def __str__(self):
        return self.question


class Attendance(models.Model):
    """One line of a meeting's attendance register."""

    class Status(models.TextChoices):
        PRESENT = "present", _("present")
        ABSENT = "absent", _("absent")
        EXCUSED = "excused", _("excused")
        REPRESENTED = "represented", _("represented")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey("membership.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ABSENT)
    represented_by = models.ForeignKey(
        "membership.Person", verbose_name=_("represented by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    # False while the line only says what the invitation's answer announced: to be confirmed at the meeting.
    confirmed = models.BooleanField(_("confirmed"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "person__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="one_attendance_line_per_person"),
            models.CheckConstraint(
                condition=Q(status="represented", represented_by__isnull=False)
                | (~Q(status="represented") & Q(represented_by__isnull=True)),
                name="represented_by_iff_represented",
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.get_status_display()}"


class Minutes(models.Model):
    """The minutes of a meeting, approved at a later meeting."""

    meeting = models.OneToOneField(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="minutes")
    text = models.TextField(_("text"))
    confidential = models.BooleanField(_("confidential"), default=False)
    approved_at_meeting = models.ForeignKey(
        Meeting, verbose_name=_("approved at"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="minutes_approved_here",
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self):
        return f"{self.meeting}"


class Decision(models.Model):
    """A decision of a body: taken at a meeting, or by written procedure between meetings (no meeting)."""

    class Source(models.TextChoices):
        MEETING = "meeting", _("meeting")
        WRITTEN = "written", _("written procedure")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="decisions")
    # The body and the day: the meeting's for a decision taken at a meeting, the deadline's for a written one.
    # Named `body`: simple-history's rows have an `instance` attribute of their own.
    body = models.ForeignKey("instances.Instance", verbose_name=_("body"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="decisions")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    source = models.CharField(_("taken by"), max_length=10, choices=Source.choices, default=Source.MEETING)
    agenda_item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("decision"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source="meeting", meeting__isnull=False)
                | Q(source="written", meeting__isnull=True, body__isnull=False, decided_on__isnull=False),
                name="decision_meeting_or_written",
                violation_error_message=_("A decision is taken at a meeting, or by written procedure with its body "
                                          "and date."),
            ),
        ]

    def __str__(self):
        return self.text[:80]


class ActionItem(models.Model):
    """A follow-up action with an owner and a due date; late is derived, never stored."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="actions")
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    title = models.CharField(_("action"), max_length=300)
    owner_partner = models.ForeignKey(
        "membership.Partner", verbose_name=_("owner (partner)"), on_delete=models.PROTECT, related_name="+"
    )
    owner_person = models.ForeignKey(
        "membership.Person", verbose_name=_("owner (person)"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    due_date = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=5, choices=State.choices, default=State.OPEN)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_date", "pk"]
        # The open actions soonest due (the dashboard's card, the register's default order) read in order, not
        # sorted out of every action left open over the years.
        indexes = [models.Index(fields=["state", "due_date", "id"], name="action_state_due")]

    def __str__(self):
        return self.title

    @property
    def is_late(self) -> bool:
        return self.state == self.State.OPEN and self.due_date < timezone.localdate()
