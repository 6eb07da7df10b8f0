"""Staff pages of compensation (/staff/compensation/).

Every view: ``staff_required``, then the record fetched through
``compensation.access`` (404 for one the user may not see), then the
``access`` check of the action (403), then a form, then a service. Finance
pages are finance's (managers read the totals and the overdue list);
approvals belong to the staff who run the engagement. Account numbers,
legal names and receipts reach a response only through an audited service
call with a reason, on that response only, never cached.

Four eyes on money: the payment pages ask ``compensation.workflow.options``
which steps to offer; a step the rule refuses this person is not offered
(the reason is shown instead), and sent anyway it is refused by the
service (``SecondPersonRequired``, 403, with the reason).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import staff_required
from compensation import access, selectors, services, workflow
from compensation.forms import (
    AdjustmentForm,
    DecisionForm,
    ExportForm,
    MarkPaidForm,
    OnBehalfClaimForm,
    OnBehalfTimeEntryForm,
    ReasonForm,
    RecordSearchForm,
)
from compensation.models import Payment
from consultants.models import Consultant
from core.forms import add_service_errors
from core.shortcuts import posted, require
from engagements.models import EngagementType

PER_PAGE = 25
GET_POST = require_http_methods(["GET", "POST"])
RECEIPT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}


def no_store(response):
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Index ---------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET"])
def index(request):
    user = request.user
    return render(
        request,
        "compensation/staff/index.html",
        {
            "title": _("Pay"),
            "can_view_finance": access.can_view_finance(user),
            "can_view_totals": access.can_view_finance_totals(user),
            "can_export": access.can_export_payments(user),
            "can_record": access.can_record_on_behalf(user),
            # Finance desk (compensation.views.desk)
            "can_manage_rates": access.can_manage_rates(user),
            "can_open_agreements": access.can_open_agreement_desk(user),
            "waiting_time": selectors.time_entries_waiting(
                access.participations_run_by(user)
            ).count(),
            "waiting_claims": selectors.claims_waiting(access.participations_run_by(user)).count(),
        },
    )


# --- Finance: queue and payments ------------------------------------------------------


@staff_required
@require_http_methods(["GET"])
def queue(request):
    """One row per consultant with lines waiting, totals from SQL, a page at
    a time (the grouping is the query; nothing is summed in Python)."""
    require(access.can_view_finance(request.user))
    page = Paginator(selectors.finance_queue_by_consultant(), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "compensation/staff/queue.html",
        {
            "title": _("Waiting to be paid"),
            "page_obj": page,
            "summary": selectors.finance_queue_summary(),
            "can_manage": access.can_manage_payments(request.user),
        },
    )


def _chosen_line_ids(request) -> list[int] | None:
    """The ids ticked on the group page; None for anything but digits (a
    hostile or broken form): refused whole, never half-used."""
    values = request.POST.getlist("lines")
    if len(values) > selectors.GROUP_PAGE_LINES or not all(
        value.isascii() and value.isdigit() and len(value) < 12 for value in values
    ):
        return None
    return sorted({int(value) for value in values})


@staff_required
@GET_POST
def group(request, consultant_pk):
    """Finance picks which of a consultant's waiting lines go into a draft
    payment (all ticked by default). "Group all" on the queue posts without
    ``chosen`` and takes every waiting line; the page posts ``chosen`` and
    the ticked ``lines``. A line of someone else, one already in a payment
    or an id that is not one is refused with a message, and nothing is
    written."""
    require(access.can_view_finance(request.user))
    consultant = get_object_or_404(Consultant, pk=consultant_pk)
    require(access.can_manage_payments(request.user))
    errors: list[str] = []
    picked: set[int] | None = None
    if request.method == "POST":
        picking = "chosen" in request.POST
        line_ids = _chosen_line_ids(request) if picking else None
        if picking and line_ids is None:
            errors = [_("Choose among the lines shown on this page.")]
        else:
            try:
                payment = services.payment_group(
                    consultant=consultant, by=request.user, line_ids=line_ids
                )
            except ValidationError as error:
                if not picking:
                    for message in error.messages:
                        messages.error(request, message)
                    return redirect("compensation:queue")
                errors = error.messages
            else:
                messages.success(
                    request, _("A draft payment was prepared. Check it, then approve it.")
                )
                return redirect("compensation:payment", pk=payment.pk)
        if line_ids is not None:
            picked = set(line_ids)  # as she ticked them; a broken form: the defaults
    waiting = selectors.waiting_lines_of(consultant)
    later = waiting.extra["later"]
    rows = [
        {
            "line": line,
            "checked": (line.pk in picked) if picked is not None else line.pk not in later,
            "later": line.pk in later,
        }
        for line in waiting.rows
    ]
    return render(
        request,
        "compensation/staff/group.html",
        {
            "title": _("Payment for %(name)s") % {"name": consultant.pseudonym},
            "consultant": consultant,
            "waiting": waiting,
            "rows": rows,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@staff_required
@GET_POST
def adjust(request, consultant_pk):
    """A correction line for a consultant, paid with their next payment."""
    require(access.can_view_finance(request.user))
    consultant = get_object_or_404(Consultant, pk=consultant_pk)
    require(access.can_manage_payments(request.user))
    form = AdjustmentForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.adjustment_add(
                consultant=consultant,
                by=request.user,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The adjustment waits to be paid."))
            return redirect("compensation:queue")
    return render(
        request,
        "compensation/staff/adjust.html",
        {
            "title": _("Adjustment for %(name)s") % {"name": consultant.pseudonym},
            "consultant": consultant,
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@staff_required
@require_http_methods(["GET"])
def payments(request):
    require(access.can_view_finance(request.user))
    status = request.GET.get("status", "")
    if status not in Payment.Status.values:
        status = ""
    page = Paginator(selectors.payments_by_status(status or None), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "compensation/staff/payments.html",
        {
            "title": _("Payments"),
            "status": status,
            "statuses": Payment.Status.choices,
            "counts": selectors.payment_status_counts(),
            "page_obj": page,
        },
    )


def _payment(request, pk) -> Payment:
    require(access.can_view_finance(request.user))
    access.payment_for_user(request.user, pk)
    return selectors.payment_detail(pk)


def _render_payment(request, payment, *, revealed=None, reveal_form=None, status=200):
    user = request.user
    response = render(
        request,
        "compensation/staff/payment.html",
        {
            "title": _("Payment #%(pk)s") % {"pk": payment.pk},
            "payment": payment,
            "lines_total": selectors.payment_lines_total(payment),
            "days_waiting": selectors.payment_days_waiting(payment),
            "can_manage": access.can_manage_payments(user),
            "steps": workflow.options(payment=payment, user=user),
            "four_eyes": workflow.rule_summary(),
            "can_reveal": payment.payment_method_id is not None
            and access.can_reveal_payment_method(user, payment.payment_method),
            "reveal_form": reveal_form or ReasonForm(),
            "revealed": revealed,
            "paid_form": MarkPaidForm(initial={"method": payment.method or "bank"}),
        },
        status=status,
    )
    return no_store(response) if revealed else response


@staff_required
@require_http_methods(["GET"])
def payment_detail(request, pk):
    return _render_payment(request, _payment(request, pk))


def _refusal_status(error: ValidationError) -> int:
    """403 when four eyes refuse the person, 400 for anything else."""
    return 403 if isinstance(error, workflow.SecondPersonRequired) else 400


@staff_required
@GET_POST
def payment_approve(request, pk):
    payment = _payment(request, pk)
    require(access.can_manage_payments(request.user))
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            services.payment_approve(payment=payment, by=request.user)
        except ValidationError as error:
            errors, status = error.messages, _refusal_status(error)
            payment = _payment(request, pk)  # as it is now, for the page
        else:
            messages.success(request, _("The payment was approved."))
            return redirect("compensation:payment", pk=payment.pk)
    return render(
        request,
        "compensation/staff/payment_approve.html",
        {
            "title": _("Approve payment #%(pk)s") % {"pk": payment.pk},
            "payment": payment,
            "step": workflow.options(payment=payment, user=request.user)["approve"],
            "four_eyes": workflow.rule_summary(),
            "lines_total": selectors.payment_lines_total(payment),
            "errors": errors,
        },
        status=status,
    )


@staff_required
@GET_POST
def payment_discard(request, pk):
    """Undo a draft (its lines wait again) or an approval (back to draft)."""
    payment = _payment(request, pk)
    require(access.can_manage_payments(request.user))
    errors = []
    if request.method == "POST":
        try:
            if payment.status == Payment.Status.APPROVED:
                services.payment_return_to_draft(payment=payment, by=request.user)
                messages.success(request, _("The payment is a draft again."))
                return redirect("compensation:payment", pk=payment.pk)
            services.payment_discard(payment=payment, by=request.user)
        except ValidationError as error:
            errors = error.messages
            payment = _payment(request, pk)  # as it is now, for the page
        else:
            messages.success(request, _("The draft was removed; its lines wait again."))
            return redirect("compensation:queue")
    # The page offers the undo only when the workflow allows it (a paid
    # payment is never undone): the same rule as the payment page's link.
    steps = workflow.options(payment=payment, user=request.user)
    step = steps["return_to_draft" if payment.status == Payment.Status.APPROVED else "discard"]
    return render(
        request,
        "compensation/staff/payment_discard.html",
        {
            "title": _("Undo payment #%(pk)s") % {"pk": payment.pk},
            "payment": payment,
            "step": step,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@staff_required
@GET_POST
def payment_paid(request, pk):
    payment = _payment(request, pk)
    require(access.can_manage_payments(request.user))
    form = MarkPaidForm(posted(request), initial={"method": payment.method or "bank"})
    status = 400 if form.is_bound else 200
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_mark_paid(
                payment=payment,
                by=request.user,
                method=form.cleaned_data["method"],
                reference=form.cleaned_data["reference"],
                paid_at=form.paid_at(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            status = _refusal_status(error)
            payment = _payment(request, pk)  # as it is now, for the page
        else:
            messages.success(request, _("The payment is recorded as paid."))
            return redirect("compensation:payment", pk=payment.pk)
    return render(
        request,
        "compensation/staff/payment_paid.html",
        {
            "title": _("Mark payment #%(pk)s paid") % {"pk": payment.pk},
            "payment": payment,
            "step": workflow.options(payment=payment, user=request.user)["mark_paid"],
            "four_eyes": workflow.rule_summary(),
            "form": form,
        },
        status=status,
    )


@staff_required
@never_cache
@require_POST
def payment_reveal(request, pk):
    payment = _payment(request, pk)
    if payment.payment_method is None:
        raise PermissionDenied
    require(access.can_reveal_payment_method(request.user, payment.payment_method))
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            values = services.payment_method_reveal(
                method=payment.payment_method,
                user=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _render_payment(request, payment, revealed=values)
    return no_store(_render_payment(request, payment, reveal_form=form, status=400))


@staff_required
@never_cache
@GET_POST
def export(request):
    require(access.can_export_payments(request.user))
    # The choice shows one page of payments (newest first); a payment ticked
    # on it is checked against every exportable one.
    page = Paginator(ExportForm.exportable(), PER_PAGE).get_page(request.GET.get("page"))
    form = ExportForm(posted(request), shown=page.object_list)
    if request.method == "POST" and form.is_valid():
        try:
            content = services.payment_batch_export(
                payments=form.cleaned_data["payments"],
                user=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            response = HttpResponse(content, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="tinig-payments.csv"'
            return no_store(response)
    return render(
        request,
        "compensation/staff/export.html",
        {"title": _("Export payments for the bank"), "form": form, "page_obj": page},
        status=400 if form.is_bound else 200,
    )


# --- On time and totals -----------------------------------------------------------------


@staff_required
@require_http_methods(["GET"])
def overdue(request):
    require(access.can_view_finance_totals(request.user))
    return render(
        request,
        "compensation/staff/overdue.html",
        {
            "title": _("Overdue"),
            "summary": selectors.overdue_summary(),
            "page_obj": Paginator(selectors.overdue_lines(), PER_PAGE).get_page(
                request.GET.get("page")
            ),
            "target_days": selectors.target_days(),
        },
    )


def _year(request) -> int:
    today = selectors.manila_today()
    try:
        year = int(request.GET.get("year", today.year))
    except (TypeError, ValueError):
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


@staff_required
@require_http_methods(["GET"])
def totals(request):
    require(access.can_view_finance_totals(request.user))
    year = _year(request)
    date_from, date_to = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    type_labels = dict(EngagementType.choices)
    rows = [
        {**row, "type_label": type_labels.get(row["engagement_type"], _("General"))}
        for row in selectors.totals_by_month_and_type(date_from=date_from, date_to=date_to)
    ]
    return render(
        request,
        "compensation/staff/totals.html",
        {
            "title": _("Totals %(year)s") % {"year": year},
            "year": year,
            "previous_year": year - 1,
            "rows": rows,
            "months": selectors.on_time_by_month(date_from=date_from, date_to=date_to),
            "target_days": selectors.target_days(),
        },
    )


# --- Recorded on a consultant's behalf ----------------------------------------------------


@staff_required
@require_http_methods(["GET"])
def record(request):
    """Find where to record time or a claim for a consultant: her
    participations on the engagements this person runs, by pseudonym or
    engagement title, a page at a time (a search, never a list of all)."""
    require(access.can_record_on_behalf(request.user))
    form = RecordSearchForm(request.GET)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(
        selectors.participations_to_record(
            access.participations_run_by(request.user), search=search
        ),
        PER_PAGE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "compensation/staff/record.html",
        {
            "title": _("Record for a consultant"),
            "form": form,
            "search": search,
            "page_obj": page,
        },
        status=200 if form.is_valid() else 400,
    )


@staff_required
@GET_POST
def record_time(request, participation_pk):
    """Time a consultant told staff of, recorded on her behalf: marked so,
    audited, and approved by someone else."""
    participation = access.participation_to_record_for_user(request.user, participation_pk)
    require(access.can_record_for(request.user, participation, on_behalf=True))
    form = OnBehalfTimeEntryForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.time_entry_add(
                participation=participation,
                by=request.user,
                kind=data["kind"],
                date=data["date"],
                hours=data["hours"],
                note=data["note"],
                on_behalf=True,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The time was recorded on %(name)s's behalf. "
                    "Someone else who runs the engagement approves it."
                )
                % {"name": participation.consultant.pseudonym},
            )
            return redirect("compensation:approvals")
    return render(
        request,
        "compensation/staff/record_time.html",
        {
            "title": _("Record time for %(name)s") % {"name": participation.consultant.pseudonym},
            "participation": participation,
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@staff_required
@GET_POST
def record_claim(request, participation_pk):
    """An expense a consultant handed staff (with its receipt), recorded on
    her behalf: the portal's checks of amount and file, marked so, audited,
    and approved by someone else."""
    participation = access.participation_to_record_for_user(request.user, participation_pk)
    require(access.can_record_for(request.user, participation, on_behalf=True))
    sent = request.method == "POST"
    form = OnBehalfClaimForm(posted(request), request.FILES if sent else None)
    if sent and form.is_valid():
        data = form.cleaned_data
        try:
            claim = services.claim_submit(
                participation=participation,
                by=request.user,
                category=data["category"],
                description=data["description"],
                amount=data["amount"],
                incurred_on=data["incurred_on"],
                receipts=[data["receipt"]] if data["receipt"] else [],
                on_behalf=True,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The claim was recorded on %(name)s's behalf. "
                    "Someone else who runs the engagement approves it."
                )
                % {"name": participation.consultant.pseudonym},
            )
            return redirect("compensation:claim", pk=claim.pk)
    return render(
        request,
        "compensation/staff/record_claim.html",
        {
            "title": _("Record an expense for %(name)s")
            % {"name": participation.consultant.pseudonym},
            "participation": participation,
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


# --- Approvals ------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET"])
def approvals(request):
    """Time and claims waiting on the engagements this person runs, each
    list a page at a time (``tpage``, ``cpage``); a claim's receipt count
    is computed for the page's rows only."""
    participations = access.participations_run_by(request.user)
    entries = Paginator(selectors.time_entries_waiting(participations), PER_PAGE).get_page(
        request.GET.get("tpage")
    )
    claims = Paginator(selectors.claims_waiting(participations), PER_PAGE).get_page(
        request.GET.get("cpage")
    )
    return render(
        request,
        "compensation/staff/approvals.html",
        {
            "title": _("Time and claims to approve"),
            "entries": entries,
            "claims": claims,
            "form": DecisionForm(),
            "can_record": access.can_record_on_behalf(request.user),
        },
    )


