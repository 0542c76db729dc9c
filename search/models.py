"""The search index: one row per searchable record, carrying what the access policy needs to filter it."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """One searchable record of the archive (a meeting, an agenda item, a document, a person…), kept current by
    the receivers of `search.indexing` and rebuilt by `manage.py reindex_search`.

    Who may find it is decided from its own columns and one subquery on the meetings the reader may open
    (`membership.access.search_entry_scope`): no join per row.
    """

    class Kind(models.TextChoices):
        MEETING = "meeting", _("meeting")
        ITEM = "item", _("agenda item")
        MINUTES = "minutes", _("minutes")
        DECISION = "decision", _("decision")
        ACTION = "action", _("action")
        REFERRAL = "referral", _("referral")
        DOCUMENT = "document", _("document")
        PARTNER = "partner", _("partner")
        GROUP = "group", _("body or group")
        PERSON = "person", _("person")

    class Audience(models.TextChoices):
        # Who may find the row (the policy itself is membership.access.search_entry_scope):
        MEETING = "meeting", "readers of the meeting"
        DIRECTORY = "directory", "every logged-in user"
        REFERRAL_GEC = "referral_gec", "GEC and GA members, the SEG"
        REFERRAL_GA = "referral_ga", "GA members, the SEG"
        SEG = "seg", "the SEG"

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField()
    instance = models.ForeignKey("instances.Instance", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    meeting = models.ForeignKey("meetings.Meeting", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    date = models.DateField(null=True, blank=True)
    audience = models.CharField(max_length=12, choices=Audience.choices, default=Audience.MEETING)
    # A4 (`needs_clearance`): GA or group material, or marked confidential: only readers cleared for the meeting.
    clearance = models.BooleanField(default=False)
    # An item proposed or rejected: only those who manage the meeting see it on the meeting page.
    managers_only = models.BooleanField(default=False)
    # The record's own state as its page shows it (an action's open/done, a meeting's status…).
    state = models.CharField(max_length=20, blank=True)
    due_date = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=2, default="fr")
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    # Words that place the record (its meeting's heading and year, a presenting group, an action's decision):
    # found by a query, never shown.
    context = models.TextField(blank=True)
    # Text only some readers may find and read (a person's e-mail for the SEG, the GA's side of a referral).
    extra = models.TextField(blank=True)
    extra_audience = models.CharField(max_length=12, choices=Audience.choices, blank=True)
    # Accent-folded lower-case text, for the containment search of SQLite.
    plain = models.TextField(blank=True)
    extra_plain = models.TextField(blank=True)
    # PostgreSQL: weighted tsvectors (title A, body B, context D), GIN-indexed by a migration.
    vector = SearchVectorField(null=True)
    extra_vector = SearchVectorField(null=True)
    link = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique_object")]
        indexes = [models.Index(fields=["meeting"], name="search_entry_meeting"),
                   models.Index(fields=["date"], name="search_entry_date")]

    def __str__(self):
        return f"{self.kind} {self.object_id}"
