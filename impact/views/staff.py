"""Staff pages of impact (mounted at /staff/impact/).

Every view: ``staff_required``, then the engagement or contribution through
``impact.access`` (404 for one the user may not see, 403 for one they see
but may not change), then a form, a service, a redirect with a message.
"""

from __future__ import annotations

from allauth.core.internal import ratelimit
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import staff_required
from core.audit import record_view
from core.forms import add_service_errors
from core.search import clean_query
from core.shortcuts import posted
from impact import access, selectors, services
from impact.forms import ContributionForm, FeedbackLinkForm, OutcomeForm, WorkForm
from impact.models import Outcome, OutcomeStatus

GET_POST = require_http_methods(["GET", "POST"])
# Sending partner links: a few per person and hour is plenty.
SEND_RATES = {"send_link": "10/h/user"}


def _engagement_url(engagement) -> str:
    return reverse("impact:engagement", args=[engagement.pk])


PER_PAGE = 25


@staff_required
@require_http_methods(["GET"])
def index(request):
    """Every contribution the person may see, those waiting for an outcome
    first, a page at a time; searched by the engagement's title."""
    if not access.can_view_index(request.user):
        raise PermissionDenied
    query = clean_query(request.GET.get("q", ""))
    visible = access.contributions_visible_to(request.user)
    page = Paginator(selectors.contributions_index(visible, query=query), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "impact/staff/index.html",
        {
            "title": _("Impact"),
            "page_obj": page,
            "query": query,
            "waiting": visible.filter(status=OutcomeStatus.UNKNOWN).count(),
        },
    )


@staff_required
@require_http_methods(["GET"])
def engagement(request, engagement_pk):
    engagement = access.engagement_for_user(request.user, engagement_pk)
    return render(
        request,
        "impact/staff/engagement.html",
        {
            "title": _("Contributions and outcomes"),
            "engagement": engagement,
            "impact": selectors.engagement_impact(engagement),
            "works": selectors.works_of_engagement(engagement),
            "can_record": access.can_record(request.user, engagement),
            "can_ask_partner": access.can_ask_partner(request.user, engagement),
        },
    )


def _contribution_form_page(request, *, engagement, form, contribution=None, status=200):
    return render(
        request,
        "impact/staff/contribution_form.html",
        {
            "title": _("Edit the contribution") if contribution else _("Record a contribution"),
            "engagement": engagement,
            "contribution": contribution,
            "form": form,
        },
        status=status,
    )


