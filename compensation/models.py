"""Compensation: what a consultant is paid, for what, and when.

::

    RateCard ──(snapshot)──▶ Agreement v1, v2 … (per participation)
    AllowancePolicy ─(defaults)─▶ AgreementAllowance
    TimeEntry ──approve──▶ PaymentLine ◀──approve── ExpenseClaim (+ Receipts)
    Agreement (allowances, advance, fee, cancellation) ─────▶ PaymentLine
    PaymentLine* ──group──▶ Payment: draft ─approve─▶ approved ─mark paid─▶ paid

Money is ``Decimal`` Philippine pesos to the centavo (``DecimalField(12, 2)``);
hours are ``Decimal`` to the hundredth. Totals are sums computed by
PostgreSQL over the lines, never floats.

Invariants kept by PostgreSQL itself (migration 0002), whatever writes:

* a paid payment, and every line of an approved or paid payment, is never
  updated or deleted; a line cannot be added to one either. Corrections are
  adjustment lines in a later payment;
* an approved or paid payment's total equals the sum of its lines;
* one line per source: a time entry, an expense claim, an advance's
  recovery, a participation's fee, advance, cancellation minimum or one
  kind of allowance is paid by at most one line, and a line belongs to at
  most one payment (one foreign key), taken under a row lock;
* a consultant's time entries on one day add up to at most 24 hours;
* rate cards of one engagement type and role, and versions of one kind of
  allowance policy, never overlap in time.

Pseudonym first: ``__str__`` is a neutral label or a pseudonym. Account
numbers and account names are encrypted (``core.encryption``), revealed to
finance only, audited.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultants.models import Consultant
from core.encryption import EncryptedCharField
from core.files import JPEG, PDF, PNG, check_upload, get_private_storage, sniff_kind
from core.records import AppendOnlyModel, RecordIsImmutable
from engagements.models import EngagementType, Participation, ParticipationRole

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_HOURS_PER_DAY = Decimal("24")
MAX_ESTIMATED_HOURS = Decimal("200")


def money(value) -> Decimal:
    """A Decimal rounded to the centavo, half up (how pesos are rounded)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _money_field(label, **kwargs):
    return models.DecimalField(label, max_digits=12, decimal_places=2, **kwargs)


def _hours_field(label, **kwargs):
    return models.DecimalField(label, max_digits=5, decimal_places=2, **kwargs)


# --- Vocabularies -----------------------------------------------------------------------


class RateUnit(models.TextChoices):
    HOUR = "hour", _("Per hour")
    HALF_DAY = "half_day", _("Per half day")
    DAY = "day", _("Per day")
    FIXED = "fixed", _("Fixed honorarium")


# Hours one unit stands for: time is paid pro rata at rate / hours. A fixed
# honorarium is one amount for the whole participation (paid on attendance).
UNIT_HOURS = {
    RateUnit.HOUR: Decimal("1"),
    RateUnit.HALF_DAY: Decimal("4"),
    RateUnit.DAY: Decimal("8"),
    RateUnit.FIXED: None,
}


class AllowanceKind(models.TextChoices):
    MEAL = "meal", _("Meals")
    TRANSPORT = "transport", _("Transport")
    COMMUNICATION = "communication", _("Communication (mobile load or data)")
    LODGING = "lodging", _("Lodging")


class ExpenseCategory(models.TextChoices):
    MEAL = "meal", _("Meals")
    TRANSPORT = "transport", _("Transport")
    COMMUNICATION = "communication", _("Communication (mobile load or data)")
    LODGING = "lodging", _("Lodging")
    OTHER = "other", _("Other")


class TimeKind(models.TextChoices):
    PREPARATION = "preparation", _("Preparation")
    TRAVEL = "travel", _("Travel")
    ENGAGEMENT = "engagement", _("The engagement itself")
    DEBRIEF = "debrief", _("Debrief")