def _decide(request, form, approve, reject) -> bool:
    """Run the decision; True when done (a message is queued either way)."""
    try:
        if form.cleaned_data["decision"] == "approve":
            approve()
            messages.success(request, _("Approved."))
        else:
            reject(form.cleaned_data["reason"])
            messages.success(request, _("Not approved; the consultant sees your reason."))
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


@staff_required
@require_POST
def time_decide(request, pk):
    entry = access.time_entry_for_user(request.user, pk)
    form = DecisionForm(request.POST)
    if entry.recorded_by_id == request.user.pk:
        # Four eyes: said plainly, with nothing decided.
        form.add_error(None, str(services.RECORDER_MESSAGE))
        return render(
            request,
            "compensation/staff/time_decide.html",
            {"title": _("Time entry"), "entry": entry, "form": form, "can_decide": False},
            status=403,
        )
    require(access.can_decide_time(request.user, entry))
    if form.is_valid() and _decide(
        request,
        form,
        lambda: services.time_entry_approve(entry=entry, by=request.user),
        lambda reason: services.time_entry_reject(entry=entry, by=request.user, reason=reason),
    ):
        return redirect("compensation:approvals")
    return render(
        request,
        "compensation/staff/time_decide.html",
        {"title": _("Time entry"), "entry": entry, "form": form, "can_decide": True},
        status=400,
    )


