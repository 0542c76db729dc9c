"""The directory: partners, their institutions, people and their mandates (DOMAIN.md M1–M10)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import french
from core.addresses import InvalidAddress, address_key, normalise_address


class Partner(models.Model):
    """A technical and financial partner (PTF): a country or a multilateral organisation."""

    class Type(models.TextChoices):
        BILATERAL = "bilateral", _("bilateral")
        MULTILATERAL = "multilateral", _("multilateral")
        UN_SYSTEM = "un_system", _("UN system")

    class Article(models.TextChoices):
        """The French article the name takes in a sentence ("du Canada", "de l'Allemagne", "d'ONU Femmes")."""

        NONE = "", _("none (organisation, acronym)")
        LE = "le", "le"
        LA = "la", "la"
        LES = "les", "les"
        L_ELIDED = "l'", "l'"

    name = models.CharField(_("name"), max_length=200, unique=True)
    article = models.CharField(
        _("French article"), max_length=3, choices=Article.choices, blank=True, default=Article.NONE,
        help_text=_("How French sentences name the partner: le (du Canada), la (de la France), les (des Pays-Bas), "
                    "l' (de l'Allemagne), none for organisations and acronyms (d'ONU Femmes)."),
    )
    partner_type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    un_coordinating = models.BooleanField(
        _("UN coordinating agency"), default=False,
        help_text=_("The agency that coordinates the UN system (M5, T2). At most one partner."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["un_coordinating"], condition=Q(un_coordinating=True), name="at_most_one_un_coordinating_partner",
                violation_error_message=_("Another partner is already the UN coordinating agency: untick it there first."),
            ),
            models.CheckConstraint(
                condition=Q(un_coordinating=False) | Q(partner_type="un_system"),
                name="un_coordinating_partner_is_un_system",
                violation_error_message=_("Only a partner of the UN system can be the UN coordinating agency."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def of_name(self) -> str:
        """ "du Canada", "de l'Allemagne", "d'ONU Femmes" in French; "of Canada" in English."""
        return french.of_name(self.name, article=self.article)

    @property
    def with_article(self) -> str:
        return french.with_article(self.name, article=self.article)


class Institution(models.Model):
    """An entity of a partner: an embassy, a cooperation agency, a UN agency's office."""

    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="institutions")
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["partner__name", "name"]
        constraints = [models.UniqueConstraint(fields=["partner", "name"], name="institution_name_unique_per_partner")]

    def __str__(self):
        return f"{self.acronym or self.name} ({self.partner.name})"


class Person(models.Model):
    """A person who may hold mandates: ambassador, head of cooperation, expert…"""

    class Function(models.TextChoices):
        AMBASSADOR = "ambassador", _("ambassador")
        HEAD_OF_COOPERATION = "head_of_cooperation", _("head of cooperation")
        RESIDENT_REPRESENTATIVE = "resident_representative", _("resident representative")
        EXPERT = "expert", _("expert")
        OTHER = "other", _("other")

    class Language(models.TextChoices):
        FR = "fr", _("French")
        EN = "en", _("English")

    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    email = models.EmailField(_("e-mail"), unique=True)
    # core.addresses.address_key(email): one address per person whatever its case or Unicode form. Kept by
    # clean() and save() (and the importer's bulk writes); empty only for a later duplicate found by the
    # migration that introduced it, until someone corrects that person's address.
    email_key = models.CharField(_("address key"), max_length=320, null=True, blank=True, editable=False)
    function = models.CharField(_("function"), max_length=30, choices=Function.choices)
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="people"
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.FR)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("login account"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="person",
    )
    # Set when a message to this address bounced permanently (5.x.x): "adresse en échec" in the directory.
    email_failed_at = models.DateTimeField(_("address failed on"), null=True, blank=True)
    email_failure = models.TextField(_("delivery failure"), blank=True)

    history = HistoricalRecords(excluded_fields=["email_key"])

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["email_key"], name="person_address_unique_whatever_its_case",
                violation_error_message=_("This address is already another person's."),
            ),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        # The key follows the address on every path (forms, services, factories); the importer sets it itself.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "email" in update_fields:
            self.email_key = self.key_of(self.email)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "email_key"}
        super().save(*args, **kwargs)

    @staticmethod
    def key_of(email: str) -> str | None:
        """The stored key of an address (None when it is not an address: the field's own check says so)."""
        try:
            return address_key(email or "")
        except InvalidAddress:
            return None

    def clean(self):
        super().clean()
        try:
            self.email = normalise_address(self.email or "")
        except InvalidAddress:
            return  # the e-mail field's validator names the problem
        self.email_key = self.key_of(self.email)
        holder = (Person.objects.filter(email_key=self.email_key).exclude(pk=self.pk)
                  .select_related("institution__partner").first())
        if holder is not None:
            raise ValidationError({"email": self.address_taken_message(holder)}, code="address_taken")

    @staticmethod
    def address_taken_message(holder: "Person") -> str:
        """ "Cette adresse est déjà celle d'Aïssata Keïta (Belgique)": who holds it, and their partner."""
        return gettext("This address is already that %(of_name)s (%(partner)s).") % {
            "of_name": french.of_name(holder.full_name), "partner": holder.institution.partner.name}

    @staticmethod
    def name_of(first_name: str, last_name: str) -> str:
        """A person's name as the portal writes it, also for rows read without the model."""
        return f"{first_name} {last_name}"

    @property
    def full_name(self) -> str:
        return self.name_of(self.first_name, self.last_name)

    @property
    def partner(self) -> Partner:
        return self.institution.partner


class MandateQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date):
        return self.filter(Q(end__isnull=True) | Q(end__gte=day), start__lte=day)

    def overlapping(self, start: datetime.date, end: datetime.date | None):
        """Mandates whose [start, end] range meets the given one (open ends are infinite)."""
        qs = self.filter(Q(end__isnull=True) | Q(end__gte=start))
        return qs if end is None else qs.filter(start__lte=end)


class Mandate(models.Model):
    """A person's seat in an instance for a period: titular, deputy, expert or binôme (M1–M9)."""

    class Role(models.TextChoices):
        TITULAR = "titular", _("titular")
        DEPUTY = "deputy", _("deputy")
        EXPERT = "expert", _("expert")
        BINOME = "binome", _("binôme")

    class Authority(models.TextChoices):
        FULL = "full", _("full mandate")
        LIMITED = "limited", _("limited mandate")

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="mandates")
    instance = models.ForeignKey(
        "instances.Instance", verbose_name=_("instance"), on_delete=models.PROTECT, related_name="mandates"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    pairs_with = models.ForeignKey(
        "self", verbose_name=_("pairs with (expert)"), null=True, blank=True,
        # A paired expert's mandate is ended, never deleted from under its binôme (M8).
        on_delete=models.PROTECT, related_name="binomes",
        help_text=_("For a binôme: the expert's mandate it pairs with (M8)."),
    )
    start = models.DateField(_("start"))
    end = models.DateField(
        _("end"), null=True, blank=True,
        help_text=_("The last day of the mandate, inclusive: a successor starts the next day."),
    )
    authority = models.CharField(_("authority"), max_length=10, choices=Authority.choices, default=Authority.FULL)
    limits = models.TextField(_("limits of the mandate"), blank=True)

    objects = MandateQuerySet.as_manager()
    # simple-history gives each historical row an `instance` attribute, which hides our FK of that name.
    history = HistoricalRecords(excluded_fields=["instance"])

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["instance__code", "person__last_name", "start"]
        indexes = [models.Index(fields=["instance", "start", "end"], name="mandate_instance_dates")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="mandate_end_after_start",
                violation_error_message=_("The end of a mandate cannot precede its start."),
            ),
            # M9: a limited mandate states its limits.
            models.CheckConstraint(
                condition=Q(authority="full") | ~Q(limits=""), name="mandate_limited_has_limits",
                violation_error_message=_("A limited mandate must state its limits (M9)."),
            ),
        ]

    def __str__(self):
        # History rows rebuild a Mandate without its instance (excluded from history above).
        if not self.instance_id:
            return f"{self.person} ({self.get_role_display()})"
        return f"{self.person} — {self.instance} ({self.get_role_display()})"

    def clean(self):
        # Said on the fields, with the dates, before the constraints above would say it in general terms.
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("The end (%(end)s) precedes the start (%(start)s).") % {
                "end": french.numeric_date(self.end), "start": french.numeric_date(self.start)}
        if self.authority == self.Authority.LIMITED and not (self.limits or "").strip():
            errors["limits"] = _("A limited mandate must state its limits (M9).")
        if errors:
            raise ValidationError(errors)

    @property
    def partner(self) -> Partner:
        return self.person.institution.partner

    def is_active_on(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


# Portal accounts live in their own module of this app (membership.accounts); imported here so Django sees them.
from membership.accounts.models import (  # noqa: E402, F401
    AccountEvent,
    AccountInvitation,
    LoginSlowdown,
    PasswordResetRequest,
)
