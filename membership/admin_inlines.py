"""Admin inlines shared by the directory's pages (a person's and an instance's mandates)."""

from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.utils.translation import gettext_lazy as _

from membership.admin_mandates import lifecycle_links
from membership.forms import InlineMandateForm, MandateInlineFormSet
from membership.models import Mandate


class MandateInline(admin.TabularInline):
    """Shared by the person and the instance pages; the formset checks the rows together."""

    model = Mandate
    form = InlineMandateForm
    formset = MandateInlineFormSet
    extra = 0
    fields = ["person", "instance", "role", "pairs_with", "start", "end", "authority", "limits"]
    autocomplete_fields = ["person", "pairs_with"]
    readonly_fields = ["lifecycle"]
    show_change_link = True

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """No add/change/view icons beside each row's pickers: dozens of rows, each with four links to build,
        made the GEC's page slow; the row's own link and the people's pages do the same."""
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(field.widget, RelatedFieldWidgetWrapper):
            wrapper = field.widget
            wrapper.can_add_related = wrapper.can_change_related = False
            wrapper.can_delete_related = wrapper.can_view_related = False
        return field

    @admin.display(description=_("end / replace"))
    def lifecycle(self, obj):
        return lifecycle_links(obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "person__institution__partner", "instance", "pairs_with__person", "pairs_with__instance")
