"""Request a document, watch it being prepared, download it.

Staff and consultants only; each kind's ``can_request`` decides further,
and a job is visible to its requester alone (reports.access). The pages
work without JavaScript: the progress page reloads itself with a meta
refresh while the job is waiting or running.
"""

from __future__ import annotations

import logging
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import access as site_access
from reports import selectors, services
from reports.access import can_use_reports, report_job_for_user
from reports.models import ReportJob
from reports.registry import UnknownReportKind, get_report_kind, report_kinds_for

logger = logging.getLogger(__name__)

JOBS_PER_PAGE = 20


def reports_user_required(view):
    """Signed-in staff or consultants; anyone else signed in gets 403."""

    @wraps(view)
    @login_required
    @never_cache
    def wrapped(request, *args, **kwargs):
        if not can_use_reports(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _layout(user) -> str:
    return "staff/layout.html" if site_access.can_use_staff_site(user) else "portal/layout.html"


def _render_list(request, *, bound_form=None, bound_kind=None):
    user = request.user
    request_forms = [
        {"kind": entry, "form": _request_form(entry, user, bound_form, bound_kind, request.GET)}
        for entry in report_kinds_for(user)
    ]
    page = Paginator(selectors.report_job_list(user=user), JOBS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reports/list.html",
        {
            "layout": _layout(user),
            "title": _("Reports"),
            "request_forms": request_forms,
            "page_obj": page,
            "retention_hours": int(settings.REPORT_RETENTION.total_seconds() // 3600),
        },
    )


def _request_form(entry, user, bound_form, bound_kind, search):
    """The form just posted (with its errors) for its kind, a blank one for
    the others (with what was searched for, ``?<kind>-<field>_q=…``)."""
    if entry.kind == bound_kind:
        return bound_form
    return entry.bind(user=user, prefix=entry.kind, search=search)


@require_GET
@reports_user_required
def report_list(request):
    return _render_list(request)


@require_POST
@reports_user_required
def report_request(request, kind):
    try:
        entry = get_report_kind(kind)
    except UnknownReportKind:
        raise Http404 from None
    if not entry.can_request(request.user):
        raise PermissionDenied
    form = entry.bind(request.POST, user=request.user, prefix=entry.kind, search=request.GET)
    if form.is_valid():
        try:
            job = services.report_request(user=request.user, kind=entry.kind, params=form.params())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Your document is being prepared. This page updates by itself.")
            )
            return redirect("reports:detail", pk=job.pk)
    return _render_list(request, bound_form=form, bound_kind=entry.kind)


@require_GET
@reports_user_required
def report_detail(request, pk):
    job = report_job_for_user(request.user, pk)
    now = timezone.now()
    return render(
        request,
        "reports/detail.html",
        {
            "layout": _layout(request.user),
            "title": job.kind_label,
            "job": job,
            "shown_status": job.shown_status(now),
            "Status": ReportJob.Status,
            "can_retry": job.status == ReportJob.Status.FAILED,
        },
    )


@require_POST
@reports_user_required
def report_retry(request, pk):
    job = report_job_for_user(request.user, pk)
    try:
        new_job = services.report_retry(user=request.user, job=job)
    except UnknownReportKind:
        raise Http404 from None
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("reports:detail", pk=job.pk)
    messages.success(request, _("We are trying again. This page updates by itself."))
    return redirect("reports:detail", pk=new_job.pk)


@require_GET
@reports_user_required
def report_download(request, pk):
    job = report_job_for_user(request.user, pk)
    if job.shown_status(timezone.now()) == ReportJob.Status.EXPIRED:
        return _gone(request, job, reason="expired")
    if job.status != ReportJob.Status.READY:
        messages.info(request, _("This document is not ready to download."))
        return redirect("reports:detail", pk=job.pk)
    try:
        handle = services.report_open(job=job, by=request.user, request=request)
    except FileNotFoundError:
        logger.warning("Report job %s: ready, but its file is missing.", job.pk)
        return _gone(request, job, reason="missing")
    response = FileResponse(
        handle, as_attachment=True, filename=job.download_name, content_type="application/pdf"
    )
    response["Cache-Control"] = "no-store, private"
    return response


def _gone(request, job, *, reason: str):
    return render(
        request,
        "reports/gone.html",
        {
            "layout": _layout(request.user),
            "title": _("Document deleted"),
            "job": job,
            "reason": reason,
            "retention_hours": int(settings.REPORT_RETENTION.total_seconds() // 3600),
        },
        status=410,
    )
