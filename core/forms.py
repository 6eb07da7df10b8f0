"""Form helpers every app shares."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on ``form``: messages about a field
    the form has go next to that field, everything else at the top. A form
    whose fields are named otherwise than the service's arguments says so in
    ``service_field_names`` (service name -> form field), so that a wrong
    date sits next to the date field whatever each calls it."""
    renamed: dict[str, str] = getattr(form, "service_field_names", {})
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = renamed.get(name, name)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Money ---------------------------------------------------------------------------

# The largest amount the services take (compensation.services' parse_amount
# refuses a billion pesos and more).
MAX_MONEY = Decimal("999999999.99")
_EXPONENT = re.compile(r"[eE]")


class MoneyField(forms.DecimalField):
    """An amount in pesos, with at most two decimals, up to ``MAX_MONEY``
    (and down to ``-MAX_MONEY`` where ``min_value`` allows it). Written in
    digits only: Python reads "1e3" as 1,000, which nobody typing an amount
    means, so exponent notation is refused rather than guessed at."""

    default_error_messages = {
        "exponent": _("Please write the amount in digits only, like 1000 or 1000.50 (not 1e3)."),
    }

    def __init__(self, *, max_value=MAX_MONEY, min_value=None, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(max_value=max_value, min_value=min_value, **kwargs)

    def to_python(self, value):
        if isinstance(value, str) and _EXPONENT.search(value):
            raise ValidationError(self.error_messages["exponent"], code="exponent")
        return super().to_python(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "step": "0.01"})
        return attrs


# --- Error messages in plain words (the portal) -------------------------------------------

# The codes of a wrong value, as opposed to a missing one.
_NUMBER_CODES = (
    "invalid",
    "min_value",
    "max_value",
    "max_digits",
    "max_decimal_places",
    "max_whole_digits",
    "step_size",
)


def _default_messages(field: forms.Field) -> dict[str, Any]:
    """The messages Django gives ``field`` by itself (its class hierarchy's)."""
    messages: dict[str, Any] = {}
    for cls in reversed(type(field).__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


def _limit(value: Any) -> str:
    # Grouped, so that the largest amount reads 999,999,999.99.
    if value is None:
        return ""
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def plain_error_messages(field: forms.Field) -> dict[str, str]:
    """Kind, plain words for what can go wrong with ``field``, by error code:
    "Please fill this in." rather than "This field is required.", "Please
    enter a number from 0.01 to 24." rather than "Ensure this value is less
    than or equal to 24." Built in the active language when called."""
    if isinstance(field, forms.FileField):
        unreadable = gettext("That file could not be read. Please choose it again.")
        return {
            "required": gettext("Please choose a file."),
            "invalid": unreadable,
            "missing": unreadable,
            "empty": gettext("That file is empty. Please choose another."),
            "max_length": gettext("Please give the file a shorter name."),
            "contradiction": gettext("Please either choose a file or remove the one you had."),
            "invalid_image": unreadable,
        }
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        other = gettext("Please choose from the options shown.")
        return {
            "required": gettext("Please choose at least one."),
            "invalid_choice": other,
            "invalid_list": other,
            "invalid_pk_value": other,
        }
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return {
            "required": gettext("Please choose one."),
            "invalid_choice": gettext("Please choose one of the options shown."),
        }
    if isinstance(field, forms.BooleanField):
        return {"required": gettext("Please tick this box to go on.")}
    messages = {"required": gettext("Please fill this in.")}
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        low, high = getattr(field, "min_value", None), getattr(field, "max_value", None)
        if low is not None and high is not None:
            wrong = gettext("Please enter a number from %(min)s to %(max)s.")
        elif low is not None:
            wrong = gettext("Please enter a number of at least %(min)s.")
        elif high is not None:
            wrong = gettext("Please enter a number of at most %(max)s.")
        else:
            wrong = gettext("Please enter a number, like 12 or 1.5.")
        wrong = wrong % {"min": _limit(low), "max": _limit(high)}
        messages.update(dict.fromkeys(_NUMBER_CODES, wrong))
    elif isinstance(field, forms.DateTimeField):
        messages["invalid"] = gettext("Please enter a date and time like 5 December 2026, 14:30.")
    elif isinstance(field, forms.DateField):
        messages["invalid"] = gettext("Please enter a date like 5 December 2026.")
    elif isinstance(field, forms.TimeField):
        messages["invalid"] = gettext("Please enter a time like 14:30.")
    elif isinstance(field, forms.EmailField):
        messages["invalid"] = gettext("Please enter an e-mail address like name@example.com.")
    if getattr(field, "max_length", None):
        limit = int(field.max_length)  # type: ignore[attr-defined]
        messages["max_length"] = ngettext(
            "Please keep this to %(limit)s character or fewer.",
            "Please keep this to %(limit)s characters or fewer.",
            limit,
        ) % {"limit": formats.number_format(limit, use_l10n=True)}
    if getattr(field, "min_length", None):
        limit = int(field.min_length)  # type: ignore[attr-defined]
        messages["min_length"] = ngettext(
            "Please write at least %(limit)s character.",
            "Please write at least %(limit)s characters.",
            limit,
        ) % {"limit": formats.number_format(limit, use_l10n=True)}
    return messages


class PlainErrorsMixin:
    """Every field of the form answers a mistake in plain, kind words
    (``plain_error_messages``), for the consultants' portal.

    A message the form gave a field itself is kept; only Django's defaults are
    replaced. ``plain_errors`` names, per field, the one message for a wrong
    value (not a missing one) where a general one would be vague, e.g.
    ``{"hours": _("Please enter a number of hours from %(min)s to %(max)s.")}``
    (the field's own limits fill ``%(min)s`` and ``%(max)s``). The
    messages are set just before cleaning, so fields a form adds or replaces in
    its ``__init__`` get them too, in the language of the request."""

    plain_errors: Mapping[str, str | Promise] = {}
    fields: dict[str, forms.Field]
    _errors: Any

    def full_clean(self) -> None:
        for name, field in self.fields.items():
            defaults = _default_messages(field)
            plain = plain_error_messages(field)
            if name in self.plain_errors:
                low, high = getattr(field, "min_value", None), getattr(field, "max_value", None)
                wrong = str(self.plain_errors[name]) % {"min": _limit(low), "max": _limit(high)}
                plain.update({code: wrong for code in plain if code != "required"})
                plain.update(dict.fromkeys(_NUMBER_CODES, wrong))
            for code, message in plain.items():
                current = field.error_messages.get(code)
                if current is None or current is defaults.get(code):
                    field.error_messages[code] = message
        super().full_clean()  # type: ignore[misc]
        # Two validators may now say the same words ("1e999": too many digits
        # and too large); say them once.
        for errors in (self._errors or {}).values():
            seen: set[tuple[str, ...]] = set()
            unique = []
            for error in errors.as_data():
                words = tuple(error)
                if words not in seen:
                    seen.add(words)
                    unique.append(error)
            errors.data[:] = unique
