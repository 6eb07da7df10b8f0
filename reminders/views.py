"""Reminder pages: settings, log and failed deliveries for managers and
administrators; the digest choice for every staff member; the consultant's
own choices on the portal (no JavaScript).

Every view: the site decorator, the ``reminders.access`` check (403),
a form, a service, a redirect with a message.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import consultant_required, staff_required
from core.bounded import InvalidCursor, keyset_page
from core.forms import add_service_errors
from core.shortcuts import require
from reminders import access, quiet, registry, selectors, services, sms
from reminders.forms import (
    ConsultantPreferencesForm,
    LogFilterForm,
    ReminderSettingForm,
    StaffPreferenceForm,
)
from reminders.models import (
    ConsultantReminderPreference,
    ReminderDelivery,
    StaffReminderPreference,
)

PER_PAGE = 50
GET_POST = require_http_methods(["GET", "POST"])


def _labelled(page):
    """The page's rows, each with the label of its kind."""
    labels = {kind.key: kind.label for kind in registry.kinds()}
    if hasattr(page, "object_list"):
        page.object_list = list(page.object_list)
    for delivery in page:
        delivery.kind_label = labels.get(delivery.kind, delivery.kind)
    return page


# --- Staff: settings -------------------------------------------------------------------


@staff_required
@require_http_methods(["GET"])
def settings_index(request):
    require(access.can_manage_settings(request.user))
    configs = services.kind_configs()
    return render(
        request,
        "reminders/staff/settings.html",
        {
            "title": _("Reminder settings"),
            "consultant_kinds": [c for c in configs.values() if c.kind.audience == "consultant"],
            "staff_kinds": [c for c in configs.values() if c.kind.audience == "staff"],
        },
    )


@staff_required
@GET_POST
def setting_edit(request, kind: str):
    require(access.can_manage_settings(request.user))
    config = services.kind_configs().get(kind)
    if config is None:
        raise Http404
    initial = {"enabled": config.enabled, "offsets": ", ".join(map(str, config.offsets))}
    form = ReminderSettingForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        timing_label=config.kind.timing.label,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.reminder_setting_save(
                kind=kind,
                enabled=form.cleaned_data["enabled"],
                offsets=form.cleaned_data["offsets"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Reminder settings saved."))
            return redirect("reminders:settings")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "reminders/staff/setting_edit.html",
        {"title": config.kind.label, "config": config, "form": form},
        status=status,
    )


# --- Staff: log and failed deliveries -------------------------------------------------------


@staff_required
@require_http_methods(["GET"])
def log(request):
    """Newest first, paged by a cursor ("Newer" / "Older"): the log grows by
    every reminder sent and people page deep, so no OFFSET and no count. A
    cursor Tinig did not write shows the first page, with 400 and a note."""
    require(access.can_view_log(request.user))
    form = LogFilterForm(request.GET or None)
    filters = form.filters()
    rows = selectors.delivery_log(**filters)
    bad_cursor = False
    try:
        page = keyset_page(
            rows,
            moment="due_at",
            per_page=PER_PAGE,
            newer=request.GET.get("newer"),
            older=request.GET.get("older"),
        )
    except InvalidCursor:
        bad_cursor = True
        page = keyset_page(rows, moment="due_at", per_page=PER_PAGE)
    return render(
        request,
        "reminders/staff/log.html",
        {
            "title": _("Reminders sent"),
            "form": form,
            "filtered": bool(filters),
            "page_obj": _labelled(page),
            "keyset": True,
            "bad_cursor": bad_cursor,
            "deeper": bool(request.GET.get("newer") or request.GET.get("older")),
        },
        status=400 if bad_cursor else 200,
    )


@staff_required
@require_http_methods(["GET"])
def failed(request):
    require(access.can_view_log(request.user))
    page = _labelled(
        Paginator(selectors.failed_deliveries(), PER_PAGE).get_page(request.GET.get("page"))
    )
    return render(
        request,
        "reminders/staff/failed.html",
        {"title": _("Failed reminders"), "page_obj": page},
    )


@staff_required
@require_POST
def retry(request, pk: int):
    require(access.can_retry(request.user))
    delivery = get_object_or_404(ReminderDelivery, pk=pk)
    try:
        services.delivery_retry(delivery=delivery, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The reminder will be sent again."))
    return redirect("reminders:failed")


@staff_required
@require_POST
def mark_sent(request, pk: int):
    require(access.can_retry(request.user))
    delivery = get_object_or_404(ReminderDelivery, pk=pk)
    try:
        services.delivery_mark_sent(delivery=delivery, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The reminder is marked as sent."))
    return redirect("reminders:failed")


# --- Staff: my digest choice --------------------------------------------------------------


@staff_required
@GET_POST
def my_preference(request):
    require(access.can_set_staff_preference(request.user))
    current = StaffReminderPreference.objects.filter(user=request.user).first()
    hours = quiet.staff_hours(current)
    form = StaffPreferenceForm(
        request.POST if request.method == "POST" else None,
        initial={
            "daily_digest": bool(current and current.daily_digest),
            "quiet_start": hours.start,
            "quiet_end": hours.end,
            "time_zone": str(hours.zone),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_preference_save(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your choice is saved."))
            return redirect("reminders:me")
    return render(
        request,
        "reminders/staff/me.html",
        {"title": _("My reminders"), "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- Portal: the consultant's choices ------------------------------------------------------


def portal_page(view):
    @wraps(view)
    @never_cache
    @consultant_required
    def wrapped(request, *args, **kwargs):
        consultant = access.consultant_of(request.user)
        if consultant is None:
            return render(request, "consultants/portal/no_profile.html", status=404)
        return view(request, consultant, *args, **kwargs)

    return wrapped


@GET_POST
@portal_page
def portal_preferences(request, consultant):
    require(access.can_set_own_preferences(request.user, consultant))
    current = selectors.consultant_preferences(consultant=consultant)
    sms_refusal = services.sms_choice_refusal(consultant)
    form = ConsultantPreferencesForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        current=current,
        sms_allowed=not sms_refusal,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.consultant_preferences_save(
                consultant=consultant, choices=form.cleaned_data, by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your choices are saved."))
            return redirect("my_reminders:preferences")
    return render(
        request,
        "reminders/portal/preferences.html",
        {
            "form": form,
            "quiet_start": settings.REMINDERS_QUIET_START,
            "quiet_end": settings.REMINDERS_QUIET_END,
            "sms_on": sms.is_enabled(),
            "sms_allowed": not sms_refusal,
            # Text messages chosen earlier that cannot go now (number removed).
            "sms_waiting": bool(sms_refusal)
            and any(ConsultantReminderPreference.needs_phone(c) for c in current.values()),
        },
        status=400 if request.method == "POST" else 200,
    )
