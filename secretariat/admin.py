from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from secretariat.models import CalendarFeedToken, DistributionEntry, DistributionList, Invitation
from secretariat.services import invitation_retry


class DistributionEntryInline(admin.TabularInline):
    model = DistributionEntry
    extra = 0
    can_delete = False
    fields = ("position", "name", "email", "partner", "role", "recipient", "rule")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DistributionList)
class DistributionListAdmin(SimpleHistoryAdmin):
    list_display = ("meeting", "on_date", "generated_at", "generated_by", "frozen_at")
    list_filter = ("meeting__instance", ("frozen_at", admin.EmptyFieldListFilter))
    readonly_fields = ("meeting", "on_date", "generated_at", "generated_by", "frozen_at")
    inlines = [DistributionEntryInline]


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "email", "meeting", "kind", "recipient", "state", "attempts", "rsvp", "answer_channel",
                    "messages_sent", "sent_at")
    list_filter = ("state", "kind", "rsvp", "answer_channel", "recipient", "meeting__instance")
    search_fields = ("name", "email", "meeting__title")
    readonly_fields = ("meeting", "person", "email", "kind", "sequence", "state", "attempts", "last_error",
                       "queued_at", "next_attempt_at", "claimed_at", "sent_at", "rsvp", "rsvp_at", "reminded_at",
                       "delegated_to", "delegated_from", "answer_channel", "answered_sequence", "answered_by",
                       "messages_sent", "bounce_diagnostic", "out_of_office_at", "created_at")
    actions = ["retry_failed"]

    @admin.action(description=_("Send the failed invitations again"))
    def retry_failed(self, request, queryset):
        count = 0
        for invitation in queryset.filter(state=Invitation.State.FAILED):
            try:
                invitation_retry(invitation=invitation)
                count += 1
            except ValidationError:
                continue
        self.message_user(request, ngettext("%(count)d invitation queued again.", "%(count)d invitations queued again.",
                                            count) % {"count": count}, messages.SUCCESS)


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    list_display = ("person", "created_at")
    readonly_fields = ("token", "created_at")
