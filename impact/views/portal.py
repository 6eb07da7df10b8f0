"""The consultant's "What your voice changed" (/portal/voice/): the
contributions she is credited on and what became of each, in plain words.
Her own only; the other consultants of a contribution never appear."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.decorators import consultant_required
from core.forms import add_service_errors
from core.shortcuts import posted
from impact import access, selectors, services
from impact.forms import CreditForm

PER_PAGE = 20


@never_cache
@consultant_required
@require_http_methods(["GET"])
def index(request):
    consultant = access.consultant_of(request.user)
    page = None
    credits: list = []
    if consultant is not None:
        page = Paginator(selectors.consultant_contributions(consultant), PER_PAGE).get_page(
            request.GET.get("page")
        )
        credits = list(selectors.consultant_credits(consultant)[:PER_PAGE])
    return render(
        request,
        "impact/portal/index.html",
        {"title": _("What your voice changed"), "page_obj": page, "credits": credits},
    )


@never_cache
@consultant_required
@require_http_methods(["GET", "POST"])
def credit(request, pk):
    """How one work credits her: her choice."""
    credit = access.credit_for_consultant(request.user, pk)
    form = CreditForm(
        posted(request),
        initial={"credit_as": credit.credit_as, "chosen_name": credit.chosen_name},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.credit_choose(
                    credit=credit,
                    by=request.user,
                    credit_as=form.cleaned_data["credit_as"],
                    chosen_name=form.cleaned_data["chosen_name"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved. Thank you."))
                return redirect("my_impact:index")
    return render(
        request,
        "impact/portal/credit.html",
        {"title": _("How a work credits you"), "credit": credit, "form": form},
        status=status,
    )
