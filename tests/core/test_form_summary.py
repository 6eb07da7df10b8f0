"""A form with errors says, at its top, which fields to correct, each a
link to its control (``partials/form_errors.html``): with several errors
on a long form the first may be below the fold. Nothing when the form is
new or valid; a form-wide error still shows in full."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tests.helpers import client_for


class _Form(forms.Form):
    title = forms.CharField(label="Title", max_length=10)
    hours = forms.DecimalField(label="Hours", min_value=0)
    mode = forms.ChoiceField(
        label="Mode", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note", required=False)

    def clean(self):
        if self.cleaned_data.get("title") == "clash":
            raise ValidationError("These two cannot go together.")
        return self.cleaned_data


def _summary(html: str) -> list[tuple[str, str]]:
    block = re.search(r'<div class="form-errors form-summary" role="alert">(.*?)</div>', html, re.S)
    if block is None:
        return []
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', block.group(1))


def test_the_summary_links_each_field_to_correct_in_the_forms_order():
    form = _Form({"title": "x" * 11, "hours": "-1", "note": "fine"})
    assert not form.is_valid()
    html = render_to_string("partials/form_errors.html", {"form": form})
    # A group of radio buttons links to its first button.
    assert _summary(html) == [
        ("id_title", "Title"),
        ("id_hours", "Hours"),
        ("id_mode_0", "Mode"),
    ]
    assert "3 fields to correct:" in html
    rendered = str(form["mode"])
    assert 'id="id_mode_0"' in rendered


def test_one_field_is_named_in_the_singular_and_in_filipino():
    form = _Form({"title": "ok", "hours": "abc", "mode": "a"})
    assert not form.is_valid()
    with translation.override("fil"):
        html = render_to_string("partials/form_errors.html", {"form": form})
    assert "1 field na kailangang itama:" in html
    assert _summary(html) == [("id_hours", "Hours")]


@pytest.mark.parametrize(
    "data", [None, {"title": "ok", "hours": "2", "mode": "a"}], ids=["new", "valid"]
)
def test_no_summary_on_a_new_or_valid_form(data):
    form = _Form(data)
    if data is not None:
        assert form.is_valid()
    html = render_to_string("partials/form_errors.html", {"form": form})
    assert "form-summary" not in html and 'role="alert"' not in html


def test_a_form_wide_error_shows_whole_without_a_field_summary():
    form = _Form({"title": "clash", "hours": "2", "mode": "a"})
    assert not form.is_valid()
    html = render_to_string("partials/form_errors.html", {"form": form})
    assert "These two cannot go together." in html
    assert _summary(html) == []


@pytest.mark.django_db
def test_a_real_page_shows_the_summary_and_keeps_what_was_typed(manager_user):
    """The engagement form, posted with a title and nothing else: the
    summary names what is missing, the title typed is still there."""
    client = client_for(manager_user)
    response = client.post(reverse("engagements:create"), {"title": "Kept <title>"})
    assert response.status_code in (200, 400)
    html = response.content.decode()
    fields = _summary(html)
    assert fields, "no summary on an invalid engagement form"
    for anchor, _label in fields:
        assert f'id="{anchor}"' in html, anchor
    assert "Kept &lt;title&gt;" in html
