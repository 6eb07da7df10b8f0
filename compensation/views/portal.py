"""The consultant's pay in the portal (/portal/pay/).

No consultant id in any URL: every record is looked up within the signed-in
consultant's own (``compensation.access``), so another's agreement, claim or
receipt answers 404 as if it did not exist. Every page is ``never_cache``.
No JavaScript: plain forms, one action per page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from compensation import access, selectors, services
from compensation.forms import ClaimForm, ReceiptForm, TimeEntryForm
from compensation.views.staff import receipt_response
from consultants.views.portal import portal_page
from core.forms import add_service_errors
from core.shortcuts import posted, require

GET = require_http_methods(["GET"])
GET_POST = require_http_methods(["GET", "POST"])


def _own(record, consultant):
    """Belt and braces: ``*_for_user`` scopes; this refuses anything else."""
    if record.consultant_id != consultant.pk:
        raise Http404
    return record


@portal_page
@GET
def index(request, consultant):
    return render(
        request,
        "compensation/portal/index.html",
        {
            "title": _("Pay"),
            "participations": list(
                selectors.participations_with_compensation(consultant).prefetch_related(
                    "agreements"
                )
            ),
            "balance": selectors.consultant_balance(consultant),
        },
    )


@portal_page
@GET
def agreement(request, consultant, pk):
    item = access.agreement_for_user(request.user, pk)
    _own(item.participation, consultant)
    latest = selectors.agreement_latest(item.participation)
    return render(
        request,
        "compensation/portal/agreement.html",
        {
            "title": _("Agreement"),
            "agreement": item,
            "allowances": list(item.allowances.all()),
            "is_latest": latest is not None and latest.pk == item.pk,
            "can_acknowledge": latest is not None
            and latest.pk == item.pk
            and not item.is_acknowledged
            and access.can_acknowledge_agreement(request.user, item),
        },
    )


@portal_page
@require_POST
def acknowledge(request, consultant, pk):
    item = access.agreement_for_user(request.user, pk)
    require(access.can_acknowledge_agreement(request.user, item))
    try:
        services.agreement_acknowledge(agreement=item, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Thank you: the new terms are in force."))
    return redirect("my_pay:agreement", pk=item.pk)


@portal_page
@GET
def time_entries(request, consultant):
    return render(
        request,
        "compensation/portal/time.html",
        {
            "title": _("Your time"),
            "entries": list(selectors.time_entries_of(consultant).order_by("-date", "-id")[:200]),
        },
    )


@portal_page
@GET_POST
def time_add(request, consultant):
    form = TimeEntryForm(posted(request), consultant=consultant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.time_entry_add(
                participation=data["participation"],
                by=request.user,
                kind=data["kind"],
                date=data["date"],
                hours=data["hours"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your time was sent for approval."))
            return redirect("my_pay:time")
    return render(
        request,
        "compensation/portal/time_add.html",
        {"title": _("Add time"), "form": form},
        status=400 if form.is_bound else 200,
    )


@portal_page
@GET
def claims(request, consultant):
    return render(
        request,
        "compensation/portal/claims.html",
        {
            "title": _("Your expenses"),
            "claims": list(selectors.claims_of(consultant).order_by("-incurred_on", "-id")[:200]),
        },
    )


@portal_page
@GET_POST
def claim_add(request, consultant):
    sent = request.method == "POST"
    form = ClaimForm(
        posted(request),
        request.FILES if sent else None,
        consultant=consultant,
    )
    if sent and form.is_valid():
        data = form.cleaned_data
        try:
            claim = services.claim_submit(
                participation=data["participation"],
                by=request.user,
                category=data["category"],
                description=data["description"],
                amount=data["amount"],
                incurred_on=data["incurred_on"],
                receipts=[data["receipt"]] if data["receipt"] else [],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your expense was sent for approval."))
            return redirect("my_pay:claim", pk=claim.pk)
    return render(
        request,
        "compensation/portal/claim_add.html",
        {"title": _("Claim an expense"), "form": form},
        status=400 if form.is_bound else 200,
    )


@portal_page
@GET_POST
def claim_detail(request, consultant, pk):
    claim = _own(access.claim_for_user(request.user, pk), consultant)
    can_add = access.can_add_receipt(request.user, claim)
    sent = request.method == "POST"
    if sent:
        require(can_add)
    form = ReceiptForm(posted(request), request.FILES if sent else None)
    if sent and form.is_valid():
        try:
            services.receipt_add(claim=claim, by=request.user, file=form.cleaned_data["file"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The receipt was added."))
            return redirect("my_pay:claim", pk=claim.pk)
    return render(
        request,
        "compensation/portal/claim.html",
        {
            "title": _("Expense"),
            "claim": claim,
            "receipts": list(claim.receipts.order_by("uploaded_at")),
            "can_add": can_add,
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@portal_page
@GET
def receipt(request, consultant, pk):
    """The consultant's own receipt (no reason asked of them)."""
    item = access.receipt_for_user(request.user, pk)
    _own(item.claim, consultant)
    handle = services.receipt_open(receipt=item, user=request.user, request=request)
    return receipt_response(item, handle)


@portal_page
@GET
def payments(request, consultant):
    return render(
        request,
        "compensation/portal/payments.html",
        {
            "title": _("Your payments"),
            "payments": list(selectors.payments_of(consultant)[:200]),
            "balance": selectors.consultant_balance(consultant),
        },
    )


@portal_page
@GET
def statements(request, consultant):
    return render(
        request,
        "compensation/portal/statements.html",
        {"title": _("Statements"), "can_request": access.can_request_statement(request.user)},
    )
