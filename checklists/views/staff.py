"""Staff pages for checklists (mounted at /staff/checklists/).

Every view: ``staff_required``, then the engagement or item fetched through
``checklists.access`` (404 for one the user may not see), then the action's
check (403), then a form, then a service, then a redirect with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import staff_required
from checklists import access, selectors, services
from checklists.forms import (
    ConfirmForm,
    DoneForm,
    HandoverForm,
    HandoverSearchForm,
    NotApplicableForm,
    ReassignForm,
)
from core.forms import add_service_errors
from core.shortcuts import posted

PER_PAGE = 50
# The compliance table is wide (a row per engagement, five figures): 25 a page.
COMPLIANCE_PER_PAGE = 25
GET_POST = require_http_methods(["GET", "POST"])


def _checklist_url(item) -> str:
    return (
        reverse("checklists:engagement", args=[item.checklist.engagement_id]) + f"#item-{item.pk}"
    )


def _next_url(request, item) -> str:
    """Back to "my tasks" when the tick started there, else to the checklist."""
    if request.POST.get("next") == "my_tasks":
        return reverse("checklists:my_tasks")
    return _checklist_url(item)


@staff_required
@require_http_methods(["GET"])
def my_tasks(request):
    now = timezone.now()
    page = selectors.my_tasks_paginator(user=request.user, per_page=PER_PAGE).get_page(
        request.GET.get("page")
    )
    for item in page.object_list:
        item.overdue = item.is_overdue(now)
    return render(
        request,
        "checklists/staff/my_tasks.html",
        {
            "title": _("My tasks"),
            "page_obj": page,
            "now": now,
            "can_hand_over": access.can_reassign_in_bulk(request.user),
        },
    )


@staff_required
@require_http_methods(["GET"])
def compliance(request):
    if not access.can_view_compliance(request.user):
        raise PermissionDenied
    overdue_only = request.GET.get("overdue") == "1"
    overview = selectors.compliance_page(
        user=request.user,
        page_number=request.GET.get("page"),
        per_page=COMPLIANCE_PER_PAGE,
        overdue_only=overdue_only,
    )
    return render(
        request,
        "checklists/staff/compliance.html",
        {
            "title": _("Checklist compliance"),
            "overview": overview,
            "page_obj": overview.page,
            "overdue_only": overdue_only,
        },
    )


@staff_required
@require_http_methods(["GET"])
def engagement_checklist(request, engagement_pk):
    engagement = access.engagement_for_user(request.user, engagement_pk)
    checklist = selectors.checklist_for_engagement(engagement)
    return render(
        request,
        "checklists/staff/engagement.html",
        {
            "title": _("Checklist"),
            "engagement": engagement,
            "checklist": checklist,
            "compliance": selectors.compliance_for_engagement(engagement),
        },
    )


def _render_tick(request, item, form, *, template, title, status=200):
    return render(
        request,
        template,
        {
            "title": title,
            "item": item,
            "engagement": item.checklist.engagement,
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=status,
    )


@staff_required
@GET_POST
def item_done(request, pk):
    item = access.item_for_user_to_tick(request.user, pk)
    form = DoneForm(posted(request), request.FILES if request.method == "POST" else None, item=item)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.item_mark_done(
                    item=item,
                    by=request.user,
                    note=form.cleaned_data["note"],
                    evidence=form.cleaned_data.get("evidence"),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("“%(title)s” is done.") % {"title": item.shown_title})
                return redirect(_next_url(request, item))
        return _render_tick(
            request,
            item,
            form,
            template="checklists/staff/done.html",
            title=_("Mark done"),
            status=400,
        )
    return _render_tick(
        request, item, form, template="checklists/staff/done.html", title=_("Mark done")
    )


@staff_required
@GET_POST
def item_not_applicable(request, pk):
    item = access.item_for_user_to_tick(request.user, pk)
    form = NotApplicableForm(posted(request))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.item_mark_not_applicable(
                    item=item, by=request.user, justification=form.cleaned_data["justification"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("“%(title)s” is marked not applicable.") % {"title": item.shown_title},
                )
                return redirect(_next_url(request, item))
        return _render_tick(
            request,
            item,
            form,
            template="checklists/staff/not_applicable.html",
            title=_("Mark not applicable"),
            status=400,
        )
    return _render_tick(
        request,
        item,
        form,
        template="checklists/staff/not_applicable.html",
        title=_("Mark not applicable"),
    )


@staff_required
@GET_POST
def item_reopen(request, pk):
    item = access.item_for_user(request.user, pk)
    if not access.can_reopen(request.user, item):
        raise PermissionDenied
    if request.method == "POST" and ConfirmForm(request.POST).is_valid():
        services.item_reopen(item=item, by=request.user)
        messages.success(request, _("“%(title)s” is open again.") % {"title": item.shown_title})
        return redirect(_checklist_url(item))
    return _render_tick(
        request,
        item,
        ConfirmForm(),
        template="checklists/staff/reopen.html",
        title=_("Open this item again?"),
    )


@staff_required
@GET_POST
def item_reassign(request, pk):
    """Hand an open staff item to someone else on the engagement."""
    item = access.item_for_user_to_reassign(request.user, pk)
    refusal = access.reassign_refusal(item)
    candidates = list(access.assignee_candidates(item)) if not refusal else []
    form = ReassignForm(posted(request), candidates=candidates, current_id=item.assignee_id)
    status = 200
    if request.method == "POST":
        status = 400
        if not refusal and form.is_valid():
            try:
                services.item_reassign(
                    item=item, to=form.cleaned_data["assignee"], by=request.user, request=request
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                item.refresh_from_db(fields=["assignee"])
                messages.success(
                    request,
                    _("“%(title)s” is now assigned to %(name)s, who has been told.")
                    % {"title": item.shown_title, "name": item.assignee},
                )
                return redirect(_checklist_url(item))
    return render(
        request,
        "checklists/staff/reassign.html",
        {
            "title": _("Reassign an item"),
            "item": item,
            "engagement": item.checklist.engagement,
            "form": form,
            "refusal": refusal,
        },
        status=status,
    )


@staff_required
@require_POST
@never_cache
def item_evidence(request, pk):
    """The evidence file as a download from private storage (it has no URL);
    asked for with a POST, written to the audit trail first."""
    item = access.item_for_user(request.user, pk)
    if not access.can_open_evidence(request.user, item):
        raise PermissionDenied
    if not item.evidence_file:
        messages.error(request, _("This item has no evidence file."))
        return redirect(_checklist_url(item))
    handle = services.item_evidence_open(item=item, by=request.user, request=request)
    extension = item.evidence_file.name.rsplit(".", 1)[-1]
    response = FileResponse(
        handle, as_attachment=True, filename=f"tinig-document-{item.pk}.{extension}"
    )
    response["Cache-Control"] = "no-store, private"
    return response


@staff_required
@GET_POST
def handover(request):
    """Someone is leaving: find them by name, then hand every open item of
    theirs to one person on their engagements (managers, administrators)."""
    if not access.can_reassign_in_bulk(request.user):
        raise PermissionDenied
    search = HandoverSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    person = None
    summary = None
    form = None
    status = 200
    from_pk = request.POST.get("from") or request.GET.get("from")
    if from_pk:
        person = selectors.handover_person(from_pk)
        if person is None:
            raise Http404("No such person.")
        summary = selectors.handover_summary(person=person)
        form = HandoverForm(posted(request), takers=summary.takers)
        if request.method == "POST":
            status = 400
            if form.is_valid():
                to = next(p for p in summary.takers if p.pk == form.cleaned_data["to"])
                try:
                    moved, left = services.items_reassign_from(
                        from_user=person, to=to, by=request.user, request=request
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)s item handed to %(name)s, who has been told.",
                            "%(count)s items handed to %(name)s, who has been told.",
                            moved,
                        )
                        % {"count": moved, "name": to},
                    )
                    if left:
                        messages.warning(
                            request,
                            ngettext(
                                "%(count)s item stays with %(name)s: reassign it on its checklist.",
                                "%(count)s items stay with %(name)s: reassign them on their "
                                "checklists.",
                                left,
                            )
                            % {"count": left, "name": person},
                        )
                    return redirect(reverse("checklists:handover") + f"?from={person.pk}")
    elif request.method == "POST":
        return redirect("checklists:handover")
    return render(
        request,
        "checklists/staff/handover.html",
        {
            "title": _("Hand over someone's items"),
            "search": search,
            "query": query,
            "people": selectors.handover_people(query=query) if query else [],
            "person": person,
            "summary": summary,
            "form": form,
        },
        status=status,
    )
