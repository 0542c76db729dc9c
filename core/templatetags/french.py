"""French text in templates: {{ partner|of_partner }}, {{ meeting.start|long_datetime }}, {{ day|month_abbr }}.

A builtin library (settings TEMPLATES builtins): no {% load %} needed. Partners are duck-typed (a `name` and an
optional `article`), people by their full name, so this library knows no model.
"""

from django import template
from django.utils.translation import gettext

from core import french

register = template.Library()


def _name_and_article(value):
    name = getattr(value, "full_name", None) or getattr(value, "name", None) or str(value)
    return name, getattr(value, "article", "") or ""


@register.filter
def of_partner(value):
    """ "du Canada", "de la France", "des Pays-Bas", "de l'Allemagne", "d'ONU Femmes" (a partner or a person)."""
    name, article = _name_and_article(value)
    return french.of_name(name, article=article)


@register.filter
def to_partner(value):
    """ "au Canada", "à la France", "aux Pays-Bas", "à l'Allemagne"."""
    name, article = _name_and_article(value)
    return french.to_name(name, article=article)


@register.filter
def with_article(value):
    """ "le Canada", "l'Allemagne", "ONU Femmes"."""
    name, article = _name_and_article(value)
    return french.with_article(name, article=article)


@register.filter
def of_name(value, article=""):
    """ "de" + any name: {{ name|of_name }} or {{ name|of_name:"la" }}."""
    return french.of_name(str(value), article=article or "")


@register.filter
def long_date(value):
    return french.long_date(value) if value else ""


@register.filter
def long_datetime(value):
    """ "19 décembre 2026 à 9 h 00" in the current time zone."""
    return french.long_datetime(value) if value else ""


@register.filter
def short_date(value):
    return french.short_date(value) if value else ""


@register.filter
def time_of_day(value):
    return french.time_of_day(value) if value else ""


@register.filter
def zone_name(value):
    """ "heure de Bamako" for "Africa/Bamako" (never the identifier)."""
    return french.zone_name(value) if value else ""


@register.filter
def month_abbr(value):
    """A month number or a date: "janv.", "juil.", "déc."."""
    month = getattr(value, "month", value)
    return french.month_abbr(int(month)) if month else ""


@register.filter
def typography(value):
    return french.typography(str(value))


@register.filter
def quoted(value):
    return french.quoted(str(value))


@register.simple_tag
def colon():
    """The colon after a label: " :" with a narrow no-break space in French, ":" in English."""
    return french.label("")


@register.simple_tag
def field_title(record, name):
    """The verbose name of a field of the record's model (history rows: their `instance_type`)."""
    model = getattr(record, "instance_type", None) or type(record)
    try:
        return model._meta.get_field(name).verbose_name
    except Exception:  # noqa: BLE001  (a field gone from the model: its name is all there is)
        return name


@register.simple_tag
def field_value(record, name, value):
    """A stored value as a person reads it: a choice label, the related object's name, a date, "oui"/"non", "—" for
    empty (never "None" or "True")."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    model = getattr(record, "instance_type", None) or type(record)
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation and field.related_model is not None:
        related = field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else f"{field.related_model._meta.verbose_name} {value}"
    if hasattr(value, "year"):
        return french.long_datetime(value) if hasattr(value, "hour") else french.long_date(value)
    return value


@register.filter
def day_month(value):
    """ "19 déc." (the calendar's unambiguous abbreviation), "19 Dec." in English."""
    if not value:
        return ""
    value = french._local(value)
    return f"{value.day} {french.month_abbr(value.month)}"