@staff_required
@GET_POST
def contribution_add(request, engagement_pk):
    engagement = access.engagement_for_user_to_run(request.user, engagement_pk)
    candidates = services.credit_candidates(engagement)
    form = ContributionForm(posted(request), candidates=candidates)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.contribution_create(
                    engagement=engagement,
                    by=request.user,
                    kind=form.cleaned_data["kind"],
                    summary=form.cleaned_data["summary"],
                    consultants=form.cleaned_data["consultants"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The contribution is recorded."))
                return redirect(_engagement_url(engagement))
        return _contribution_form_page(request, engagement=engagement, form=form, status=400)
    return _contribution_form_page(request, engagement=engagement, form=form)


@staff_required
@require_http_methods(["GET"])
def contribution(request, pk):
    contribution = access.contribution_for_user(request.user, pk)
    outcomes = list(selectors.outcomes_of(contribution))
    contribution.consultant_list = list(
        contribution.consultants.only("pk", "pseudonym").order_by("pseudonym")
    )
    if any(outcome.note for outcome in outcomes):
        record_view(
            actor=request.user,
            instance=contribution.engagement,
            fields=["outcome.note"],
            page=gettext_noop("the contribution page"),
            request=request,
        )
    return render(
        request,
        "impact/staff/contribution.html",
        {
            "title": _("Contribution"),
            "engagement": contribution.engagement,
            "contribution": contribution,
            "outcomes": outcomes,
            "can_record": access.can_record(request.user, contribution.engagement),
        },
    )


@staff_required
@GET_POST
def contribution_edit(request, pk):
    contribution = access.contribution_for_user_to_change(request.user, pk)
    engagement = contribution.engagement
    candidates = services.credit_candidates(engagement)
    initial = {
        "kind": contribution.kind,
        "summary": contribution.summary,
        "consultants": list(contribution.consultants.values_list("pk", flat=True)),
    }
    form = ContributionForm(posted(request), initial=initial, candidates=candidates)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.contribution_update(
                    contribution=contribution,
                    by=request.user,
                    kind=form.cleaned_data["kind"],
                    summary=form.cleaned_data["summary"],
                    consultants=form.cleaned_data["consultants"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The contribution is saved."))
                return redirect("impact:contribution", contribution.pk)
        return _contribution_form_page(
            request, engagement=engagement, form=form, contribution=contribution, status=400
        )
    return _contribution_form_page(
        request, engagement=engagement, form=form, contribution=contribution
    )


@staff_required
@GET_POST
def outcome_add(request, pk):
    contribution = access.contribution_for_user_to_change(request.user, pk)
    form = OutcomeForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        initial={"status": contribution.status, "decided_on": timezone.localdate()},
        began=services.outcome_earliest_day(contribution.engagement),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.outcome_record(
                    contribution=contribution,
                    by=request.user,
                    status=form.cleaned_data["status"],
                    decided_on=form.cleaned_data["decided_on"],
                    note=form.cleaned_data["note"],
                    shared_note=form.cleaned_data["shared_note"],
                    evidence_link=form.cleaned_data["evidence_link"],
                    evidence_file=form.cleaned_data.get("evidence_file"),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The outcome is recorded."))
                return redirect("impact:contribution", contribution.pk)
    return render(
        request,
        "impact/staff/outcome_form.html",
        {
            "title": _("Record an outcome"),
            "engagement": contribution.engagement,
            "contribution": contribution,
            "form": form,
        },
        status=status,
    )


@staff_required
@require_POST
@never_cache
def outcome_evidence(request, pk):
    """The evidence file as a download from private storage (it has no URL);
    asked for with a POST, written to the audit trail first."""
    try:
        outcome = Outcome.objects.select_related("contribution__engagement").get(
            pk=pk, contribution__in=access.contributions_visible_to(request.user)
        )
    except (Outcome.DoesNotExist, ValueError):
        raise Http404("No such outcome.") from None
    if not outcome.evidence_file:
        messages.error(request, _("This outcome has no evidence file."))
        return redirect("impact:contribution", outcome.contribution_id)
    handle = services.outcome_evidence_open(outcome=outcome, by=request.user, request=request)
    extension = outcome.evidence_file.name.rsplit(".", 1)[-1]
    response = FileResponse(
        handle, as_attachment=True, filename=f"tinig-document-{outcome.pk}.{extension}"
    )
    response["Cache-Control"] = "no-store, private"
    return response


@staff_required
@GET_POST
def feedback_link(request, engagement_pk):
    engagement = access.engagement_for_user_to_run(request.user, engagement_pk)
    form = FeedbackLinkForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if not ratelimit.consume(
            request, app="impact", action="send_link", config=SEND_RATES, user=request.user
        ):
            return ratelimit.respond_429(request)
        if form.is_valid():
            try:
                services.feedback_link_send(
                    engagement=engagement,
                    by=request.user,
                    address=form.cleaned_data["address"],
                    language=form.cleaned_data["language"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The link is on its way to the partner."))
                return redirect(_engagement_url(engagement))
    return render(
        request,
        "impact/staff/feedback_link.html",
        {"title": _("Ask the partner"), "engagement": engagement, "form": form},
        status=status,
    )


@staff_required
@GET_POST
def work_add(request, engagement_pk):
    engagement = access.engagement_for_user_to_run(request.user, engagement_pk)
    candidates = services.credit_candidates(engagement)
    form = WorkForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        candidates=candidates,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.work_create(
                    engagement=engagement,
                    by=request.user,
                    title=data["title"],
                    kind=data["kind"],
                    consultants=data["consultants"],
                    published_on=data["published_on"],
                    partners=data["partners"],
                    link=data["link"],
                    file=data.get("file"),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The work is recorded."))
                return redirect(_engagement_url(engagement))
    return render(
        request,
        "impact/staff/work_form.html",
        {"title": _("Record a co-created work"), "engagement": engagement, "form": form},
        status=status,
    )