@staff_required
@GET_POST
def claim_detail(request, pk):
    claim = access.claim_for_user(request.user, pk)
    can_decide = access.can_decide_claim(request.user, claim)
    recorder = claim.recorded_by_id == request.user.pk
    form = DecisionForm(posted(request))
    if request.method == "POST" and recorder:
        # Four eyes: said plainly, with nothing decided.
        form.add_error(None, str(services.RECORDER_MESSAGE))
        return render(
            request,
            "compensation/staff/claim.html",
            {
                "title": _("Expense claim"),
                "claim": claim,
                "receipts": list(claim.receipts.order_by("uploaded_at")),
                "can_decide": False,
                "recorder": True,
                "form": form,
            },
            status=403,
        )
    if request.method == "POST":
        require(can_decide)
    if (
        request.method == "POST"
        and form.is_valid()
        and _decide(
            request,
            form,
            lambda: services.claim_approve(claim=claim, by=request.user),
            lambda reason: services.claim_reject(claim=claim, by=request.user, reason=reason),
        )
    ):
        return redirect("compensation:approvals")
    return render(
        request,
        "compensation/staff/claim.html",
        {
            "title": _("Expense claim"),
            "claim": claim,
            "receipts": list(claim.receipts.order_by("uploaded_at")),
            "can_decide": can_decide and claim.status == "submitted",
            "recorder": recorder,
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@staff_required
@never_cache
@GET_POST
def receipt(request, pk):
    """A receipt, with a reason (audited), as a download under a discreet
    name; it never has a URL of its own in storage."""
    item = access.receipt_for_user(request.user, pk)
    require(access.can_view_receipt(request.user, item))
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            handle = services.receipt_open(
                receipt=item,
                user=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return receipt_response(item, handle)
    return render(
        request,
        "compensation/staff/receipt.html",
        {"title": _("Open the receipt"), "receipt": item, "claim": item.claim, "form": form},
        status=400 if form.is_bound else 200,
    )


def receipt_response(item, handle):
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=services.receipt_download_name(item),
        content_type=RECEIPT_TYPES.get(item.kind, "application/octet-stream"),
    )
    return no_store(response)
