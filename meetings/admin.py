"""Admin for meetings: history everywhere; status and chair change only through the services; every form runs the
portal's rule checks (`meetings.admin_forms`)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from meetings.admin_forms import (
    ActionItemAdminForm,
    AgendaItemAdminForm,
    AttendanceAdminForm,
    DecisionAdminForm,
    ReferralAdminForm,
    check_action_form,
    check_agenda_item_form,
    check_attendance_form,
    check_decision_form,
    inline_formset,
)
from meetings.models import ActionItem, AgendaItem, Attendance, Decision, Document, Meeting, Minutes, Referral


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fk_name = "meeting"
    formset = inline_formset(check_agenda_item_form)  # A1, A2, A4, A6 as in the portal
    extra = 0
    fields = ["order", "title", "category", "expected_outcome", "duration_minutes", "status", "confidential"]
    readonly_fields = ["status"]
    show_change_link = True


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 0
    fields = ["title", "kind", "agenda_item", "filename", "content_type", "size", "confidential"]
    readonly_fields = ["filename", "content_type", "size"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # uploads go through document_attach, which checks the content


class AttendanceInline(admin.TabularInline):
    model = Attendance
    formset = inline_formset(check_attendance_form)  # M3, M6, M8 as in the portal
    extra = 0
    raw_id_fields = ["person", "represented_by"]


class DecisionInline(admin.TabularInline):
    model = Decision
    formset = inline_formset(check_decision_form)
    extra = 0


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    formset = inline_formset(check_action_form)
    extra = 0
    fields = ["title", "owner_partner", "owner_person", "due_date", "state"]
    raw_id_fields = ["owner_partner", "owner_person"]


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "instance", "kind", "start", "status"]
    list_filter = ["instance", "status", "kind", ("start", admin.DateFieldListFilter)]
    list_select_related = ["instance"]
    search_fields = ["title", "place"]
    date_hierarchy = "start"
    readonly_fields = [
        "status", "ical_uid", "ical_sequence", "chair_person", "chair_partner", "chair_role", "chair_reason",
        "chair_rule", "created_by", "created_at",
    ]
    inlines = [AgendaItemInline, DocumentInline, AttendanceInline, DecisionInline, ActionItemInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(SimpleHistoryAdmin):
    form = AgendaItemAdminForm
    list_display = ["title", "meeting", "order", "category", "status", "confidential"]
    list_filter = ["meeting__instance", "status", "category", "confidential"]
    list_select_related = ["meeting__instance"]
    search_fields = ["title"]
    raw_id_fields = ["presenter_person", "topic_experts", "proposed_by"]


@admin.register(Document)
class DocumentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "meeting", "kind", "filename", "content_type", "size", "confidential"]
    list_filter = ["meeting__instance", "kind", "confidential"]
    list_select_related = ["meeting__instance"]
    readonly_fields = ["file", "filename", "content_type", "size", "uploaded_by", "uploaded_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Referral)
class ReferralAdmin(SimpleHistoryAdmin):
    form = ReferralAdminForm
    list_display = ["question", "origin", "state", "ga_meeting", "returned_to_meeting"]
    list_filter = ["origin", "state"]
    list_select_related = ["ga_meeting__instance", "returned_to_meeting__instance"]
    readonly_fields = ["state", "concluded_at"]


@admin.register(Attendance)
class AttendanceAdmin(SimpleHistoryAdmin):
    form = AttendanceAdminForm
    list_display = ["person", "meeting", "status", "represented_by"]
    list_filter = ["meeting__instance", "status"]
    list_select_related = ["person", "meeting__instance", "represented_by"]


@admin.register(Minutes)
class MinutesAdmin(SimpleHistoryAdmin):
    list_display = ["meeting", "confidential", "approved_on"]
    list_filter = ["meeting__instance", "confidential"]
    list_select_related = ["meeting__instance"]


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    form = DecisionAdminForm
    list_display = ["__str__", "meeting"]
    list_filter = ["meeting__instance"]
    list_select_related = ["meeting__instance"]


@admin.register(ActionItem)
class ActionItemAdmin(SimpleHistoryAdmin):
    form = ActionItemAdminForm
    list_display = ["title", "owner_partner", "owner_person", "due_date", "state", "meeting"]
    list_filter = ["meeting__instance", "state", "owner_partner", ("due_date", admin.DateFieldListFilter)]
    list_select_related = ["owner_partner", "owner_person", "meeting__instance"]
    readonly_fields = ["done_at"]
