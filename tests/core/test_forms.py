"""core.forms.PlainErrorsMixin: Django's default error messages become plain,
kind words; a message a form chose itself is kept."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from core.forms import PlainErrorsMixin


class _Form(PlainErrorsMixin, forms.Form):
    plain_errors = {"hours": "Please enter a number of hours from %(min)s to %(max)s."}

    hours = forms.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("24")
    )
    count = forms.IntegerField(min_value=1, max_value=50, required=False)
    name = forms.CharField(max_length=3, required=False)
    day = forms.DateField(required=False)
    agree = forms.BooleanField(required=False, error_messages={"required": "My own words."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A field added after the form was built gets plain words too.
        self.fields["late"] = forms.ChoiceField(choices=[("a", "A")], required=False)


def _errors(data) -> dict[str, list[str]]:
    form = _Form(data)
    assert not form.is_valid()
    return {name: list(errors) for name, errors in form.errors.items()}


def test_plain_words_for_each_kind_of_mistake():
    errors = _errors({"hours": "25", "count": "0", "name": "abcd", "day": "soon", "late": "z"})
    assert errors == {
        "hours": ["Please enter a number of hours from 0.01 to 24."],
        "count": ["Please enter a number from 1 to 50."],
        "name": ["Please keep this to 3 characters or fewer."],
        "day": ["Please enter a date like 5 December 2026."],
        "late": ["Please choose one of the options shown."],
    }
    assert _errors({})["hours"] == ["Please fill this in."]


def test_hostile_numbers_get_the_same_plain_answer():
    for value in ("NaN", "-Infinity", "1e999", "1.001", "0x10", "%(min)s", "{hours}"):
        assert _errors({"hours": value})["hours"] == [
            "Please enter a number of hours from 0.01 to 24."
        ], value


def test_a_message_the_form_chose_is_kept():
    form = _Form({"hours": "1"})
    form.fields["agree"].required = True
    assert not form.is_valid()
    assert form.errors["agree"] == ["My own words."]
