"""Who may see or do what with compensation. The ONLY place in this app that
checks roles; views, services, selectors and the statement ask here.

Finance (``finance officer``): every rate, agreement, entry, claim, line and
payment; groups lines into payments, approves them, marks them paid, adds
adjustments; the only role that reveals payment details (account name and
number) or exports a payment batch, each audited. Administrators see
everything finance sees and manage rates, but reveal and export only if
they also hold the finance role (finance only).

Rates and allowance policies: finance, programme managers, administrators
(``can_manage_rates``: they read and manage them on the finance desk,
/staff/compensation/desk/; a rate sets what engagements pay, which managers
plan and finance pays).

An agreement, a time entry, an expense claim (and its receipts): those who
run the engagement (``engagements.access.can_run``: its owner and assigned
programme staff, managers, administrators) and finance; the consultant
their own. Staff propose and change agreements; the consultant acknowledges
a change (or staff record an acknowledgement the consultant gave them).

Approving time and claims: those who run the engagement, never the person
who entered the time or submitted the claim, and never a consultant.
Recording them on a consultant's behalf (``can_record_on_behalf``, the
participation through ``participation_to_record_for_user``): those who run
the engagement; the record is marked so, and its recorder never decides it
(the services say why; PostgreSQL checks it too).

Payments and statements: finance and administrators (read), the consultant
their own. Who may take which step of one payment (four eyes on money: the
grouper never approves, the approver does not mark paid above
``PAYMENT_TWO_PERSON_ABOVE``) is ``compensation.workflow``'s, on top of
``can_manage_payments``. Programme managers see totals and the overdue list (to act on
late approvals) but not payment details.

Not visible means 404 (``*_for_user``); visible but not allowed means 403.
A consultant asking for someone else's record gets a 404, as if it did not
exist. Wellbeing leads see nothing here.
"""

from __future__ import annotations

from typing import TypeGuard, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.access import AnyUser
from accounts.models import User
from accounts.roles import Role, has_role
from compensation.models import (
    Agreement,
    ExpenseClaim,
    Payment,
    PaymentLine,
    PaymentMethod,
    Receipt,
    TimeEntry,
)
from consultants.models import Consultant
from engagements import access as engagements_access
from engagements.models import Participation

M = TypeVar("M", bound=models.Model)

# Participation statuses in which time and costs may be recorded: the
# consultant was (or is) booked. Declined or revoked invitations hold none.
RECORDABLE = frozenset(
    {
        Participation.Status.ACCEPTED,
        Participation.Status.CONFIRMED,
        Participation.Status.ATTENDED,
        Participation.Status.NO_SHOW,
        Participation.Status.WITHDRAWN,
        Participation.Status.CANCELLED,
    }
)


# --- Who is who ---------------------------------------------------------------------


def _active(user: AnyUser | None) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _is_admin(user: AnyUser) -> bool:
    return _active(user) and (user.is_superuser or has_role(user, Role.ADMINISTRATOR))


def is_finance(user: AnyUser) -> bool:
    """The finance officer role itself (reveal and export need exactly this)."""
    return _active(user) and has_role(user, Role.FINANCE_OFFICER)


def _finance_or_admin(user: AnyUser) -> bool:
    return is_finance(user) or _is_admin(user)


def _is_manager(user: AnyUser) -> bool:
    return _active(user) and has_role(user, Role.PROGRAMME_MANAGER)


def consultant_of(user: AnyUser) -> Consultant | None:
    return engagements_access.consultant_of(user)


def _is_consultant(user: AnyUser) -> TypeGuard[User]:
    return _active(user) and has_role(user, Role.CONSULTANT)


def _is_own(user: AnyUser, consultant: Consultant | None) -> bool:
    return (
        consultant is not None
        and consultant.user_id is not None
        and _is_consultant(user)
        and consultant.user_id == user.pk
    )


def _runs(user: AnyUser, participation: Participation) -> bool:
    return engagements_access.can_run(user, participation.engagement)


# --- Finance site -------------------------------------------------------------------


def can_view_finance(user: AnyUser) -> bool:
    """The finance pages: queue, payments, overdue, totals."""
    return _finance_or_admin(user)


def can_view_finance_totals(user: AnyUser) -> bool:
    """Totals by month and type, the overdue list, share paid on time."""
    return _finance_or_admin(user) or _is_manager(user)


def can_manage_payments(user: AnyUser) -> bool:
    """Group lines, approve, mark paid, add adjustments."""
    return is_finance(user) or _is_admin(user)


