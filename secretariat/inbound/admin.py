from django.contrib import admin

from secretariat.inbound.models import InboundMessage


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    """Read only: a processed message is a record of what the portal did, changed only by "mark as handled"."""

    list_display = ("received_at", "sender", "subject", "kind", "outcome", "needs_attention", "handled_at")
    list_filter = ("outcome", "kind", "needs_attention", "source")
    search_fields = ("sender", "subject", "message_id")
    readonly_fields = [field.name for field in InboundMessage._meta.fields] + ["detail"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
