"""The compensation app's sections of a consultant's record (``consultants.record``):
agreements, time entries, expense claims, payment accounts, payments with
their lines, amounts owed and not yet paid, and the statements generated
for her. Her payment account number and name are hers to read, decrypted.

It also tells the access log about her which of its records are hers
(payment accounts, receipts), so a reveal of one shows there.

A fixed number of queries per section (one or two), however long her
history; every amount is the stored Decimal, never recomputed here.
"""

from __future__ import annotations

import datetime

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compensation.models import (
    Agreement,
    AllowanceKind,
    Decision,
    ExpenseCategory,
    ExpenseClaim,
    Payment,
    PaymentLine,
    PaymentMethod,
    PaymentMethodKind,
    RateUnit,
    Receipt,
    TimeEntry,
    TimeKind,
)
from consultants.models import Consultant
from consultants.record import (
    Entry,
    RecordSection,
    Row,
    choice,
    register_access_subjects,
    register_record_section,
)
from reminders.record import register_subject_context
from reports.models import ReportJob

STATEMENT_KIND = "consultant_statement"


def _by(user_id, consultant: Consultant, name: str) -> str:
    """Who did something, as she reads it: "you" or the programme team."""
    if user_id is None:
        return "—"
    if user_id == consultant.user_id:
        return _("You")
    return name or _("The programme team")


def build_agreements(consultant: Consultant) -> RecordSection:
    agreements = (
        Agreement.objects.filter(participation__consultant=consultant)
        .select_related("participation__engagement")
        .prefetch_related("allowances")
        .order_by("proposed_at", "id")
    )
    rows = []
    for agreement in agreements:
        title = agreement.participation.engagement.title
        rows.append(
            Row(
                title=_("%(engagement)s, version %(version)s")
                % {"engagement": title, "version": agreement.version},
                entries=[
                    Entry("engagement", _("Engagement"), title),
                    Entry("version", _("Version"), agreement.version),
                    choice("rate_unit", _("Rate unit"), agreement.rate_unit, RateUnit.choices),
                    Entry("rate_amount", _("Rate (PHP)"), agreement.rate_amount),
                    Entry(
                        "estimated_hours",
                        _("Estimated hours (preparation, travel, engagement, debrief)"),
                        [
                            agreement.estimated_preparation_hours,
                            agreement.estimated_travel_hours,
                            agreement.estimated_engagement_hours,
                            agreement.estimated_debrief_hours,
                        ],
                    ),
                    Entry("advance_amount", _("Advance (PHP)"), agreement.advance_amount),
                    Entry(
                        "cancellation_minimum",
                        _("Minimum paid on a late cancellation (PHP)"),
                        agreement.cancellation_minimum,
                    ),
                    Entry("change_note", _("What changed"), agreement.change_note),
                    Entry("proposed_at", _("Proposed"), agreement.proposed_at),
                    Entry("acknowledged_at", _("Acknowledged"), agreement.acknowledged_at),
                    Entry(
                        "allowances",
                        _("Allowances"),
                        [
                            Row(
                                entries=[
                                    choice(
                                        "kind", _("Kind"), allowance.kind, AllowanceKind.choices
                                    ),
                                    Entry("amount", _("Amount (PHP)"), allowance.amount),
                                    Entry(
                                        "paid_in_advance",
                                        _("Paid in advance"),
                                        allowance.paid_in_advance,
                                    ),
                                ]
                            )
                            for allowance in agreement.allowances.all()
                        ],
                    ),
                ],
            )
        )
    return RecordSection(rows=rows, empty=_("No agreements yet."))


def build_time_entries(consultant: Consultant) -> RecordSection:
    entries = (
        TimeEntry.objects.filter(consultant=consultant)
        .select_related("participation__engagement", "entered_by")
        .order_by("date", "id")
    )
    return RecordSection(
        rows=[
            Row(
                entries=[
                    Entry("engagement", _("Engagement"), entry.participation.engagement.title),
                    Entry("date", _("Date"), entry.date),
                    choice("kind", _("Kind"), entry.kind, TimeKind.choices),
                    Entry("hours", _("Hours"), entry.hours),
                    Entry("note", _("Note"), entry.note),
                    choice("status", _("Status"), entry.status, Decision.choices),
                    Entry(
                        "entered_by",
                        _("Entered by"),
                        _by(entry.entered_by_id, consultant, str(entry.entered_by)),
                    ),
                    Entry("entered_at", _("Entered"), entry.entered_at),
                    Entry("decided_at", _("Decided"), entry.decided_at),
                    Entry("rejection_reason", _("Why not approved"), entry.rejection_reason),
                ]
            )
            for entry in entries
        ],
        empty=_("No time entered yet."),
    )


def build_claims(consultant: Consultant) -> RecordSection:
    claims = (
        ExpenseClaim.objects.filter(consultant=consultant)
        .select_related("participation__engagement")
        .prefetch_related(Prefetch("receipts", queryset=Receipt.objects.order_by("uploaded_at")))
        .order_by("submitted_at", "id")
    )
    return RecordSection(
        rows=[
            Row(
                entries=[
                    Entry("engagement", _("Engagement"), claim.participation.engagement.title),
                    choice("category", _("Category"), claim.category, ExpenseCategory.choices),
                    Entry("description", _("What it was for"), claim.description),
                    Entry("amount", _("Amount (PHP)"), claim.amount),
                    Entry("incurred_on", _("Date of the expense"), claim.incurred_on),
                    choice("status", _("Status"), claim.status, Decision.choices),
                    Entry("submitted_at", _("Sent in"), claim.submitted_at),
                    Entry("decided_at", _("Decided"), claim.decided_at),
                    Entry("rejection_reason", _("Why not approved"), claim.rejection_reason),
                    Entry(
                        "receipts",
                        _("Receipts kept"),
                        [
                            f"{receipt.kind.upper()}, {receipt.uploaded_at:%Y-%m-%d}"
                            for receipt in claim.receipts.all()
                        ],
                    ),
                ]
            )
            for claim in claims
        ],
        empty=_("No expense claims."),
    )


