"""The fields of a form that need correcting, for the summary at its top
(``partials/form_errors.html``): with five errors on a long form, the first
may be below the fold, and a summary with links is how a person (and a
screen reader, told once by ``role="alert"``) finds them all."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.forms import Form

register = template.Library()


@dataclass(frozen=True)
class InvalidField:
    label: str
    anchor: str  # the id of the control to go to


@register.filter
def invalid_fields(form: Form) -> list[InvalidField]:
    """The visible fields with errors, in the form's order (a hidden
    field's errors are shown whole by the partial). A group of radio
    buttons or checkboxes has no single control: its first one."""
    if not getattr(form, "is_bound", False):
        return []
    return [
        InvalidField(
            label=str(field.label or field.name),
            anchor=field.id_for_label or f"{field.auto_id}_0",
        )
        for field in form.visible_fields()
        if field.errors
    ]
