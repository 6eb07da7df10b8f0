"""The finance desk (/staff/compensation/desk/): rate cards, allowance
policies and agreements, managed in the staff site rather than the admin.

Rates and allowance policies: ``access.can_manage_rates`` (finance officers,
programme managers, administrators) reads and manages them; everyone else
gets 403. Each is a list of versions (current, planned, past), a form for a
new version from a date, "end" for a version that has not ended, and
"change" or "remove" (with a confirmation) for a planned version no
agreement was made from. The rules are ``compensation.services.rates``'.

Agreements: a search (pseudonym or engagement title; never a list of every
row) of the participations ``user`` may propose for
(``access.participations_for_agreement_desk``), then the page of one
participation: its versions and the form of the next one (the first, or a
change the consultant acknowledges in the portal).

Thin views: access (404 for what one may not see, 403 for what one may
not do) → form → service → redirect + message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.decorators import staff_required
from compensation import access, selectors, services
from compensation.forms_desk import (
    AgreementForm,
    AllowancePolicyForm,
    EndVersionForm,
    ParticipationSearchForm,
    RateCardForm,
    VersionFilterForm,
)
from compensation.models import Agreement, AllowancePolicy, RateCard
from compensation.services.rates import (
    FUTURE,
    RATE_TERMS,
    series_predecessor,
    series_successor_start,
    version_editable,
    version_state,
)
from core.forms import add_service_errors
from core.shortcuts import posted, require

PER_PAGE = 50
SEARCH_PER_PAGE = 25
GET_POST = require_http_methods(["GET", "POST"])

STATE_LABELS = {
    "current": gettext_lazy("In effect"),
    "future": gettext_lazy("Planned"),
    "past": gettext_lazy("Ended"),
}


@dataclass(frozen=True)
class Series:
    """Rate cards or allowance policies: what differs between the two."""

    model: type[RateCard] | type[AllowancePolicy]
    form: type[RateCardForm] | type[AllowancePolicyForm]
    prefix: str  # URL names: desk_<prefix>s, desk_<prefix>_add, …
    template: str

    def url(self, action: str = "") -> str:
        return f"compensation:desk_{self.prefix}{'_' + action if action else 's'}"


RATES = Series(RateCard, RateCardForm, "rate", "compensation/staff/desk/rates.html")
POLICIES = Series(
    AllowancePolicy, AllowancePolicyForm, "allowance", "compensation/staff/desk/allowances.html"
)


def _manager(request) -> None:
    require(access.can_manage_rates(request.user))


def _version(series: Series, pk: Any):
    try:
        return series.model.objects.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("No such version.") from None


def _title(series: Series) -> str:
    return _("Rate cards") if series is RATES else _("Allowance policy")


def _mark(versions, today) -> list:
    for version in versions:
        version.state = version_state(version, today=today)
        version.state_label = STATE_LABELS[version.state]
        version.editable = version.state == FUTURE and not getattr(version, "used", False)
    return versions


# --- Lists ---------------------------------------------------------------------------------


def _list(request, series: Series):
    _manager(request)
    today = selectors.manila_today()
    queryset: Any = series.model.objects.select_related("created_by")
    form = None
    if series is RATES:
        form = VersionFilterForm(request.GET or None)
        queryset = queryset.filter(**form.filters()).annotate(
            used=Exists(Agreement.objects.filter(rate_card=OuterRef("pk")))
        )
    page = Paginator(queryset.order_by(*series.model._meta.ordering, "pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        series.template,
        {
            "title": _title(series),
            "form": form,
            "page_obj": page,
            "versions": _mark(list(page.object_list), today),
            "today": today,
        },
    )


@staff_required
@require_http_methods(["GET"])
def rates(request):
    return _list(request, RATES)


@staff_required
@require_http_methods(["GET"])
def allowances(request):
    return _list(request, POLICIES)


# --- Add, change, end, remove ---------------------------------------------------------------


def _values(series: Series, data: dict[str, Any]) -> dict[str, Any]:
    if series is RATES:
        return {name: data.get(name) for name in RATE_TERMS} | {
            "effective_from": data["effective_from"],
            "effective_to": data.get("effective_to"),
        }
    return {
        name: data.get(name)
        for name in (
            "default_amount",
            "paid_in_advance",
            "in_person_only",
            "receipt_required_above",
            "is_active",
            "effective_from",
            "effective_to",
        )
    }


def _add(request, series: Series):
    _manager(request)
    initial: dict[str, Any] = {"effective_from": selectors.manila_today()}
    if series is POLICIES:
        initial.update(paid_in_advance=True, is_active=True)
    for name in ("engagement_type", "role", "kind"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    form = series.form(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if series is RATES:
                services.rate_card_create(
                    engagement_type=data["engagement_type"],
                    role=data["role"],
                    by=request.user,
                    **_values(series, data),
                )
            else:
                services.allowance_policy_create(
                    kind=data["kind"], by=request.user, **_values(series, data)
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The new version is saved."))
            return redirect(series.url())
    return render(
        request,
        "compensation/staff/desk/version_form.html",
        {
            "title": _("New version"),
            "form": form,
            "series_title": _title(series),
            "back": series.url(),
            "submit": _("Save the new version"),
        },
        status=400 if form.is_bound else 200,
    )


def _edit(request, series: Series, pk):
    _manager(request)
    version = _version(series, pk)
    if not version_editable(version):
        raise PermissionDenied(_("Only a planned version no agreement used can be changed."))
    initial = {
        name: getattr(version, name) for name in series.form.base_fields if hasattr(version, name)
    }
    form = series.form(posted(request), initial=initial, series=False)
    if request.method == "POST" and form.is_valid():
        try:
            if isinstance(version, RateCard):
                services.rate_card_change(
                    card=version, by=request.user, **_values(series, form.cleaned_data)
                )
            else:
                services.allowance_policy_change(
                    policy=version, by=request.user, **_values(series, form.cleaned_data)
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The planned version is changed."))
            return redirect(series.url())
    return render(
        request,
        "compensation/staff/desk/version_form.html",
        {
            "title": _("Change a planned version"),
            "version": version,
            "form": form,
            "series_title": _title(series),
            "back": series.url(),
            "submit": _("Save the change"),
        },
        status=400 if form.is_bound else 200,
    )


def _end(request, series: Series, pk):
    _manager(request)
    version = _version(series, pk)
    if version_state(version) == "past":
        raise PermissionDenied(_("This version has already ended; it is kept as it was."))
    form = EndVersionForm(posted(request), initial={"effective_to": selectors.manila_today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.version_end(
                version=version, by=request.user, effective_to=form.cleaned_data["effective_to"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The version's last day is saved."))
            return redirect(series.url())
    return render(
        request,
        "compensation/staff/desk/version_end.html",
        {
            "title": _("End a version"),
            "version": version,
            "state_label": STATE_LABELS[version_state(version)],
            "form": form,
            "series_title": _title(series),
            "back": series.url(),
        },
        status=400 if form.is_bound else 200,
    )


def _remove(request, series: Series, pk):
    _manager(request)
    version = _version(series, pk)
    if not version_editable(version):
        raise PermissionDenied(_("Only a planned version no agreement used can be removed."))
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.version_remove(version=version, by=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("The planned version is removed."))
            return redirect(series.url())
    predecessor = series_predecessor(version)
    return render(
        request,
        "compensation/staff/desk/version_remove.html",
        {
            "title": _("Remove a planned version"),
            "version": version,
            "predecessor": predecessor,
            "successor_start": series_successor_start(version),
            "errors": errors,
            "series_title": _title(series),
            "back": series.url(),
        },
        status=400 if errors else 200,
    )


@staff_required
@GET_POST
def rate_add(request):
    return _add(request, RATES)


@staff_required
@GET_POST
def rate_edit(request, pk):
    return _edit(request, RATES, pk)


@staff_required
@GET_POST
def rate_end(request, pk):
    return _end(request, RATES, pk)


@staff_required
@GET_POST
def rate_remove(request, pk):
    return _remove(request, RATES, pk)


@staff_required
@GET_POST
def allowance_add(request):
    return _add(request, POLICIES)


@staff_required
@GET_POST
def allowance_edit(request, pk):
    return _edit(request, POLICIES, pk)


@staff_required
@GET_POST
def allowance_end(request, pk):
    return _end(request, POLICIES, pk)


@staff_required
@GET_POST
def allowance_remove(request, pk):
    return _remove(request, POLICIES, pk)


# --- Agreements ----------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET"])
def agreements(request):
    """Search-then-choose: the participations ``user`` may propose for whose
    consultant's pseudonym or engagement's title holds the words."""
    require(access.can_open_agreement_desk(request.user))
    form = ParticipationSearchForm(request.GET or None)
    query = form.query()
    page = None
    if query:
        participations = (
            access.participations_for_agreement_desk(request.user)
            .exclude(status__in=services.NO_AGREEMENT_FOR)
            .filter(
                Q(consultant__pseudonym__icontains=query) | Q(engagement__title__icontains=query)
            )
            .select_related("consultant", "engagement")
            .order_by("-engagement__start", "consultant__pseudonym", "pk")
        )
        page = Paginator(participations, SEARCH_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "compensation/staff/desk/agreements.html",
        {
            "title": _("Agreements"),
            "form": form,
            "query": query,
            "page_obj": page,
        },
    )


def _participation_for(request, pk):
    """404 unless ``user`` may see its agreements; 403 unless they may propose."""
    from engagements.models import Participation

    try:
        participation = Participation.objects.select_related("consultant", "engagement").get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("No such participation.") from None
    if not access.can_view_agreement(request.user, participation):
        raise Http404("No such participation.")
    require(access.can_propose_agreement(request.user, participation))
    return participation


@staff_required
@GET_POST
def agreement(request, participation_pk):
    """The versions of one participation's agreement and the form of the
    next: a first proposal, or a change the consultant acknowledges."""
    participation = _participation_for(request, participation_pk)
    versions = list(
        selectors.agreements_of(participation.consultant)
        .filter(participation=participation)
        .prefetch_related("allowances")
        .select_related("proposed_by")
        .order_by("-version")
    )
    latest = versions[0] if versions else None
    closed = participation.status in services.NO_AGREEMENT_FOR
    terms, allowances = services.agreement_draft(participation)
    form = AgreementForm(posted(request), initial=AgreementForm.initial_from(terms, allowances))
    if request.method == "POST" and not closed and form.is_valid():
        try:
            if latest is not None:
                services.agreement_change(
                    agreement=latest,
                    by=request.user,
                    change_note=form.cleaned_data["change_note"],
                    terms=form.terms(),
                    allowances=form.allowances(),
                )
            else:
                services.agreement_propose(
                    participation=participation,
                    by=request.user,
                    terms=form.terms(),
                    allowances=form.allowances(),
                    change_note=form.cleaned_data["change_note"],
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The new version is proposed. The consultant is asked to acknowledge it.")
                if any(v.is_acknowledged for v in versions)
                else _("The agreement is proposed."),
            )
            return redirect("compensation:desk_agreement", participation_pk=participation.pk)
    elif request.method == "POST" and closed:
        form.add_error(None, _("This invitation is closed: there is nothing to agree."))
    in_force = next((v for v in versions if v.is_acknowledged), None)
    return render(
        request,
        "compensation/staff/desk/agreement.html",
        {
            "title": _("Agreement of %(name)s") % {"name": participation.consultant.pseudonym},
            "participation": participation,
            "versions": versions,
            "latest": latest,
            "in_force": in_force,
            "closed": closed,
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )
