"""The admin site for compensation: administrators only (config/urls.py).

Money records are written by ``compensation.services`` (which check the
rules: who approves, the 24-hour day, receipts, one line per source), so
here they are read-only: agreements, time entries, claims, receipts, lines
and payments. Rate cards and allowance policies are edited here (rates
through the same overlap rule PostgreSQL enforces). A paid payment and its
lines are read-only everywhere (PostgreSQL refuses the change anyway).

No encrypted value (account name and number) is ever in a list, a search or
a change form of an existing payment method; finance reveals them on the
staff site, audited. Receipt files are not linked: they have no URL.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from compensation.models import (
    Agreement,
    AgreementAllowance,
    AllowancePolicy,
    ExpenseClaim,
    Payment,
    PaymentLine,
    PaymentMethod,
    RateCard,
    Receipt,
    TimeEntry,
)
from core.admin import ReadOnlyAdmin
from core.encryption import encrypted_field_names


@admin.register(RateCard)
class RateCardAdmin(admin.ModelAdmin):
    list_display = ["engagement_type", "role", "unit", "amount", "effective_from", "effective_to"]
    list_filter = ["engagement_type", "role", "unit"]
    date_hierarchy = "effective_from"
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # A rate that agreements used stays (PROTECT); close it with an end date.
        return obj is None or not obj.agreements.exists()


@admin.register(AllowancePolicy)
class AllowancePolicyAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "default_amount",
        "paid_in_advance",
        "in_person_only",
        "receipt_required_above",
        "is_active",
        "effective_from",
        "effective_to",
    ]
    list_filter = ["kind", "paid_in_advance", "is_active"]
    readonly_fields = ["created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False


class AgreementAllowanceInline(admin.TabularInline):
    model = AgreementAllowance
    extra = 0
    can_delete = False
    fields = ["kind", "amount", "paid_in_advance"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = [
        "participation",
        "version",
        "rate_unit",
        "rate_amount",
        "advance_amount",
        "proposed_at",
        "acknowledged_at",
    ]
    list_filter = ["rate_unit"]
    search_fields = ["participation__consultant__pseudonym", "participation__engagement__title"]
    list_select_related = ["participation__consultant", "participation__engagement"]
    inlines = [AgreementAllowanceInline]


@admin.register(AgreementAllowance)
class AgreementAllowanceAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "kind", "amount", "paid_in_advance"]
    list_filter = ["kind"]
    list_select_related = [
        "agreement__participation__consultant",
        "agreement__participation__engagement",
    ]


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnlyAdmin):
    list_display = ["consultant", "participation", "kind", "date", "hours", "status", "entered_by"]
    list_filter = ["status", "kind"]
    search_fields = ["consultant__pseudonym", "participation__engagement__title"]
    list_select_related = [
        "consultant",
        "participation__engagement",
        "participation__consultant",
        "entered_by",
    ]
    date_hierarchy = "date"
    # In the order of the form (the decision fields come from DecidedRecord).
    fields = [
        "participation",
        "kind",
        "date",
        "hours",
        "note",
        "status",
        "entered_by",
        "entered_at",
        "decided_by",
        "decided_at",
        "rejection_reason",
    ]


class ReceiptInline(admin.TabularInline):
    model = Receipt
    extra = 0
    can_delete = False
    fields = ["kind", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ExpenseClaim)
class ExpenseClaimAdmin(ReadOnlyAdmin):
    list_display = ["consultant", "participation", "category", "amount", "incurred_on", "status"]
    list_filter = ["status", "category"]
    search_fields = ["consultant__pseudonym", "participation__engagement__title"]
    list_select_related = ["consultant", "participation__engagement", "participation__consultant"]
    inlines = [ReceiptInline]
    # In the order of the form (the decision fields come from DecidedRecord).
    fields = [
        "participation",
        "category",
        "description",
        "amount",
        "incurred_on",
        "status",
        "submitted_by",
        "submitted_at",
        "decided_by",
        "decided_at",
        "rejection_reason",
    ]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "claim", "kind", "size", "uploaded_at"]
    list_filter = ["kind"]
    list_select_related = ["claim__consultant"]
    # The file has no URL: only its facts are shown.
    fields = ["claim", "kind", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(PaymentMethod)
class PaymentMethodAdmin(admin.ModelAdmin):
    list_display = ["consultant", "kind", "provider", "is_default", "is_active", "created_at"]
    list_filter = ["kind", "is_default", "is_active"]
    search_fields = ["consultant__pseudonym", "provider"]  # never an encrypted field
    list_select_related = ["consultant"]
    readonly_fields = ["created_by", "created_at"]
    autocomplete_fields = ["consultant"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None:
            return fields  # typing a value in is not revealing it
        hidden = set(encrypted_field_names(PaymentMethod))
        return [field for field in fields if field not in hidden]

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if obj is not None:
            exclude += encrypted_field_names(PaymentMethod)
        return exclude

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False  # retire it ("in use" off): payments point at it


class PaymentLineInline(admin.TabularInline):
    model = PaymentLine
    extra = 0
    can_delete = False
    fields = ["kind", "description", "amount", "payable_since", "due_on"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    """Read-only: payments move through the finance pages (services)."""

    list_display = [
        "__str__",
        "consultant",
        "status",
        "total",
        "method",
        "paid_at",
        "days_to_pay",
        "on_time",
    ]
    list_filter = ["status", "method", "on_time"]
    search_fields = ["consultant__pseudonym", "reference"]
    list_select_related = ["consultant"]
    date_hierarchy = "created_at"
    exclude = ["payment_method"]
    readonly_fields = [
        "consultant",
        "status",
        "total",
        "method",
        "reference",
        "note",
        "payable_since",
        "due_on",
        "created_by",
        "created_at",
        "approved_by",
        "approved_at",
        "paid_by",
        "paid_at",
        "days_to_pay",
        "on_time",
        "account",
    ]
    inlines = [PaymentLineInline]

    @admin.display(description=_("account"))
    def account(self, obj):
        return str(obj.payment_method) if obj.payment_method_id else "—"


@admin.register(PaymentLine)
class PaymentLineAdmin(ReadOnlyAdmin):
    list_display = [
        "consultant",
        "kind",
        "description",
        "amount",
        "payable_since",
        "due_on",
        "payment",
    ]
    list_filter = ["kind"]
    search_fields = ["consultant__pseudonym", "description"]
    list_select_related = ["consultant", "payment"]
    date_hierarchy = "payable_since"
