"""Admin of the directory: history on every model, rule violations shown as form errors."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from membership import admin_directory  # noqa: F401  (registers the Instance and Troïka pages)
from membership.accounts import admin as accounts_admin  # noqa: F401  (the user page, through account services)
from membership.accounts.services import login_linked
from membership.admin_inlines import MandateInline
from membership.admin_mandates import (
    PICKERS_JS,
    ActiveMandateFilter,
    MandateLifecycleAdminMixin,
    MandateWarningsMixin,
    PersonHistoryMixin,
    directory_autocomplete_view,
    export_people_csv,
)
from membership.forms import (
    InstitutionAdminForm,
    MandateAdminForm,
    PartnerAdminForm,
    PersonAdminForm,
)
from membership.models import Institution, Mandate, Partner, Person
from membership.services import person_account_changed, person_clear_email_failure

# Every autocomplete of the admin names a person with their institution and partner (admin_mandates).
admin.site.autocomplete_view = directory_autocomplete_view


class MandateStatusFilter(admin.SimpleListFilter):
    """Active, ended or not yet started on today's date."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", _("active")), ("ended", _("ended")), ("future", _("not yet started"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "active":
            return queryset.active_on(today)
        if self.value() == "ended":
            return queryset.filter(end__lt=today)
        if self.value() == "future":
            return queryset.filter(start__gt=today)
        return queryset


class PersonMandateInline(MandateInline):
    """A person's mandates, one block each with its labels (a person holds a few): usable on a phone, where a row
    of eight inputs would scroll sideways."""

    fk_name = "person"
    template = "admin/edit_inline/stacked.html"
    fields = ["instance", "role", "pairs_with", "start", "end", "authority", "limits", "lifecycle"]


class InstitutionInline(admin.TabularInline):
    model = Institution
    extra = 0
    fields = ["name", "acronym"]
    show_change_link = True


@admin.register(Partner)
class PartnerAdmin(SimpleHistoryAdmin):
    form = PartnerAdminForm
    list_display = ["name", "article", "partner_type", "un_coordinating"]
    list_filter = ["partner_type", "un_coordinating"]
    search_fields = ["name", "institutions__name", "institutions__acronym"]
    inlines = [InstitutionInline]


@admin.register(Institution)
class InstitutionAdmin(SimpleHistoryAdmin):
    form = InstitutionAdminForm
    list_display = ["name", "acronym", "partner"]
    list_filter = [("partner", admin.RelatedOnlyFieldListFilter), "partner__partner_type"]
    list_select_related = ["partner"]
    search_fields = ["name", "acronym", "partner__name"]
    autocomplete_fields = ["partner"]


@admin.register(Person)
class PersonAdmin(PersonHistoryMixin, MandateWarningsMixin, SimpleHistoryAdmin):
    form = PersonAdminForm
    list_display = ["last_name", "first_name", "email", "function", "institution", "partner_name", "language",
                    "email_failed_at"]
    list_filter = [
        "email_failed_at",
        ("institution__partner", admin.RelatedOnlyFieldListFilter), "institution__partner__partner_type",
        "function", ActiveMandateFilter, "mandates__role", "language",
    ]
    actions = [export_people_csv]
    list_max_show_all = 2000  # "Tout afficher" for the whole directory
    list_select_related = ["institution__partner"]
    search_fields = ["last_name", "first_name", "email", "institution__name", "institution__acronym",
                     "institution__partner__name"]
    autocomplete_fields = ["institution", "user"]  # the login account found by name or address, not a raw id
    inlines = [PersonMandateInline]

    class Media:
        js = PICKERS_JS

    def save_model(self, request, obj, form, change):
        previous = form.initial.get("user") if change else None
        super().save_model(request, obj, form, change)
        if "user" in form.changed_data:  # a group leader's account gains or loses the group
            person_account_changed(person=obj, previous_user_id=previous)
            # Who a login belongs to changed: a security event, told to the accounts' addresses.
            previous_user = get_user_model().objects.filter(pk=previous).first() if previous else None
            login_linked(person=obj, previous_user=previous_user, user=obj.user, by=request.user)
        if "email" in form.changed_data and obj.email_failed_at is not None:  # a corrected address
            person_clear_email_failure(person=obj)

    @admin.display(description=_("partner"), ordering="institution__partner__name")
    def partner_name(self, obj):
        return obj.institution.partner.name


@admin.register(Mandate)
class MandateAdmin(MandateLifecycleAdminMixin, SimpleHistoryAdmin):
    form = MandateAdminForm
    list_display = ["person", "partner_name", "instance", "role", "start", "end", "authority"]
    list_filter = [
        MandateStatusFilter, ("person__institution__partner", admin.RelatedOnlyFieldListFilter),
        "person__institution__partner__partner_type", "instance", "role", "authority",
    ]
    list_select_related = ["person__institution__partner", "instance"]
    search_fields = ["person__last_name", "person__first_name", "person__email", "instance__code",
                     "person__institution__partner__name"]
    autocomplete_fields = ["person", "pairs_with"]
    date_hierarchy = "start"

    class Media:
        js = PICKERS_JS

    def get_queryset(self, request):
        # Also serves the pairs_with autocomplete, whose labels name the person and the instance.
        return super().get_queryset(request).select_related("person__institution__partner", "instance")

    @admin.display(description=_("partner"), ordering="person__institution__partner__name")
    def partner_name(self, obj):
        return obj.person.institution.partner.name
