"""Admin inlines shared by the directory's pages (a person's and an instance's mandates)."""

from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.french import numeric_date
from membership.admin_mandates import lifecycle_links
from membership.forms import InlineMandateForm, MandateInlineFormSet, mandate_label, person_label
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

    @admin.display(description=gettext_lazy("end / replace"))
    def lifecycle(self, obj):
        return lifecycle_links(obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "person__institution__partner", "instance", "pairs_with__person__institution__partner",
            "pairs_with__instance")


def _text(mandate: Mandate, name: str):
    if name == "lifecycle":
        return lifecycle_links(mandate)
    if name == "person":
        return person_label(mandate.person)
    if name == "pairs_with":
        return mandate_label(mandate.pairs_with) if mandate.pairs_with_id else "—"
    if name in ("start", "end"):
        value = getattr(mandate, name)
        return numeric_date(value) if value else "—"
    if name in ("role", "authority"):
        return getattr(mandate, f"get_{name}_display")()
    value = getattr(mandate, name, "")
    return value if value not in (None, "") else "—"


def saved_mandate_row(form, fields: list[str], fk_name: str, can_delete: bool) -> str:
    """A saved mandate's row as text: its hidden id and parent, one cell per column, the deletion box. Built in
    Python, not with a widget template per field: the GEC's page has some eighty rows."""
    mandate, prefix = form.instance, form.prefix
    original = format_html(
        '<td class="original"><a href="{}" class="inlinechangelink">{}</a>'
        '<input type="hidden" name="{}-id" value="{}" id="id_{}-id">'
        '<input type="hidden" name="{}-{}" value="{}" id="id_{}-{}"></td>',
        reverse("admin:membership_mandate_change", args=[mandate.pk]), _("Change"),
        prefix, mandate.pk, prefix, prefix, fk_name, getattr(mandate, f"{fk_name}_id"), prefix, fk_name)
    cells = format_html_join("", '<td class="field-{}"><p>{}</p></td>',
                             ((name, _text(mandate, name)) for name in fields))
    delete = ""
    if can_delete and "DELETE" in form.fields:
        delete = format_html(
            '<input type="checkbox" name="{}-DELETE" id="id_{}-DELETE"{} aria-label="{}">', prefix, prefix,
            " checked" if form["DELETE"].value() else "", _("Delete %(mandate)s") % {"mandate": str(mandate)})
    return format_html('{}{}<td class="delete">{}</td>', original, cells, delete)


class SavedRowsAsTextInline(MandateInline):
    """The saved mandates as text rows (each edited on its own page, ended or replaced by its links, deleted by
    its box when entered by mistake today); only new rows are forms. An instance's page lists every member: the
    rows rendered as forms, five pickers and inputs each, were most of the GEC page's second."""

    template = "admin/membership/mandate/saved_rows_inline.html"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        fields = list(kwargs.get("fields") or self.get_fields(request, obj))
        fields = [name for name in fields if name != self.fk_name]
        can_delete = self.can_delete and self.has_delete_permission(request, obj)
        fk_name = self.fk_name

        def text_row(form):
            return saved_mandate_row(form, fields, fk_name, can_delete)

        return type(formset.__name__, (formset,), {"text_row": staticmethod(text_row)})
