"""Peer circles: staff pages (mounted at /staff/network/circles/) and the
consultant's "Your circle" (mounted at /portal/circles/) (issue #18, part 2).

Managers and administrators see and run every circle; a circle's staff
contact runs hers; anyone else gets a 404 for it (``network.access_staff``).
Tinig keeps who, when and the allowance: the circle meets elsewhere.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.decorators import consultant_required, staff_required
from core.forms import add_service_errors
from core.search import clean_query
from core.shortcuts import posted
from core.templatetags.when import date_time
from network import access_staff as access
from network.forms_staff import SEARCH_FORM, CircleForm, MeetingForm, MemberForm
from network.models import PeerCircle
from network.selectors import circles as selectors
from network.services import circles as services
from network.services.network import current_network

GET = require_http_methods(["GET"])
GET_POST = require_http_methods(["GET", "POST"])
PER_PAGE = 25


def _circle_url(circle) -> str:
    return reverse("network:circle", args=[circle.pk])


@staff_required
@GET
def circle_list(request):
    if not access.can_view_network(request.user):
        raise Http404
    query = clean_query(request.GET.get("q", ""))
    state = request.GET.get("state", "active")
    if state not in selectors.FILTERS:
        state = "active"
    circles = selectors.circle_list(
        access.circles_visible_to(request.user), query=query, state=state
    )
    page = Paginator(circles, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "network/staff/circles/list.html",
        {
            "title": _("Peer circles"),
            "page_obj": page,
            "query": query,
            "state": state,
            "states": [
                ("active", _("Meeting")),
                ("ended", _("Ended")),
                ("all", _("All")),
            ],
            "can_create": access.can_create_circle(request.user) and current_network() is not None,
        },
    )


def _circle_data(form) -> dict:
    return {name: form.cleaned_data[name] for name in services.CIRCLE_FIELDS}


def _circle_form(request, *, form, circle=None, status=200):
    return render(
        request,
        "network/staff/circles/form.html",
        {
            "title": _("Change the circle") if circle else _("Start a peer circle"),
            "form": form,
            "circle": circle,
            "search_form": SEARCH_FORM,
        },
        status=status,
    )


@staff_required
@GET_POST
def circle_create(request):
    if not access.can_create_circle(request.user):
        if access.can_view_network(request.user):
            raise PermissionDenied
        raise Http404
    network = current_network()
    if network is None:
        messages.info(request, _("Create the network first."))
        return redirect("network:index")
    form = CircleForm(
        posted(request),
        user=request.user,
        search=request.GET,
        initial={"staff_contact": request.user.pk},
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                circle = services.circle_create(
                    network=network, by=request.user, request=request, **_circle_data(form)
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The circle is created. Add its members."))
                return redirect(_circle_url(circle))
        return _circle_form(request, form=form, status=400)
    return _circle_form(request, form=form)


@staff_required
@GET
def circle(request, pk):
    circle = access.circle_for_user(request.user, pk)
    meetings = Paginator(selectors.circle_meetings(circle), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "network/staff/circles/detail.html",
        {
            "title": circle.name,
            "circle": circle,
            "members": list(selectors.circle_members(circle)[:200]),
            "former_members": list(selectors.circle_former_members(circle)[:50]),
            "page_obj": meetings,
            "is_open": services.circle_is_open(circle),
        },
    )


@staff_required
@GET_POST
def circle_edit(request, pk):
    circle = access.circle_for_user(request.user, pk)
    form = CircleForm(
        posted(request),
        instance=PeerCircle.objects.get(pk=circle.pk),
        user=request.user,
        search=request.GET,
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.circle_update(
                    circle=circle, by=request.user, request=request, **_circle_data(form)
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The circle is saved."))
                if access.circles_visible_to(request.user).filter(pk=circle.pk).exists():
                    return redirect(_circle_url(circle))
                return redirect("network:circles")
        return _circle_form(request, form=form, circle=circle, status=400)
    return _circle_form(request, form=form, circle=circle)


@staff_required
@GET_POST
def member_add(request, pk):
    circle = access.circle_for_user(request.user, pk)
    form = MemberForm(posted(request), user=request.user, search=request.GET)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                membership = services.member_add(
                    circle=circle,
                    consultant=form.cleaned_data["consultant"],
                    by=request.user,
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s is now a member.") % {"name": membership.consultant.pseudonym},
                )
                return redirect(_circle_url(circle))
        status = 400
    return render(
        request,
        "network/staff/circles/member_form.html",
        {
            "title": _("Add a member"),
            "circle": circle,
            "form": form,
            "search_form": SEARCH_FORM,
        },
        status=status,
    )


def _confirm(
    request, *, circle, title, question, confirm_label, error=None, refused=False, status=None
):
    """A question with a button; ``refused`` shows only the reason (``error``)
    and the way back, for a step that cannot succeed."""
    return render(
        request,
        "network/staff/confirm.html",
        {
            "title": title,
            "circle": circle,
            "question": question,
            "confirm_label": confirm_label,
            "cancel_url": _circle_url(circle),
            "error": error,
            "refused": refused,
        },
        status=status or (400 if error else 200),
    )


@staff_required
@GET_POST
def member_remove(request, pk, membership_pk):
    circle = access.circle_for_user(request.user, pk)
    membership = selectors.membership_for_circle(circle, membership_pk)
    if membership is None or membership.left_on is not None:
        raise Http404("No such member.")
    name = membership.consultant.pseudonym
    error = None
    if request.method == "POST":
        try:
            services.member_remove(membership=membership, by=request.user, request=request)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("%(name)s has left the circle.") % {"name": name})
            return redirect(_circle_url(circle))
    return _confirm(
        request,
        circle=circle,
        title=_("Remove this member?"),
        question=_("%(name)s leaves the circle today. Their past attendance and allowances stay.")
        % {"name": name},
        confirm_label=_("Remove from the circle"),
        error=error,
    )


@staff_required
@GET_POST
def meeting_add(request, pk):
    circle = access.circle_for_user(request.user, pk)
    form = MeetingForm(posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.meeting_schedule(
                    circle=circle,
                    starts_at=form.cleaned_data["starts_at"],
                    mode=form.cleaned_data["mode"],
                    by=request.user,
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The meeting is scheduled."))
                return redirect(_circle_url(circle))
        status = 400
    return render(
        request,
        "network/staff/circles/meeting_form.html",
        {"title": _("Schedule a meeting"), "circle": circle, "form": form},
        status=status,
    )


def _meeting_or_404(circle, meeting_pk):
    meeting = selectors.meeting_for_circle(circle, meeting_pk)
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


@staff_required
@GET_POST
def meeting_cancel(request, pk, meeting_pk):
    circle = access.circle_for_user(request.user, pk)
    meeting = _meeting_or_404(circle, meeting_pk)
    if meeting.cancelled_at is not None:
        raise Http404("Already cancelled.")
    # Asked before the button is offered, so a meeting that took place shows
    # why it stays rather than a button that can only be refused.
    refusal = services.meeting_cancel_refusal(meeting)
    status = 200
    if request.method == "POST" and refusal is None:
        try:
            services.meeting_cancel(meeting=meeting, by=request.user, request=request)
        except ValidationError as refused:
            refusal = refused
        else:
            messages.success(request, _("The meeting is cancelled."))
            return redirect(_circle_url(circle))
    if request.method == "POST" and refusal is not None:
        status = 400
    day = date_time(timezone.localtime(meeting.starts_at), "l j F Y")
    if refusal is not None:
        return _confirm(
            request,
            circle=circle,
            title=_("This meeting cannot be cancelled"),
            question=_("The meeting of %(day)s stays on the circle's record.") % {"day": day},
            confirm_label=_("Cancel the meeting"),
            error=" ".join(refusal.messages),
            refused=True,
            status=status,
        )
    return _confirm(
        request,
        circle=circle,
        title=_("Cancel this meeting?"),
        question=_("Cancel the meeting of %(day)s? Its members see it cancelled in the portal.")
        % {"day": day},
        confirm_label=_("Cancel the meeting"),
    )


@staff_required
@GET_POST
def attendance(request, pk, meeting_pk):
    circle = access.circle_for_user(request.user, pk)
    meeting = _meeting_or_404(circle, meeting_pk)
    roll = services.attendance_roll(meeting)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            present = {int(value) for value in request.POST.getlist("present")}
        except (TypeError, ValueError):
            errors.append(_("Only the circle's members can be marked."))
        else:
            try:
                services.attendance_mark(
                    meeting=meeting, present=present, by=request.user, request=request
                )
            except ValidationError as refused:
                errors.extend(refused.messages)
            else:
                messages.success(request, _("The attendance is saved."))
                return redirect(_circle_url(circle))
        status = 400
    marks = selectors.meeting_attendance(meeting)
    rows = [{"consultant": consultant, "mark": marks.get(consultant.pk)} for consultant in roll]
    return render(
        request,
        "network/staff/circles/attendance.html",
        {
            "title": _("Attendance"),
            "circle": circle,
            "meeting": meeting,
            "rows": rows,
            "errors": errors,
            "allowance": circle.network.circle_allowance if circle.paid else None,
        },
        status=status,
    )


# --- The portal ------------------------------------------------------------------------


@never_cache
@consultant_required
@GET
def my_circles(request):
    consultant = access.consultant_of(request.user)
    circles = selectors.my_circles(consultant) if consultant is not None else []
    return render(
        request,
        "network/portal/circles.html",
        {"title": _("Your peer circle"), "circles": circles},
    )