def can_manage_rates(user: AnyUser) -> bool:
    return _finance_or_admin(user) or _is_manager(user)


def can_reveal_payment_method(user: AnyUser, method: PaymentMethod | None = None) -> bool:
    return is_finance(user)


def can_export_payments(user: AnyUser) -> bool:
    return is_finance(user)


def can_manage_payment_method(user: AnyUser, consultant: Consultant) -> bool:
    """Add or retire a payment method: the consultant, or finance for them."""
    return is_finance(user) or _is_own(user, consultant)


# --- Agreements ---------------------------------------------------------------------


def can_propose_agreement(user: AnyUser, participation: Participation) -> bool:
    return _runs(user, participation) or is_finance(user)


def participations_for_agreement_desk(user: AnyUser) -> QuerySet[Participation]:
    """Whose agreements ``user`` may propose or change on the finance desk:
    every participation for finance, those of the engagements they run for
    the staff who run them (``can_propose_agreement``, as a query)."""
    if is_finance(user):
        return Participation.objects.all()
    return participations_run_by(user)


def can_open_agreement_desk(user: AnyUser) -> bool:
    """The desk's search of participations: finance, and staff who may run
    engagements (programme staff, managers, administrators)."""
    return (
        is_finance(user)
        or _is_admin(user)
        or _is_manager(user)
        or (_active(user) and has_role(user, Role.PROGRAMME_STAFF))
    )


def can_view_agreement(user: AnyUser, participation: Participation) -> bool:
    return (
        _runs(user, participation)
        or _finance_or_admin(user)
        or _is_own(user, participation.consultant)
    )


def can_acknowledge_agreement(
    user: AnyUser, agreement: Agreement, *, on_behalf: bool = False
) -> bool:
    """The consultant, from the portal; ``on_behalf``: staff who run the
    engagement recording an acknowledgement the consultant gave them."""
    participation = agreement.participation
    if on_behalf:
        return _runs(user, participation)
    return _is_own(user, participation.consultant)


# --- Time and claims ----------------------------------------------------------------


def can_record_for(user: AnyUser, participation: Participation, *, on_behalf: bool = False) -> bool:
    """Enter time or submit a claim: the consultant themselves, or staff who
    run the engagement on their behalf."""
    if on_behalf:
        return _runs(user, participation)
    return _is_own(user, participation.consultant)


def can_record_on_behalf(user: AnyUser) -> bool:
    """The staff page "record for a consultant": those who may run an
    engagement (programme staff, managers, administrators); which
    participations each may record for is ``participations_run_by``."""
    return (
        _is_admin(user)
        or _is_manager(user)
        or (_active(user) and has_role(user, Role.PROGRAMME_STAFF))
    )


def participation_to_record_for_user(user: AnyUser, pk: object) -> Participation:
    """A participation staff may record time or a claim on: one of an
    engagement they run (404 otherwise, as if it did not exist)."""
    if not can_record_on_behalf(user):
        raise PermissionDenied("You may not record for consultants.")
    return _get(
        participations_run_by(user).select_related("consultant", "engagement"),
        pk,
        "No such participation.",
    )


def can_decide_time(user: AnyUser, entry: TimeEntry) -> bool:
    return (
        not _is_consultant(user)
        and entry.entered_by_id != getattr(user, "pk", None)
        and _runs(user, entry.participation)
    )


def can_decide_claim(user: AnyUser, claim: ExpenseClaim) -> bool:
    return (
        not _is_consultant(user)
        and claim.submitted_by_id != getattr(user, "pk", None)
        and _runs(user, claim.participation)
    )


def can_view_claim(user: AnyUser, claim: ExpenseClaim) -> bool:
    return (
        _is_own(user, claim.consultant)
        or _finance_or_admin(user)
        or _runs(user, claim.participation)
    )


def can_view_receipt(user: AnyUser, receipt: Receipt) -> bool:
    return can_view_claim(user, receipt.claim)


def can_add_receipt(user: AnyUser, claim: ExpenseClaim) -> bool:
    """While the claim waits: whoever submitted it, or the consultant."""
    if claim.status != "submitted":
        return False
    return _is_own(user, claim.consultant) or claim.submitted_by_id == getattr(user, "pk", None)


# --- Statements -----------------------------------------------------------------------


def can_request_statement(user: AnyUser) -> bool:
    """The statement kind is offered to consultants (their own) and finance."""
    return is_finance(user) or _is_consultant(user)


