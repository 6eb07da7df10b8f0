"""The registry of report kinds."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured

from reports.registry import (
    ReportForm,
    UnknownReportKind,
    get_report_kind,
    kind_label,
    register_report,
    report_kinds_for,
    unregister_report,
)


class DayForm(ReportForm):
    day = forms.DateField()


def _build(job, progress):
    return "reports/base.html", {}


def test_register_and_find():
    register_report(kind="day_test", label="Day", form_class=DayForm, can_request=bool)(_build)
    try:
        entry = get_report_kind("day_test")
        assert entry.build is _build
        assert kind_label("day_test") == "Day"
    finally:
        unregister_report("day_test")
    with pytest.raises(UnknownReportKind):
        get_report_kind("day_test")
    assert str(kind_label("day_test")) == "Document"


def test_a_kind_is_registered_once():
    register_report(kind="twice_test", label="x", form_class=DayForm, can_request=bool)(_build)
    try:
        with pytest.raises(ImproperlyConfigured):
            register_report(kind="twice_test", label="x", form_class=DayForm, can_request=bool)(
                _build
            )
    finally:
        unregister_report("twice_test")


@pytest.mark.parametrize("kind", ["Access", "access-log", "../x", "", "a" * 51])
def test_kind_must_be_a_slug(kind):
    with pytest.raises(ImproperlyConfigured):
        register_report(kind=kind, label="x", form_class=DayForm, can_request=bool)


def test_form_class_must_be_a_report_form():
    with pytest.raises(ImproperlyConfigured):
        register_report(kind="plain_test", label="x", form_class=forms.Form, can_request=bool)


@pytest.mark.django_db
def test_params_are_plain_json_values(admin_user):
    class Everything(ReportForm):
        day = forms.DateField()
        amount = forms.DecimalField()
        token = forms.UUIDField()
        person = forms.ModelChoiceField(queryset=type(admin_user).objects.all())
        flag = forms.BooleanField(required=False)

    token = uuid.uuid4()
    form = Everything(
        {"day": "2026-01-02", "amount": "1.50", "token": str(token), "person": admin_user.pk},
        user=admin_user,
    )
    assert form.is_valid(), form.errors
    assert form.params() == {
        "day": "2026-01-02",
        "amount": "1.50",
        "token": str(token),
        "person": admin_user.pk,
        "flag": False,
    }
    assert form.user == admin_user
    assert isinstance(datetime.date.fromisoformat(form.params()["day"]), datetime.date)
    assert Decimal(form.params()["amount"]) == Decimal("1.5")


def test_access_log_is_for_administrators_only(admin_user, finance_user, consultant_user):
    # Other apps register kinds of their own (e.g. compensation's statement).
    assert "access_log" in [entry.kind for entry in report_kinds_for(admin_user)]
    assert "access_log" not in [entry.kind for entry in report_kinds_for(finance_user)]
    assert "access_log" not in [entry.kind for entry in report_kinds_for(consultant_user)]