class Decision(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")


class PaymentMethodKind(models.TextChoices):
    BANK = "bank", _("Bank transfer")
    E_WALLET = "e_wallet", _("E-wallet")
    CASH = "cash", _("Cash")
    CHEQUE = "cheque", _("Cheque")


# --- Rates and allowances -------------------------------------------------------------------


class DateRange(Func):
    function = "DATERANGE"
    output_field = DateRangeField()


class RateCard(models.Model):
    """What one engagement type pays one participation role, from a date.

    Agreements copy the rate (a snapshot), so a new card never changes an
    agreement already made. Two cards of one type and role never overlap.
    """

    engagement_type = models.CharField(
        _("engagement type"), max_length=24, choices=EngagementType.choices
    )
    role = models.CharField(_("role"), max_length=16, choices=ParticipationRole.choices)
    unit = models.CharField(_("unit"), max_length=10, choices=RateUnit.choices)
    amount = _money_field(
        _("amount (PHP)"), validators=[MinValueValidator(CENT), MaxValueValidator(10**9)]
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(
        _("effective until (inclusive)"),
        null=True,
        blank=True,
        help_text=_("Empty: until a new rate replaces it."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("rate card")
        verbose_name_plural = _("rate cards")
        ordering = ["engagement_type", "role", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="compensation_ratecard_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="compensation_ratecard_period_ordered",
                violation_error_message=_("A rate cannot end before it starts."),
            ),
            # The rate lookup (type, role, date in period) also uses this
            # constraint's GiST index.
            ExclusionConstraint(
                name="compensation_ratecard_no_overlap",
                expressions=[
                    ("engagement_type", RangeOperators.EQUAL),
                    ("role", RangeOperators.EQUAL),
                    (
                        DateRange(
                            "effective_from",
                            "effective_to",
                            RangeBoundary(inclusive_lower=True, inclusive_upper=True),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                violation_error_code="rate_overlap",
                violation_error_message=_(
                    "Another rate for this engagement type and role covers part of this period."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_engagement_type_display()} · {self.get_role_display()}"

    @property
    def unit_hours(self) -> Decimal | None:
        return UNIT_HOURS[self.unit]

    def covers(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


class AllowancePolicy(models.Model):
    """The default of one kind of allowance from a date: its amount per
    participation, whether it is paid in advance (so a consultant never
    carries the cost), and above which amount an expense claim of that kind
    needs a receipt. Versioned like rate cards: two versions of one kind
    never overlap in time, and a version in effect is never edited (a change
    is a new version from a date; ``compensation.services.rates``)."""

    kind = models.CharField(_("kind"), max_length=16, choices=AllowanceKind.choices)
    default_amount = _money_field(
        _("default amount (PHP)"), validators=[MinValueValidator(0), MaxValueValidator(10**7)]
    )
    paid_in_advance = models.BooleanField(_("paid in advance"), default=True)
    in_person_only = models.BooleanField(
        _("only for engagements in person"),
        default=False,
        help_text=_("Transport and lodging: not offered for online engagements."),
    )
    receipt_required_above = _money_field(
        _("receipt required above (PHP)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_(
            "Expense claims of this kind above this amount need a receipt. "
            "0: always. Empty: never (a jeepney fare has no receipt)."
        ),
    )
    is_active = models.BooleanField(_("offered"), default=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(
        _("effective until (inclusive)"),
        null=True,
        blank=True,
        help_text=_("Empty: until a new version replaces it."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("allowance policy")
        verbose_name_plural = _("allowance policies")
        ordering = ["kind", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_amount__gte=0),
                name="compensation_allowancepolicy_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="compensation_allowancepolicy_period_ordered",
                violation_error_message=_("A version cannot end before it starts."),
            ),
            # The lookup (kind, date in period) also uses this constraint's GiST index.
            ExclusionConstraint(
                name="compensation_allowancepolicy_no_overlap",
                expressions=[
                    ("kind", RangeOperators.EQUAL),
                    (
                        DateRange(
                            "effective_from",
                            "effective_to",
                            RangeBoundary(inclusive_lower=True, inclusive_upper=True),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                violation_error_code="policy_overlap",
                violation_error_message=_(
                    "Another version of this allowance covers part of this period."
                ),
            ),
        ]

    def __str__(self):
        return self.get_kind_display()

    def covers(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


# --- Agreements -----------------------------------------------------------------------------


class Agreement(models.Model):
    """One version of what a participation pays. Version 1 is proposed
    before the consultant answers the invitation; accepting the invitation
    acknowledges the version in front of them. A change after that is a new
    version that binds only once the consultant acknowledges it; until then
    the last acknowledged version is in force.

    A version's terms are never edited: ``save()`` refuses any change but
    the acknowledgement (and that only once).
    """

    participation = models.ForeignKey(
        Participation, on_delete=models.PROTECT, related_name="agreements"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    rate_card = models.ForeignKey(
        RateCard,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("rate card"),
    )
    rate_unit = models.CharField(_("rate unit"), max_length=10, choices=RateUnit.choices)
    rate_amount = _money_field(
        _("rate (PHP)"), validators=[MinValueValidator(CENT), MaxValueValidator(10**9)]
    )
    estimated_preparation_hours = _hours_field(
        _("estimated preparation hours"),
        default=ZERO,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_ESTIMATED_HOURS)],
    )
    estimated_travel_hours = _hours_field(
        _("estimated travel hours"),
        default=ZERO,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_ESTIMATED_HOURS)],
    )
    estimated_engagement_hours = _hours_field(
        _("estimated engagement hours"),
        default=ZERO,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_ESTIMATED_HOURS)],
    )
    estimated_debrief_hours = _hours_field(
        _("estimated debrief hours"),
        default=ZERO,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_ESTIMATED_HOURS)],
    )
    advance_amount = _money_field(
        _("advance (PHP)"),
        default=ZERO,
        validators=[MinValueValidator(0), MaxValueValidator(10**7)],
        help_text=_("Paid before the engagement and netted against the final payment."),
    )
    cancellation_notice_hours = models.PositiveSmallIntegerField(
        _("cancellation notice (hours)"),
        default=72,
        validators=[MaxValueValidator(24 * 60)],
        help_text=_(
            "If the organisation cancels less than this many hours before the start, "
            "the minimum below is paid."
        ),
    )
    cancellation_minimum = _money_field(
        _("minimum paid on a late cancellation (PHP)"),
        default=ZERO,
        validators=[MinValueValidator(0), MaxValueValidator(10**7)],
    )
    change_note = models.CharField(
        _("what changed"),
        max_length=500,
        blank=True,
        help_text=_("Shown to the consultant when they are asked to acknowledge a change."),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["participation", "-version"]
        constraints = [
            # Also the index of "the latest / in-force version of a participation".
            models.UniqueConstraint(
                fields=["participation", "version"], name="compensation_agreement_one_version"
            ),
            models.CheckConstraint(
                condition=Q(rate_amount__gt=0), name="compensation_agreement_rate_positive"
            ),
            models.CheckConstraint(
                condition=Q(advance_amount__gte=0)
                & Q(cancellation_minimum__gte=0)
                & Q(estimated_preparation_hours__gte=0)
                & Q(estimated_travel_hours__gte=0)
                & Q(estimated_engagement_hours__gte=0)
                & Q(estimated_debrief_hours__gte=0),
                name="compensation_agreement_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_by__isnull=False),
                name="compensation_agreement_ack_has_person",
            ),
        ]

    def __str__(self):
        return str(
            _("Agreement v%(version)s · %(participation)s")
            % {"version": self.version, "participation": self.participation}
        )

    _ACK_FIELDS = frozenset({"acknowledged_at", "acknowledged_by", "acknowledged_by_id"})

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values("acknowledged_at").first()
            update_fields = set(kwargs.get("update_fields") or ())
            if stored is None or stored["acknowledged_at"] is not None:
                raise RecordIsImmutable(_("An acknowledged agreement is never changed."))
            if not update_fields or not update_fields <= self._ACK_FIELDS:
                raise RecordIsImmutable(
                    _("An agreement's terms are never edited; propose a new version.")
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RecordIsImmutable(_("Agreements are never deleted; propose a new version."))

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def unit_hours(self) -> Decimal | None:
        return UNIT_HOURS[self.rate_unit]

    @property
    def is_fixed(self) -> bool:
        return self.rate_unit == RateUnit.FIXED

    @property
    def estimated_hours(self) -> Decimal:
        return (
            self.estimated_preparation_hours
            + self.estimated_travel_hours
            + self.estimated_engagement_hours
            + self.estimated_debrief_hours
        )

    def pay_for_hours(self, hours: Decimal) -> Decimal:
        """Time paid pro rata (rate / hours per unit), to the centavo. A fixed
        honorarium pays no time: the honorarium covers it."""
        unit_hours = self.unit_hours
        if unit_hours is None:
            return ZERO
        return money(Decimal(hours) * self.rate_amount / unit_hours)

    def estimated_time_pay(self) -> Decimal:
        if self.is_fixed:
            return money(self.rate_amount)
        return self.pay_for_hours(self.estimated_hours)


class AgreementAllowance(AppendOnlyModel):
    """One allowance of one agreement version: written with its version,
    never changed or removed (a change is a new version)."""

    immutable_message = _("An agreement's terms are never edited; propose a new version.")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="allowances")
    kind = models.CharField(_("kind"), max_length=16, choices=AllowanceKind.choices)
    amount = _money_field(
        _("amount (PHP)"), validators=[MinValueValidator(CENT), MaxValueValidator(10**7)]
    )
    paid_in_advance = models.BooleanField(_("paid in advance"), default=True)

    class Meta:
        verbose_name = _("agreed allowance")
        verbose_name_plural = _("agreed allowances")
        ordering = ["agreement", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "kind"], name="compensation_allowance_one_per_kind"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="compensation_allowance_amount_positive"
            ),
        ]

    def __str__(self):
        return self.get_kind_display()


# --- Decided records: time entries and expense claims ----------------------------------------


def decision_has_person(name: str) -> models.CheckConstraint:
    """A decided record names who decided and when (each model's constraint)."""
    return models.CheckConstraint(
        condition=Q(status="submitted")
        | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
        name=name,
    )


class DecidedRecord(models.Model):
    """What a consultant sends in and staff approve or not: a time entry or
    an expense claim. Decided once (who, when, and why not when it is not
    approved), then final: ``save()`` refuses any change to a decided record.
    ``services`` decides (``_decide``, ``_reject``); the lines an approval
    creates are the payment's."""

    status = models.CharField(
        _("status"), max_length=10, choices=Decision.choices, default=Decision.SUBMITTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.CharField(_("why not approved"), max_length=500, blank=True)
    # Recorded by staff for the consultant (who told them, or gave them the
    # receipt): the person who recorded it is ``recorded_by``. Never decided
    # by that person (the service, and each model's check constraint).
    on_behalf = models.BooleanField(
        _("recorded by staff on her behalf"), default=False, editable=False
    )

    # The refusals, in the words of each kind of record.
    immutable_message = _("A decided record is never changed.")
    already_decided_message = _("This is already decided.")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk is not None:
            stored = (
                type(self)
                ._default_manager.filter(pk=self.pk)
                .values_list("status", flat=True)
                .first()
            )
            if stored != Decision.SUBMITTED:
                raise RecordIsImmutable(self.immutable_message)
        super().save(*args, **kwargs)

    @property
    def is_decided(self) -> bool:
        return self.status != Decision.SUBMITTED

    @property
    def recorded_by_id(self) -> int | None:
        """Who wrote the record (the consultant, or staff on her behalf)."""
        raise NotImplementedError


def not_decided_by_recorder(name: str, recorder: str) -> models.CheckConstraint:
    """Whoever recorded a time entry or a claim never decides it (four eyes:
    staff who record on a consultant's behalf cannot approve their own)."""
    return models.CheckConstraint(
        condition=Q(decided_by__isnull=True) | ~Q(decided_by=F(recorder)),
        name=name,
        violation_error_message=_("Whoever recorded this cannot decide it."),
    )


# --- Time entries -----------------------------------------------------------------------------


class TimeEntry(DecidedRecord):
    """Time a consultant gave to one participation on one day: entered by
    the consultant (portal) or by staff, approved by the programme staff who
    run the engagement, never by whoever entered it. Once decided, final."""

    participation = models.ForeignKey(
        Participation, on_delete=models.PROTECT, related_name="time_entries"
    )
    # A copy of participation.consultant: the per-day limit and the lists.
    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="time_entries", editable=False
    )
    kind = models.CharField(_("kind"), max_length=12, choices=TimeKind.choices)
    date = models.DateField(_("date"))
    hours = _hours_field(
        _("hours"),
        validators=[MinValueValidator(CENT), MaxValueValidator(MAX_HOURS_PER_DAY)],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    immutable_message = _("A decided time entry is never changed.")
    already_decided_message = _("This entry is already decided.")

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=MAX_HOURS_PER_DAY),
                name="compensation_timeentry_hours_in_range",
                violation_error_message=_("Hours must be more than 0 and at most 24."),
            ),
            decision_has_person("compensation_timeentry_decision_has_person"),
            not_decided_by_recorder("compensation_timeentry_not_decided_by_recorder", "entered_by"),
        ]
        indexes = [
            # The per-day limit (trigger) and a consultant's entries (portal).
            models.Index(fields=["consultant", "date"], name="compensation_time_day_idx"),
            # Staff's "waiting for approval" per participation.
            models.Index(fields=["participation", "status"], name="compensation_time_part_idx"),
            # The approvals page: waiting entries, oldest day first.
            models.Index(
                fields=["date", "id"],
                condition=Q(status="submitted"),
                name="compensation_time_waiting_idx",
            ),
            # The programme report's approved hours: a period's approved
            # entries summed per kind from the index alone (index-only scan).
            models.Index(
                fields=["date"],
                include=["kind", "hours"],
                condition=Q(status="approved"),
                name="compensation_time_approved_idx",
            ),
        ]

    def __str__(self):
        return f"{self.consultant}: {self.get_kind_display()} {self.date:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.participation_id and not self.consultant_id:
            self.consultant_id = self.participation.consultant_id
        super().save(*args, **kwargs)

    @property
    def recorded_by_id(self) -> int | None:
        return self.entered_by_id


# --- Expense claims and receipts ------------------------------------------------------------


RECEIPT_MAX_BYTES = 5 * 1024 * 1024
RECEIPT_SIGNATURES: dict[str, tuple[bytes, ...]] = {"pdf": PDF, "jpg": JPEG, "png": PNG}
RECEIPT_TYPE_MESSAGE = _("A receipt must be a photo (JPEG or PNG) or a PDF.")
RECEIPT_SIZE_MESSAGE = _("The receipt is larger than 5 MB.")
RECEIPT_EMPTY_MESSAGE = _("The receipt file is empty.")


def validate_receipt(file) -> None:
    """Size at most 5 MB; content a JPEG, PNG or PDF (by its bytes, not its name)."""
    check_upload(
        file,
        signatures=RECEIPT_SIGNATURES,
        max_bytes=RECEIPT_MAX_BYTES,
        type_message=RECEIPT_TYPE_MESSAGE,
        size_message=RECEIPT_SIZE_MESSAGE,
        empty_message=RECEIPT_EMPTY_MESSAGE,
        code_prefix="receipt",
    )


def receipt_kind(file) -> str | None:
    return sniff_kind(file, RECEIPT_SIGNATURES)


class ExpenseClaim(DecidedRecord):
    """A cost the consultant had for one participation, to be reimbursed."""

    participation = models.ForeignKey(
        Participation, on_delete=models.PROTECT, related_name="expense_claims"
    )
    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="expense_claims", editable=False
    )
    category = models.CharField(_("category"), max_length=16, choices=ExpenseCategory.choices)
    description = models.CharField(_("what it was for"), max_length=300)
    amount = _money_field(
        _("amount (PHP)"), validators=[MinValueValidator(CENT), MaxValueValidator(10**7)]
    )
    incurred_on = models.DateField(_("date of the expense"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    immutable_message = _("A decided claim is never changed.")
    already_decided_message = _("This claim is already decided.")

    class Meta:
        verbose_name = _("expense claim")
        verbose_name_plural = _("expense claims")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="compensation_claim_amount_positive"
            ),
            decision_has_person("compensation_claim_decision_has_person"),
            not_decided_by_recorder("compensation_claim_not_decided_by_recorder", "submitted_by"),
        ]
        indexes = [
            # A consultant's claims, newest first (portal).
            models.Index(
                fields=["consultant", "-submitted_at"], name="compensation_claim_cons_idx"
            ),
            # Staff's "waiting for approval" per participation.
            models.Index(fields=["participation", "status"], name="compensation_claim_part_idx"),
            # The approvals page: waiting claims, oldest first.
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(status="submitted"),
                name="compensation_claim_waiting_idx",
            ),
        ]

    def __str__(self):
        return f"{self.consultant}: {self.get_category_display()} {self.incurred_on:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.participation_id and not self.consultant_id:
            self.consultant_id = self.participation.consultant_id
        super().save(*args, **kwargs)

    @property
    def recorded_by_id(self) -> int | None:
        return self.submitted_by_id


def receipt_upload_to(receipt: Receipt, filename: str) -> str:
    # A random name with the extension of what the content really is: the
    # uploader's file name (which may hold a name or a place) is never kept.
    kind = receipt_kind(receipt.file) or "bin"
    return f"receipts/{uuid.uuid4().hex}.{kind}"


class Receipt(models.Model):
    """A photo or PDF of a receipt, in private storage: served only through
    ``compensation.services.receipt_open``, which checks who is asking."""

    claim = models.ForeignKey(ExpenseClaim, on_delete=models.PROTECT, related_name="receipts")
    file = models.FileField(
        _("receipt"),
        storage=get_private_storage,
        upload_to=receipt_upload_to,
        max_length=200,
        validators=[validate_receipt],
    )
    kind = models.CharField(_("file type"), max_length=4, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["claim", "uploaded_at", "id"]

    def __str__(self):
        return str(_("Receipt #%(pk)s") % {"pk": self.pk})


# --- Payment methods --------------------------------------------------------------------------


class PaymentMethod(models.Model):
    """Where a consultant is paid: a bank account or an e-wallet. The account
    name and number are encrypted; finance reveals them (audited). Retired,
    never deleted, so paid payments keep pointing at what was used."""

    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="payment_methods"
    )
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=[
            (PaymentMethodKind.BANK.value, PaymentMethodKind.BANK.label),
            (PaymentMethodKind.E_WALLET.value, PaymentMethodKind.E_WALLET.label),
        ],
    )
    provider = models.CharField(
        _("bank or e-wallet"), max_length=80, help_text=_("For example: BPI, Landbank, GCash.")
    )
    account_name = EncryptedCharField(_("account name"), max_length=200)
    account_number = EncryptedCharField(_("account number"), max_length=40)
    is_default = models.BooleanField(_("used by default"), default=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("payment method")
        verbose_name_plural = _("payment methods")
        ordering = ["consultant", "-is_default", "-created_at"]
        constraints = [
            # Also the index of "a consultant's methods".
            models.UniqueConstraint(
                fields=["consultant"],
                condition=Q(is_default=True, is_active=True),
                name="compensation_method_one_default",
                violation_error_message=_("A consultant has one default payment method."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.provider}"


# --- Payments and their lines -----------------------------------------------------------------


class Payment(models.Model):
    """Money sent to one consultant: a group of lines, approved by finance,
    then marked paid with the method and reference. Paid is final."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")

    consultant = models.ForeignKey(Consultant, on_delete=models.PROTECT, related_name="payments")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    # The sum of the lines, fixed on approval (PostgreSQL checks it).
    total = _money_field(_("total (PHP)"), default=ZERO, editable=False)
    # The earliest moment any of its lines was payable, and the earliest date
    # one of them was due: fixed on approval, for days-to-pay and on time.
    payable_since = models.DateField(_("payable since"), null=True, blank=True, editable=False)
    due_on = models.DateField(_("due on"), null=True, blank=True, editable=False)
    method = models.CharField(
        _("method"), max_length=10, choices=PaymentMethodKind.choices, blank=True
    )
    payment_method = models.ForeignKey(
        PaymentMethod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("account"),
    )
    reference = models.CharField(
        _("reference"),
        max_length=100,
        blank=True,
        help_text=_("The bank or e-wallet transaction reference, or the cheque number."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    created_at = models.DateTimeField(_("prepared at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked paid by"),
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # Fixed when paid: days from payable_since to the payment (Manila dates),
    # and whether it was paid by due_on.
    days_to_pay = models.IntegerField(_("days to pay"), null=True, blank=True, editable=False)
    on_time = models.BooleanField(_("paid on time"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=0), name="compensation_payment_total_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(status="paid")
                | (
                    Q(paid_at__isnull=False)
                    & Q(paid_by__isnull=False)
                    & ~Q(method="")
                    & Q(days_to_pay__isnull=False)
                    & Q(on_time__isnull=False)
                ),
                name="compensation_payment_paid_is_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(method="cash") | ~Q(reference=""),
                name="compensation_payment_paid_has_reference",
                violation_error_message=_("A payment other than cash needs its reference."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(approved_by__isnull=False) & Q(approved_at__isnull=False)),
                name="compensation_payment_approval_has_person",
            ),
        ]
        indexes = [
            # Finance's "payments by status", newest first.
            models.Index(fields=["status", "-created_at"], name="compensation_pay_status_idx"),
            # Finance's payments list, every status, newest first (its sort).
            models.Index(fields=["-created_at", "-id"], name="compensation_pay_created_idx"),
            # A consultant's payments (portal, statement).
            models.Index(fields=["consultant", "status"], name="compensation_pay_cons_idx"),
            # Totals and the share paid on time per month.
            models.Index(fields=["paid_at"], name="compensation_pay_paid_idx"),
        ]

    def __str__(self):
        return str(_("Payment #%(pk)s") % {"pk": self.pk})

    def save(self, *args, **kwargs):
        if self._stored_status() == self.Status.PAID:
            raise RecordIsImmutable(_("A paid payment is never changed; add an adjustment line."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_status() != self.Status.DRAFT:
            raise RecordIsImmutable(_("Only a draft payment can be removed."))
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_approved(self) -> bool:
        """Approved and not yet paid."""
        return self.status == self.Status.APPROVED

    @property
    def is_paid(self) -> bool:
        return self.status == self.Status.PAID

    def _stored_status(self) -> str | None:
        if self._state.adding or self.pk is None:
            return None
        return type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()


class PaymentLine(models.Model):
    """One amount owed to a consultant, from one approved source. Payable
    (approved) from the moment it exists; paid when its payment is."""

    class Kind(models.TextChoices):
        TIME = "time", _("Time")
        FEE = "fee", _("Honorarium")
        ALLOWANCE = "allowance", _("Allowance")
        EXPENSE = "expense", _("Expense")
        ADVANCE = "advance", _("Advance")
        ADVANCE_RECOVERY = "advance_recovery", _("Advance netted")
        CANCELLATION = "cancellation", _("Late cancellation minimum")
        ADJUSTMENT = "adjustment", _("Adjustment")
        # Paid work for the survivor network outside any participation (an
        # advisory review, a peer circle meeting): ``network_work_line``.
        NETWORK = "network", _("Network work")

    # One line per participation for these kinds (allowance: per kind of allowance).
    ONCE_PER_PARTICIPATION = ("fee", "advance", "cancellation")

    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="payment_lines"
    )
    participation = models.ForeignKey(
        Participation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_lines",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=200)
    amount = _money_field(_("amount (PHP)"), validators=[MaxValueValidator(10**9)])
    time_entry = models.OneToOneField(
        TimeEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="line"
    )
    expense_claim = models.OneToOneField(
        ExpenseClaim, on_delete=models.PROTECT, null=True, blank=True, related_name="line"
    )
    allowance_kind = models.CharField(
        _("allowance"), max_length=16, choices=AllowanceKind.choices, blank=True
    )
    recovers = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recovered_by",
        verbose_name=_("advance netted"),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # What a network line pays for ("review:12", "circle-attendance:34"):
    # one line per source, whoever asks twice.
    source_key = models.CharField(_("source"), max_length=60, blank=True, editable=False)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="lines"
    )
    payable_since = models.DateField(_("payable since"))
    due_on = models.DateField(_("due on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("payment line")
        verbose_name_plural = _("payment lines")
        ordering = ["payable_since", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind__in=[
                            "time",
                            "fee",
                            "allowance",
                            "expense",
                            "advance",
                            "cancellation",
                            "network",
                        ]
                    )
                    & Q(amount__gt=0)
                )
                | (Q(kind="advance_recovery") & Q(amount__lt=0))
                | (Q(kind="adjustment") & ~Q(amount=0)),
                name="compensation_line_amount_sign",
                violation_error_message=_(
                    "Only an adjustment or a netted advance may be negative, and no line is zero."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind="time", time_entry__isnull=False)
                | (~Q(kind="time") & Q(time_entry__isnull=True)),
                name="compensation_line_time_has_entry",
            ),
            models.CheckConstraint(
                condition=Q(kind="expense", expense_claim__isnull=False)
                | (~Q(kind="expense") & Q(expense_claim__isnull=True)),
                name="compensation_line_expense_has_claim",
            ),
            models.CheckConstraint(
                condition=Q(kind="advance_recovery", recovers__isnull=False)
                | (~Q(kind="advance_recovery") & Q(recovers__isnull=True)),
                name="compensation_line_recovery_has_advance",
            ),
            models.CheckConstraint(
                condition=(Q(kind="allowance") & ~Q(allowance_kind=""))
                | (~Q(kind="allowance") & Q(allowance_kind="")),
                name="compensation_line_allowance_has_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind="adjustment") | ~Q(reason=""),
                name="compensation_line_adjustment_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("payable_since")),
                name="compensation_line_due_after_payable",
            ),
            models.UniqueConstraint(
                fields=["participation", "kind"],
                condition=Q(kind__in=["fee", "advance", "cancellation"]),
                name="compensation_line_once_per_participation",
            ),
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~Q(source_key=""),
                name="compensation_line_source_once",
            ),
            models.CheckConstraint(
                condition=(Q(kind="network") & ~Q(source_key="") & Q(participation__isnull=True))
                | (~Q(kind="network") & Q(source_key="")),
                name="compensation_line_network_has_source",
            ),
            models.UniqueConstraint(
                fields=["participation", "allowance_kind"],
                condition=Q(kind="allowance"),
                name="compensation_line_one_allowance_per_kind",
            ),
        ]
        indexes = [
            # Finance's queue and a consultant's grouping: unpaid lines
            # (payment IS NULL) of a consultant, oldest first.
            models.Index(
                fields=["consultant", "payable_since"],
                condition=Q(payment__isnull=True),
                name="compensation_line_unpaid_idx",
            ),
            # Overdue: unpaid lines by due date.
            models.Index(
                fields=["due_on"],
                condition=Q(payment__isnull=True),
                name="compensation_line_overdue_idx",
            ),
            # A statement's lines of a period.
            models.Index(
                fields=["consultant", "payable_since", "id"], name="compensation_line_cons_idx"
            ),
        ]

    def __str__(self):
        return f"{self.consultant}: {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self._stored_payment_status() in (Payment.Status.APPROVED, Payment.Status.PAID):
            raise RecordIsImmutable(
                _("A line of an approved or paid payment is never changed; add an adjustment.")
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_payment_status() in (Payment.Status.APPROVED, Payment.Status.PAID):
            raise RecordIsImmutable(_("A line of an approved or paid payment is never removed."))
        return super().delete(*args, **kwargs)

    def _stored_payment_status(self) -> str | None:
        if self._state.adding or self.pk is None:
            return None
        return (
            type(self).objects.filter(pk=self.pk).values_list("payment__status", flat=True).first()
        )


# The kinds of line on their own, for apps that label totals with them
# (insights) without importing the model.
LineKind = PaymentLine.Kind
