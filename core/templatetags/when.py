"""``{{ moment|date_time:"D j M" }}``: a date in the given format, then the
time of day as the active language writes it (TIME_FORMAT: "14:30" in
English, "2:30 n.h." in Filipino; config/formats/). Templates never spell a
clock format ("H:i") themselves, so each language keeps its own clock.

A template builtin (config.settings TEMPLATES), like ``|date`` itself."""

from django import template
from django.template.defaultfilters import date, time

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date_time(value, arg: str = "DATE_FORMAT") -> str:
    if value in (None, ""):
        return ""
    return f"{date(value, arg)}, {time(value)}"
