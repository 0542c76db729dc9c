"""The admin's change history in words: {% history_changes page_obj as rows %}.

django-simple-history hands its history page each change already turned into text with `str()`: an empty value
reads "None", an empty link "Deleted partenaire (pk=None)", a yes/no "True", a choice its code. This tag compares
the same records itself, on their stored values, and writes each one as a person reads it (`field_value`: "—",
the choice's label, the linked record's name, the date written out). No model is known here.
"""

from django import template

from core.templatetags.french import field_title, field_value

register = template.Library()


@register.simple_tag
def history_changes(page_obj):
    """(record, [{"field", "old", "new"}, …]) for each record of the page, newest first, each compared with the
    record before it (the page's next row, or the record before the page's last row); a creation has no changes."""
    records = list(page_obj.object_list if hasattr(page_obj, "object_list") else page_obj)
    rows = []
    for index, record in enumerate(records):
        older = records[index + 1] if index + 1 < len(records) else None
        if older is None and getattr(record, "history_type", "+") != "+":
            older = record.prev_record
        changes = []
        if older is not None:
            for change in record.diff_against(older).changes:
                changes.append({"field": field_title(record, change.field),
                                "old": field_value(record, change.field, change.old),
                                "new": field_value(record, change.field, change.new)})
        rows.append((record, changes))
    return rows
