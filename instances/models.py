"""Instances (bodies) of the Collectif and the yearly Troïka (DOMAIN.md I1–I6, T1–T7, A7)."""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords


class Instance(models.Model):
    """A body of the Collectif: the GEC, the GA, or a thematic (GT) or dialogue (GD) group."""

    class Kind(models.TextChoices):
        GEC = "GEC", _("Executive Cooperation Group (GEC)")
        GA = "GA", _("Ambassadors' Group (GA)")
        GT = "GT", _("Thematic group (GT)")
        GD = "GD", _("Dialogue group (GD)")

    class Level(models.TextChoices):
        POLITICAL = "political", _("Political level")
        TECHNICAL = "technical", _("Technical level")

    class Periodicity(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        BIMONTHLY = "bimonthly", _("Every two months")
        QUARTERLY = "quarterly", _("Quarterly")
        SEMIANNUAL = "semiannual", _("Twice a year")
        ANNUAL = "annual", _("Yearly")
        AD_HOC = "ad_hoc", _("When needed")

    class Secretariat(models.TextChoices):
        SEG = "seg", _("Executive Secretariat of the GEC (SEG)")
        DEDICATED = "dedicated", _("Dedicated secretariat")
        LEAD_RESOURCE = "lead_resource", _("Resource of the lead partner")
        OTHER = "other", _("Other")

    class OneUNPolicy(models.TextChoices):
        ADVISORY = "advisory", _("Advisory: warn when several UN agencies sit separately")
        STRICT = "strict", _("Strict: the UN system is one partner, from the coordinating agency")

    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=40, unique=True, allow_unicode=False)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    sector = models.CharField(_("sector"), max_length=200, blank=True)
    periodicity = models.CharField(
        _("periodicity"), max_length=20, choices=Periodicity.choices, default=Periodicity.MONTHLY
    )
    secretariat = models.CharField(
        _("secretariat"), max_length=20, choices=Secretariat.choices, default=Secretariat.SEG
    )
    # The schedule rule of ordinary meetings: the Nth weekday of the month at a time (I3–I5).
    meeting_weekday = models.PositiveSmallIntegerField(
        _("meeting weekday"), default=2, help_text=_("0 = Monday … 6 = Sunday")
    )
    meeting_week_of_month = models.PositiveSmallIntegerField(
        _("week of the month"), default=2, help_text=_("1 to 4: the first … fourth such weekday")
    )
    meeting_time = models.TimeField(_("meeting time"), default=datetime.time(9, 0))
    meeting_duration_minutes = models.PositiveSmallIntegerField(_("meeting duration (minutes)"), default=120)
    proposal_days_before = models.PositiveSmallIntegerField(
        _("proposals close (days before the meeting)"), default=7,
        help_text=_("The default deadline for proposing agenda items on a scheduled meeting (A1)."),
    )
    # GT/GD leadership (T7): the partner and the person who carries it.
    leader_partner = models.ForeignKey(
        "membership.Partner", verbose_name=_("leader partner"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="led_instances",
    )
    leader_person = models.ForeignKey(
        "membership.Person", verbose_name=_("leader"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="led_instances",
    )
    co_lead_partner = models.ForeignKey(
        "membership.Partner", verbose_name=_("co-lead partner"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="co_led_instances",
    )
    co_lead_person = models.ForeignKey(
        "membership.Person", verbose_name=_("co-lead"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="co_led_instances",
    )
    # Dialogue modalities with the government (A7).
    ministry = models.CharField(_("counterpart ministry"), max_length=200, blank=True)
    dialogue_periodicity = models.CharField(_("dialogue periodicity"), max_length=200, blank=True)
    agenda_setting = models.TextField(_("how agendas are set"), blank=True)
    # M4: only meaningful on the GEC.
    one_un_policy = models.CharField(
        _("One UN policy"), max_length=10, choices=OneUNPolicy.choices, default=OneUNPolicy.ADVISORY
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Written procedures in approval mode: the share of the body's seats that must answer (procedures app).
    procedure_quorum_percent = models.PositiveSmallIntegerField(
        _("quorum of written procedures (% of seats)"), default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("In approval mode a written procedure is adopted only if at least this share of the body's "
                    "seats answered."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("instance")
        verbose_name_plural = _("instances")
        ordering = ["kind", "code"]
        permissions = [("manage_meetings", _("Can manage this instance's meetings"))]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind__in=["GEC", "GA"]), name="one_gec_one_ga",
                violation_error_message=_("There is one GEC and one GA (I1): this one already exists."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["GT", "GD"]) | Q(secretariat="seg"),
                name="seg_is_secretariat_of_gec_and_ga",
                violation_error_message=_("The SEG is the secretariat of the GEC and the GA (I6)."),
            ),
            models.CheckConstraint(
                condition=Q(meeting_weekday__lte=6) & Q(meeting_week_of_month__gte=1) & Q(meeting_week_of_month__lte=4),
                name="instance_schedule_rule_valid",
                violation_error_message=_("The meeting weekday is 0 to 6 and the week of the month 1 to 4."),
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "fr").startswith("en") else self.name_fr

    @property
    def level(self) -> str:
        """I2: GEC and GA are political, GTs and GDs technical."""
        return self.Level.POLITICAL if self.kind in (self.Kind.GEC, self.Kind.GA) else self.Level.TECHNICAL

    @property
    def is_group(self) -> bool:
        return self.kind in (self.Kind.GT, self.Kind.GD)


class InstanceUserObjectPermission(UserObjectPermissionBase):
    """Guardian's direct foreign-key table for per-user permissions on instances."""

    content_object = models.ForeignKey(Instance, on_delete=models.CASCADE)


class InstanceGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Instance, on_delete=models.CASCADE)


class GovernmentInterlocutor(models.Model):
    """A government interlocutor designated for a group's dialogue (A7); an external participant."""

    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="interlocutors")
    name = models.CharField(_("name"), max_length=200)
    function = models.CharField(_("function"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"))

    history = HistoricalRecords(excluded_fields=["instance"])  # "instance" is simple-history's own attribute

    class Meta:
        verbose_name = _("government interlocutor")
        verbose_name_plural = _("government interlocutors")
        ordering = ["instance", "name"]
        constraints = [models.UniqueConstraint(fields=["instance", "email"], name="one_interlocutor_email_per_instance")]

    def __str__(self):
        return f"{self.name} ({self.function})" if self.function else self.name


class Troika(models.Model):
    """The Troïka of a year (T1): the lead, the incoming (deputy of the year) and the outgoing lead."""

    class Role(models.TextChoices):
        LEAD = "lead", _("lead")
        INCOMING = "incoming", _("deputy lead of the year")
        OUTGOING = "outgoing", _("outgoing lead")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    lead = models.ForeignKey("membership.Partner", verbose_name=_("lead"), on_delete=models.PROTECT, related_name="+")
    incoming = models.ForeignKey(
        "membership.Partner", verbose_name=_("deputy lead (incoming)"), on_delete=models.PROTECT, related_name="+"
    )
    outgoing = models.ForeignKey(
        "membership.Partner", verbose_name=_("outgoing lead"), on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Troïka")
        verbose_name_plural = _("Troïkas")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(lead=models.F("incoming")) & ~Q(lead=models.F("outgoing")) & ~Q(incoming=models.F("outgoing")),
                name="troika_three_distinct_partners",
                violation_error_message=_("The Troïka needs three different partners (T1)."),
            )
        ]

    def __str__(self):
        return f"Troïka {self.year}"

    def members(self):
        """(role, partner) in the order of horizontal succession (T4)."""
        return [(self.Role.LEAD, self.lead), (self.Role.INCOMING, self.incoming), (self.Role.OUTGOING, self.outgoing)]
