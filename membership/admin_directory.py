"""Admin of instances and the Troïka: history, object permissions, leadership through the service (T7).

Registered by `membership.admin`: an instance's page lists its mandates inline, and the Troïka form checks
the representation rules (T1, T2), both of which belong to this app.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin

from core.form_checks import harden_form_classes
from instances.models import GovernmentInterlocutor, Instance, Troika
from instances.services import instance_set_leadership, leadership_errors
from membership import services as membership_services
from membership.admin_inlines import SavedRowsAsTextInline
from membership.admin_mandates import PICKERS_JS, MandateWarningsMixin
from membership.compliance import troika_advisories
from membership.forms import RuleFirstForm, label_people_in_full

admin.site.site_header = _("PTF coordination portal — administration")
admin.site.site_title = _("PTF portal administration")
admin.site.index_title = _("Directory, instances and meetings")

LEADERSHIP_FIELDS = ["leader_partner", "leader_person", "co_lead_partner", "co_lead_person"]


class InstanceAdminForm(forms.ModelForm):
    class Meta:
        model = Instance
        fields = [
            "kind", "code", "name_fr", "name_en", "sector", "is_active", "periodicity", "secretariat",
            "meeting_weekday", "meeting_week_of_month", "meeting_time", "meeting_duration_minutes",
            *LEADERSHIP_FIELDS, "ministry", "dialogue_periodicity", "agenda_setting", "one_un_policy",
            "procedure_quorum_percent",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_people_in_full(self, "leader_person", "co_lead_person")

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            candidate = Instance(kind=cleaned.get("kind"), code=cleaned.get("code", ""),
                                 **{name: cleaned.get(name) for name in LEADERSHIP_FIELDS})
            for field, messages in leadership_errors(candidate).items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return cleaned


class TroikaAdminForm(RuleFirstForm):
    class Meta:
        model = Troika
        fields = ["year", "lead", "incoming", "outgoing"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            troika = Troika(year=cleaned.get("year"), lead=cleaned.get("lead"), incoming=cleaned.get("incoming"),
                            outgoing=cleaned.get("outgoing"))
            for violation in membership_services.troika_violations(troika):
                self.add_error(None, str(violation))
                self.refused_on_rule = True
        return cleaned


class GovernmentInterlocutorInline(admin.TabularInline):
    model = GovernmentInterlocutor
    extra = 0
    fields = ["name", "function", "email"]


class InstanceMandateInline(SavedRowsAsTextInline):
    """The instance's mandates in force or to come; ended ones are in the mandates list (filter "ended"), so the
    page stays one screen of today's members however many years the directory holds. Saved rows are text (each
    edited on its own page, ended or replaced by its links); new rows are forms."""

    fk_name = "instance"
    fields = ["person", "role", "pairs_with", "start", "end", "authority", "limits", "lifecycle"]
    verbose_name_plural = _("mandates in force or to come")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(Q(end__isnull=True) | Q(end__gte=timezone.localdate()))

    def get_fields(self, request, obj=None):
        """No binôme column on the GEC's and the GA's pages: binômes exist only in the groups (M8)."""
        fields = super().get_fields(request, obj)
        if obj is not None and not obj.is_group:
            fields = [name for name in fields if name != "pairs_with"]
        return fields


@admin.register(Instance)
class InstanceAdmin(MandateWarningsMixin, GuardedModelAdminMixin, SimpleHistoryAdmin):
    form = InstanceAdminForm
    list_display = ["code", "name_fr", "name_en", "kind", "sector", "leader_partner", "co_lead_partner", "is_active"]
    list_filter = ["kind", "is_active", "secretariat", "periodicity"]
    list_select_related = ["leader_partner", "co_lead_partner"]
    search_fields = ["code", "name_fr", "name_en", "sector", "leader_partner__name", "co_lead_partner__name"]
    autocomplete_fields = LEADERSHIP_FIELDS
    inlines = [GovernmentInterlocutorInline, InstanceMandateInline]
    fieldsets = [
        (None, {"fields": ["kind", "code", "name_fr", "name_en", "sector", "is_active"]}),
        (_("Meetings"), {"fields": ["periodicity", "secretariat", "meeting_weekday", "meeting_week_of_month",
                                    "meeting_time", "meeting_duration_minutes"]}),
        (_("Leadership of a GT/GD (T7)"), {"fields": LEADERSHIP_FIELDS}),
        (_("Dialogue with the government (A7)"), {"fields": ["ministry", "dialogue_periodicity", "agenda_setting"]}),
        (_("GEC only"), {"fields": ["one_un_policy"]}),
        (_("Written procedures"), {"fields": ["procedure_quorum_percent"]}),
    ]

    class Media:
        js = PICKERS_JS

    def save_model(self, request, obj, form, change):
        """One way in: the leadership service validates, saves and moves the `manage_meetings` permission."""
        obj._history_user = request.user
        instance_set_leadership(instance=obj, **{name: getattr(obj, name) for name in LEADERSHIP_FIELDS})


@admin.register(Troika)
class TroikaAdmin(SimpleHistoryAdmin):
    form = TroikaAdminForm
    list_display = ["year", "lead", "incoming", "outgoing"]
    list_select_related = ["lead", "incoming", "outgoing"]
    list_filter = [("lead", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["year", "lead__name", "incoming__name", "outgoing__name"]
    autocomplete_fields = ["lead", "incoming", "outgoing"]

    def get_changeform_initial_data(self, request):
        """The add form proposes the slide (T1): the year after the last one recorded, last year's incoming
        lead as lead, last year's lead as outgoing; the new deputy lead is the partners' choice."""
        initial = super().get_changeform_initial_data(request)
        last = Troika.objects.order_by("-year").first()
        if last is not None and "year" not in initial:
            initial.update(year=last.year + 1, lead=last.incoming_id, outgoing=last.lead_id)
        return initial

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        previous = Troika.objects.filter(year=obj.year - 1).select_related("lead", "incoming", "outgoing").first()
        following = Troika.objects.filter(year=obj.year + 1).select_related("lead", "incoming", "outgoing").first()
        advisories = troika_advisories(obj, previous)
        if following is not None:
            advisories += troika_advisories(following, obj)
        for advisory in advisories:
            self.message_user(request, f"{advisory} (T1)", messages.WARNING)


# Names and codes go into e-mail headers and calendars: no control characters.
harden_form_classes(globals())
