"""The consultant templates ask the model what a status means (its badge
tone, ``is_on_break``) and render, for every status, what they rendered
when they compared status strings."""

import datetime

import pytest
from django.template.loader import render_to_string

from consultants.models import Consultant
from tests.accounts.factories import UserFactory
from tests.rendering import render_page

S = Consultant.Status
BADGES = {
    S.ONBOARDING: '<span class="badge badge-warning">Onboarding</span>',
    S.ACTIVE: '<span class="badge badge-success">Active</span>',
    S.ON_BREAK: '<span class="badge badge-info">On a break</span>',
    S.ALUMNI: '<span class="badge">Alumni</span>',
}
BREAK_NOTE = "You are on a break until Monday 30 June 2025."


def test_every_status_has_a_badge():
    assert set(BADGES) == set(S) == set(Consultant.BADGE_TONES)


@pytest.mark.parametrize("status", list(S))
def test_staff_badge(status):
    html = render_to_string(
        "consultants/staff/_status_badge.html", {"consultant": Consultant(status=status)}
    )
    assert html == BADGES[status] + "\n"


def _consultant(status: str) -> Consultant:
    until = datetime.date(2025, 6, 30) if status == S.ON_BREAK else None
    return Consultant(pk=3, pseudonym="Tala", status=status, break_until=until)


@pytest.mark.parametrize("status", list(S))
def test_break_page(db, status):
    from django import forms

    class BreakForm(forms.Form):
        break_until = forms.DateField()

    html = render_page(
        "consultants/portal/break.html",
        {"consultant": _consultant(status), "form": BreakForm()},
        user=UserFactory(),
    )
    on_break = status == S.ON_BREAK
    assert ("<h1>Change your break</h1>" in html) == on_break
    assert ("<h1>Take a break</h1>" in html) == (not on_break)
    assert ("Save the new day</button>" in html) == on_break
    assert ("Start my break</button>" in html) == (not on_break)


@pytest.mark.parametrize("page", ["availability", "index"])
@pytest.mark.parametrize("status", list(S))
def test_portal_pages_tell_a_consultant_on_a_break(db, status, page):
    html = render_page(
        f"consultants/portal/{page}.html",
        {"consultant": _consultant(status), "can_take_break": True},
        user=UserFactory(),
    )
    assert (BREAK_NOTE in html) == (status == S.ON_BREAK)
