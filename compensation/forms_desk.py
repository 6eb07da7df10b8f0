"""Forms of the finance desk (``compensation.views.desk``): the shape of
what was sent. The rules (no overlaps, history kept, a version in effect
never edited, who may do what) are ``compensation.services``'."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from compensation.models import AllowanceKind, RateUnit
from core.forms import MoneyField
from engagements.models import EngagementType, ParticipationRole


def _date(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _money(label, *, minimum="0.00", required=True, help_text=""):
    return MoneyField(
        label=label, min_value=Decimal(minimum), required=required, help_text=help_text
    )


class _PeriodForm(forms.Form):
    effective_from = _date(_("In effect from"))
    effective_to = _date(
        _("Last day in effect"),
        required=False,
        help_text=_("Empty: until a new version replaces it."),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            self.add_error("effective_to", _("A version cannot end before it starts."))
        return data


class RateCardForm(_PeriodForm):
    """A new version of a rate (``series=True``: type and role chosen), or
    the change of a planned one (type and role fixed)."""

    engagement_type = forms.ChoiceField(label=_("Engagement type"), choices=EngagementType.choices)
    role = forms.ChoiceField(label=_("Role"), choices=ParticipationRole.choices)
    unit = forms.ChoiceField(label=_("Unit"), choices=RateUnit.choices)
    amount = _money(_("Rate (₱)"), minimum="0.01")
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    field_order = ["engagement_type", "role", "unit", "amount", "effective_from", "effective_to"]

    def __init__(self, *args, series=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not series:
            del self.fields["engagement_type"]
            del self.fields["role"]


class AllowancePolicyForm(_PeriodForm):
    kind = forms.ChoiceField(label=_("Allowance"), choices=AllowanceKind.choices)
    default_amount = _money(_("Default amount per participation (₱)"))
    paid_in_advance = forms.BooleanField(label=_("Paid in advance"), required=False)
    in_person_only = forms.BooleanField(label=_("Only for engagements in person"), required=False)
    receipt_required_above = _money(
        _("Receipt required above (₱)"),
        required=False,
        help_text=_("0: always. Empty: never (a jeepney fare has no receipt)."),
    )
    is_active = forms.BooleanField(label=_("Offered"), required=False)

    field_order = ["kind", "default_amount", "effective_from", "effective_to"]

    def __init__(self, *args, series=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not series:
            del self.fields["kind"]


class EndVersionForm(forms.Form):
    effective_to = _date(
        _("Last day in effect"),
        help_text=_("Today at the earliest for a version in effect: days already past are kept."),
    )


class VersionFilterForm(forms.Form):
    """The history of one engagement type and role (fixed vocabularies)."""

    engagement_type = forms.ChoiceField(
        label=_("Engagement type"),
        required=False,
        choices=[("", _("Any")), *EngagementType.choices],
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("Any")), *ParticipationRole.choices]
    )

    def filters(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {name: value for name, value in data.items() if value}


class ParticipationSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Consultant's pseudonym or engagement title"),
        required=False,
        max_length=100,
        help_text=_("At least two letters."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})

    def query(self) -> str:
        text = (self.cleaned_data.get("q") or "").strip() if self.is_valid() else ""
        return text if len(text) >= 2 else ""


def _hours(label):
    field = forms.DecimalField(
        label=label,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("200"),
    )
    field.widget.attrs.update({"inputmode": "decimal", "step": "0.25"})
    return field


class AgreementForm(forms.Form):
    """The terms of a proposed version, prefilled from the latest version (a
    change) or from the rate card and allowance policies (a first one)."""

    rate_unit = forms.ChoiceField(label=_("Rate unit"), choices=RateUnit.choices)
    rate_amount = _money(_("Rate (₱)"), minimum="0.01")
    estimated_preparation_hours = _hours(_("Preparation (estimated hours)"))
    estimated_travel_hours = _hours(_("Travel (estimated hours)"))
    estimated_engagement_hours = _hours(_("The engagement (estimated hours)"))
    estimated_debrief_hours = _hours(_("Debrief (estimated hours)"))
    advance_amount = _money(_("Advance (₱)"))
    cancellation_notice_hours = forms.IntegerField(
        label=_("Cancellation notice (hours)"), min_value=0, max_value=24 * 60
    )
    cancellation_minimum = _money(_("Minimum paid on a late cancellation (₱)"))
    change_note = forms.CharField(
        label=_("What changed (the consultant reads this)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in AllowanceKind.choices:
            self.fields[f"allowance_{kind}"] = _money(
                _("%(allowance)s (₱)") % {"allowance": label},
                required=False,
                help_text=_("Empty or 0: none."),
            )
            self.fields[f"allowance_{kind}_advance"] = forms.BooleanField(
                label=_("%(allowance)s paid in advance") % {"allowance": label}, required=False
            )

    def allowance_fields(self):
        return [
            (self[f"allowance_{kind}"], self[f"allowance_{kind}_advance"])
            for kind in AllowanceKind.values
        ]

    def terms(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "rate_unit",
                "rate_amount",
                "estimated_preparation_hours",
                "estimated_travel_hours",
                "estimated_engagement_hours",
                "estimated_debrief_hours",
                "advance_amount",
                "cancellation_notice_hours",
                "cancellation_minimum",
            )
        }

    def allowances(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "kind": kind,
                "amount": data[f"allowance_{kind}"],
                "paid_in_advance": bool(data[f"allowance_{kind}_advance"]),
            }
            for kind in AllowanceKind.values
            if data.get(f"allowance_{kind}")
        ]

    @staticmethod
    def initial_from(terms: dict, allowances: list[dict]) -> dict:
        initial = dict(terms)
        for row in allowances:
            initial[f"allowance_{row['kind']}"] = row["amount"]
            initial[f"allowance_{row['kind']}_advance"] = row["paid_in_advance"]
        return initial
