"""Forms of the compensation pages: they check the shape of what was sent;
the rules (a day has at most 24 hours, a receipt is a real image or PDF,
who may do what) are the services'."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from compensation import access, selectors
from compensation.models import (
    ExpenseCategory,
    Payment,
    PaymentMethodKind,
    TimeKind,
)
from core.forms import MAX_MONEY, MoneyField, PlainErrorsMixin
from engagements.models import Participation


class ReasonForm(forms.Form):
    """A reason written to the audit trail (reveal, receipt, export)."""

    reason = forms.CharField(
        label=_("Why do you need it?"),
        max_length=500,
        help_text=_("Your name, the time and this reason are recorded."),
        error_messages={"required": _("Say why you need it; it is recorded.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs["autocomplete"] = "off"


class DecisionForm(forms.Form):
    """Approve, or reject with a reason the consultant will read."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Do not approve"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Why not (shown to the consultant)"),
        max_length=500,
        required=False,  # required when not approving: clean() says so
    )
    reason.required_when = _("(required if you do not approve)")  # type: ignore[attr-defined]

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why, so the consultant can correct it."))
        return data


class MarkPaidForm(forms.Form):
    method = forms.ChoiceField(label=_("Paid by"), choices=PaymentMethodKind.choices)
    reference = forms.CharField(
        label=_("Transaction reference or cheque number"),
        max_length=100,
        required=False,
        help_text=_("Not needed for cash."),
    )
    # Required unless in cash: payment_mark_paid refuses it missing.
    reference.required_when = _("(required unless paid in cash)")  # type: ignore[attr-defined]
    # Finance often records a transfer the day after it went: days to pay
    # and "on time" count from the day it was sent, not the day it was typed.
    paid_on = forms.DateField(
        label=_("Paid on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The day the money was sent, in Manila. Leave it for today."),
    )
    # payment_mark_paid names the moment ``paid_at``; the form asks a day.
    service_field_names = {"paid_at": "paid_on"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = selectors.manila_today()
        self.fields["paid_on"].widget.attrs["max"] = today.isoformat()
        self.initial.setdefault("paid_on", today)

    def paid_at(self, now: datetime.datetime | None = None) -> datetime.datetime:
        """The moment to record: now for today (or a blank day), else noon
        in Manila of the day given (the service refuses a future one, or
        one well before the approval)."""
        now = now or timezone.now()
        day = self.cleaned_data.get("paid_on")
        if day is None or day == selectors.manila_today(now):
            return now
        return datetime.datetime.combine(day, datetime.time(12), tzinfo=selectors.MANILA)


class ExportForm(ReasonForm):
    payments = forms.ModelMultipleChoiceField(
        label=_("Payments"),
        queryset=Payment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the payments to export.")},
    )

    def __init__(self, *args, shown=None, **kwargs):
        """``shown``: the payments offered as choices (a page of
        ``exportable()``); any exportable payment is accepted."""
        super().__init__(*args, **kwargs)
        field = self.fields["payments"]
        field.queryset = self.exportable()
        if shown is not None:
            field.widget.choices = [(payment.pk, self.label(payment)) for payment in shown]
        else:
            field.label_from_instance = self.label

    @staticmethod
    def exportable():
        return (
            Payment.objects.filter(status__in=[Payment.Status.APPROVED, Payment.Status.PAID])
            .select_related("consultant")
            .order_by("-created_at", "-id")
        )

    @staticmethod
    def label(payment: Payment) -> str:
        return (
            f"#{payment.pk} · {payment.consultant.pseudonym} · ₱{payment.total:,.2f} · "
            f"{payment.get_status_display()}"
        )


class AdjustmentForm(forms.Form):
    """A correction: positive when more is owed, negative when too much was paid."""

    amount = MoneyField(
        label=_("Amount (₱)"),
        min_value=-MAX_MONEY,
        help_text=_("Negative when too much was paid, for example -150.00."),
    )
    reason = forms.CharField(label=_("Why"), max_length=300)


# --- Portal -------------------------------------------------------------------------


class _ParticipationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # In the page's language ("16 Ene 2027" in Filipino) and on the
        # engagement's day in Manila, not in UTC.
        day = date_format(timezone.localtime(obj.engagement.start).date(), "DATE_FORMAT")
        return f"{obj.engagement.title} ({day})"


def _participations(consultant):
    return (
        Participation.objects.filter(consultant=consultant, status__in=access.RECORDABLE)
        .select_related("engagement")
        .order_by("-engagement__start")
    )


class TimeEntryForm(PlainErrorsMixin, forms.Form):
    plain_errors = {
        "hours": _(
            "Please enter a number of hours from %(min)s to %(max)s, "
            "with at most two decimals (like 1.25)."
        )
    }

    participation = _ParticipationChoice(
        label=_("Engagement"),
        queryset=Participation.objects.none(),
        empty_label=None,
    )
    kind = forms.ChoiceField(label=_("What was the time for?"), choices=TimeKind.choices)
    date = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(
        label=_("Hours"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("24"),
        help_text=_("For example 1.5 for an hour and a half."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, consultant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participation"].queryset = _participations(consultant)
        self.fields["hours"].widget.attrs.update({"inputmode": "decimal", "step": "0.01"})


class ClaimForm(PlainErrorsMixin, forms.Form):
    # claim_submit's refusals name its arguments (core.forms.add_service_errors).
    service_field_names = {"date": "incurred_on", "receipts": "receipt"}
    plain_errors = {
        "amount": _("Please enter an amount in pesos from %(min)s to %(max)s, like 150.50.")
    }

    participation = _ParticipationChoice(
        label=_("Engagement"),
        queryset=Participation.objects.none(),
        empty_label=None,
    )
    category = forms.ChoiceField(label=_("Category"), choices=ExpenseCategory.choices)
    description = forms.CharField(label=_("What it was for"), max_length=300)
    amount = MoneyField(label=_("Amount (₱)"), min_value=Decimal("0.01"))
    incurred_on = forms.DateField(
        label=_("Date of the expense"), widget=forms.DateInput(attrs={"type": "date"})
    )
    receipt = forms.FileField(
        label=_("Receipt (photo or PDF)"),
        required=False,
        help_text=_("A photo (JPEG or PNG) or a PDF, at most 5 MB."),
    )

    def __init__(self, *args, consultant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participation"].queryset = _participations(consultant)
        self.fields["receipt"].widget.attrs["accept"] = "image/jpeg,image/png,application/pdf"


class ReceiptForm(PlainErrorsMixin, forms.Form):
    file = forms.FileField(label=_("Receipt (photo or PDF)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = "image/jpeg,image/png,application/pdf"


# --- Staff, on a consultant's behalf ---------------------------------------------------


class OnBehalfTimeEntryForm(TimeEntryForm):
    """Time a consultant told staff of, on one participation (chosen first,
    by search): the portal's form without the choice of engagement."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, consultant=None, **kwargs)
        del self.fields["participation"]


class OnBehalfClaimForm(ClaimForm):
    """A claim (and its receipt) a consultant handed staff: the portal's
    form without the choice of engagement; the same checks of the file."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, consultant=None, **kwargs)
        del self.fields["participation"]


class RecordSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Consultant's pseudonym or engagement title"), max_length=100, required=False
    )