def can_request_statement_for(user: AnyUser, consultant: Consultant) -> bool:
    return is_finance(user) or _is_own(user, consultant)


def statement_consultants_for(user: AnyUser) -> QuerySet[Consultant]:
    """Whom ``user`` may request a statement for."""
    if is_finance(user):
        return Consultant.objects.all()
    if _is_consultant(user):
        return Consultant.objects.filter(user=user)
    return Consultant.objects.none()


# --- Scoped lists and 404s ----------------------------------------------------------------


def participations_run_by(user: AnyUser) -> QuerySet[Participation]:
    engagements = engagements_access.engagements_run_by(user)
    if not engagements.query.has_filters():
        # Every engagement (managers): no filter, so that a query over
        # these participations needs no semi-join of every engagement.
        return Participation.objects.all()
    return Participation.objects.filter(engagement__in=engagements.values("pk"))


def _scope(
    queryset: QuerySet[M],
    user: AnyUser,
    *,
    consultant_path: str,
    participation_path: str | None,
) -> QuerySet[M]:
    if not _active(user):
        return queryset.none()
    if _finance_or_admin(user):
        return queryset
    conditions = Q()
    if _is_consultant(user):
        conditions |= Q(**{f"{consultant_path}__user": user})
    if participation_path is not None and (
        _is_manager(user) or has_role(user, Role.PROGRAMME_STAFF)
    ):
        conditions |= Q(**{f"{participation_path}__in": participations_run_by(user).values("pk")})
    return queryset.filter(conditions) if conditions else queryset.none()


def agreements_visible_to(user: AnyUser) -> QuerySet[Agreement]:
    return _scope(
        Agreement.objects.all(),
        user,
        consultant_path="participation__consultant",
        participation_path="participation",
    )


def time_entries_visible_to(user: AnyUser) -> QuerySet[TimeEntry]:
    return _scope(
        TimeEntry.objects.all(),
        user,
        consultant_path="consultant",
        participation_path="participation",
    )


def claims_visible_to(user: AnyUser) -> QuerySet[ExpenseClaim]:
    return _scope(
        ExpenseClaim.objects.all(),
        user,
        consultant_path="consultant",
        participation_path="participation",
    )


def payments_visible_to(user: AnyUser) -> QuerySet[Payment]:
    return _scope(
        Payment.objects.all(), user, consultant_path="consultant", participation_path=None
    )


def lines_visible_to(user: AnyUser) -> QuerySet[PaymentLine]:
    return _scope(
        PaymentLine.objects.all(), user, consultant_path="consultant", participation_path=None
    )


def _get(queryset: QuerySet[M], pk: object, message: str) -> M:
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(message) from None


def agreement_for_user(user: AnyUser, pk: object) -> Agreement:
    return _get(
        agreements_visible_to(user).select_related("participation__engagement"),
        pk,
        "No such agreement.",
    )


def time_entry_for_user(user: AnyUser, pk: object) -> TimeEntry:
    return _get(
        time_entries_visible_to(user).select_related("participation__engagement"),
        pk,
        "No such time entry.",
    )


def claim_for_user(user: AnyUser, pk: object) -> ExpenseClaim:
    return _get(
        claims_visible_to(user).select_related("participation__engagement"), pk, "No such claim."
    )


def receipt_for_user(user: AnyUser, pk: object) -> Receipt:
    """The receipt, or 404 for anyone who may not see its claim."""
    return _get(
        Receipt.objects.filter(claim__in=claims_visible_to(user).values("pk")).select_related(
            "claim__participation__engagement"
        ),
        pk,
        "No such receipt.",
    )


def payment_for_user(user: AnyUser, pk: object) -> Payment:
    return _get(payments_visible_to(user).select_related("consultant"), pk, "No such payment.")


def payment_for_finance(user: AnyUser, pk: object) -> Payment:
    """404 for those who may not see it, 403 for those who see but may not act."""
    payment = payment_for_user(user, pk)
    if not can_manage_payments(user):
        raise PermissionDenied("You may not change payments.")
    return payment


def payment_method_for_finance(user: AnyUser, pk: object) -> PaymentMethod:
    queryset = PaymentMethod.objects.select_related("consultant")
    if _is_consultant(user) and not can_view_finance(user):
        queryset = queryset.filter(consultant__user=user)
    elif not can_view_finance(user):
        raise Http404("No such payment method.")
    return _get(queryset, pk, "No such payment method.")