def build_payment_methods(consultant: Consultant) -> RecordSection:
    kinds = PaymentMethodKind.choices
    return RecordSection(
        rows=[
            Row(
                entries=[
                    choice("kind", _("Kind"), method.kind, kinds),
                    Entry("provider", _("Bank or e-wallet"), method.provider),
                    Entry("account_name", _("Account name"), method.account_name),
                    Entry("account_number", _("Account number"), method.account_number),
                    Entry("is_default", _("Used by default"), method.is_default),
                    Entry("is_active", _("In use"), method.is_active),
                    Entry("added_at", _("Added"), method.created_at),
                ]
            )
            for method in PaymentMethod.objects.filter(consultant=consultant).order_by(
                "created_at", "id"
            )
        ],
        empty=_("No payment account on file."),
    )


def _line(line: PaymentLine) -> Row:
    return Row(
        entries=[
            choice("kind", _("Kind"), line.kind, PaymentLine.Kind.choices),
            Entry("description", _("Description"), line.description),
            Entry("amount", _("Amount (PHP)"), line.amount),
            Entry("payable_since", _("Payable since"), line.payable_since),
            Entry("due_on", _("Due on"), line.due_on),
            Entry("reason", _("Reason"), line.reason),
        ]
    )


def build_payments(consultant: Consultant) -> RecordSection:
    payments = (
        Payment.objects.filter(consultant=consultant)
        .select_related("payment_method")
        .prefetch_related(Prefetch("lines", queryset=PaymentLine.objects.order_by("id")))
        .order_by("created_at", "id")
    )
    return RecordSection(
        rows=[
            Row(
                entries=[
                    choice("status", _("Status"), payment.status, Payment.Status.choices),
                    Entry("total", _("Total (PHP)"), payment.total),
                    choice("method", _("Method"), payment.method, PaymentMethodKind.choices),
                    Entry(
                        "account",
                        _("Account"),
                        str(payment.payment_method) if payment.payment_method_id else "",
                    ),
                    Entry("reference", _("Reference"), payment.reference),
                    Entry("prepared_at", _("Prepared"), payment.created_at),
                    Entry("approved_at", _("Approved"), payment.approved_at),
                    Entry("paid_at", _("Paid"), payment.paid_at),
                    Entry("due_on", _("Due on"), payment.due_on),
                    Entry("days_to_pay", _("Days to pay"), payment.days_to_pay),
                    Entry(
                        "lines", _("What it pays"), [_line(line) for line in payment.lines.all()]
                    ),
                ]
            )
            for payment in payments
        ],
        empty=_("No payments yet."),
    )


def build_owed(consultant: Consultant) -> RecordSection:
    lines = PaymentLine.objects.filter(consultant=consultant, payment__isnull=True).order_by(
        "payable_since", "id"
    )
    return RecordSection(
        rows=[_line(line) for line in lines],
        intro=_("Approved amounts that are not in a payment yet."),
        empty=_("Nothing owed and waiting."),
    )


def _date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def build_statements(consultant: Consultant) -> RecordSection:
    jobs = (
        ReportJob.objects.filter(kind=STATEMENT_KIND, params__consultant=consultant.pk)
        .select_related("requested_by")
        .order_by("created_at", "pk")
    )
    return RecordSection(
        rows=[
            Row(
                entries=[
                    Entry("reference", _("Reference"), job.reference),
                    Entry("requested_at", _("Requested"), job.created_at),
                    Entry(
                        "requested_by",
                        _("Requested by"),
                        _by(job.requested_by_id, consultant, str(job.requested_by)),
                    ),
                    Entry("period_from", _("From"), _date(job.params.get("date_from"))),
                    Entry("period_to", _("To"), _date(job.params.get("date_to"))),
                    choice("status", _("Status"), job.shown_status(), ReportJob.Status.choices),
                ]
            )
            for job in jobs
        ],
        intro=_(
            "Statements of your pay prepared as PDF documents. Each file is deleted "
            "a few hours after it is ready; this list is what remains."
        ),
        empty=_("No statements prepared."),
    )


def _access_subjects(consultant: Consultant):
    yield PaymentMethod, PaymentMethod.objects.filter(consultant=consultant)
    yield Receipt, Receipt.objects.filter(claim__consultant=consultant)


# Imported by CompensationConfig.ready().
for _key, _title, _order, _build in [
    ("agreements", gettext_lazy("What you were offered"), 300, build_agreements),
    ("time_entries", gettext_lazy("Time you gave"), 310, build_time_entries),
    ("claims", gettext_lazy("Expense claims"), 320, build_claims),
    ("payment_methods", gettext_lazy("Where you are paid"), 330, build_payment_methods),
    ("payments", gettext_lazy("Payments"), 340, build_payments),
    ("owed", gettext_lazy("Approved, not paid yet"), 345, build_owed),
    ("statements", gettext_lazy("Statements prepared"), 350, build_statements),
]:
    register_record_section(_key, title=_title, order=_order, build=_build)
register_access_subjects("compensation", _access_subjects)


def _paid_at(deliveries) -> dict[int, dict]:
    paid = dict(
        Payment.objects.filter(pk__in=[d.target_id for d in deliveries]).values_list(
            "pk", "paid_at"
        )
    )
    return {d.pk: {"paid_at": paid.get(d.target_id)} for d in deliveries}


register_subject_context("payment_sent", _paid_at)
