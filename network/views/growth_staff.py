"""Staff pages of growth (mounted at /staff/network/): make an engagement a
learning event; a consultant's skills page, recording and withdrawing a
skill, marking a pathway step. A new URL here needs its row in
tests/network/test_growth_permission_matrix.py.

Every view: ``staff_required``, then the engagement or consultant through
``network.access_growth`` (404 for one the user may not see, 403 for one
they see but may not change), then a form, a service, a redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.decorators import staff_required
from core.audit import record_view
from core.forms import add_service_errors
from core.shortcuts import posted
from network import access_growth as access
from network.forms_growth import LearningEventForm, SkillForm, StepForm, WithdrawForm
from network.selectors import growth as selectors
from network.services import growth as services

GET_POST = require_http_methods(["GET", "POST"])
PER_PAGE = 25
SHARED_SHOWN = 10


def _skills_url(consultant) -> str:
    return reverse("network:growth_skills", args=[consultant.pk])


@staff_required
@GET_POST
def event_edit(request, engagement_pk):
    engagement = access.engagement_to_set_event(request.user, engagement_pk)
    event = selectors.learning_event_of(engagement)
    initial = {}
    if event is not None:
        initial = {
            "kind": event.kind,
            "skills": [skill.pk for skill in event.skills.all()],
            "staff_facilitators": [user.pk for user in event.staff_facilitators.all()],
        }
    form = LearningEventForm(posted(request), engagement=engagement, event=event, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.learning_event_set(
                    engagement=engagement,
                    by=request.user,
                    kind=form.cleaned_data["kind"],
                    skills=form.cleaned_data["skills"],
                    staff_facilitators=form.cleaned_data["staff_facilitators"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The learning event is saved."))
                return redirect("engagements:detail", engagement.pk)
    return render(
        request,
        "network/growth/staff/event_form.html",
        {
            "title": _("Learning event"),
            "engagement": engagement,
            "event": event,
            "form": form,
        },
        status=status,
    )


@never_cache
@staff_required
@require_http_methods(["GET"])
def skills(request, pk):
    consultant = access.consultant_for_staff(request.user, pk)
    page = Paginator(selectors.evidence_for_staff(consultant), PER_PAGE).get_page(
        request.GET.get("page")
    )
    can_record = access.can_record_skill(request.user, consultant)
    may_read = can_record or access.can_read_shared_reflections(request.user, consultant)
    shared = list(selectors.shared_reflections(consultant)[:SHARED_SHOWN]) if may_read else []
    if shared:
        record_view(
            actor=request.user,
            instance=consultant,
            fields=["reflection.body"],
            page=gettext_noop("the skills page"),
            request=request,
        )
    return render(
        request,
        "network/growth/staff/skills.html",
        {
            "title": _("Skills and growth"),
            "consultant": consultant,
            "page_obj": page,
            "steps": list(selectors.steps_reached(consultant)[:PER_PAGE]),
            "shared": shared,
            "may_read_shared": may_read,
            "can_record": can_record,
        },
    )


@never_cache
@staff_required
@GET_POST
def skill_add(request, pk):
    consultant = access.consultant_to_record(request.user, pk)
    form = SkillForm(
        posted(request),
        user=request.user,
        consultant=consultant,
        search=request.GET,
        initial={"gained_on": timezone.localdate(), "source": "engagement"},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.skill_record(
                    consultant=consultant,
                    skill=data["skill"],
                    source=data["source"],
                    by=request.user,
                    engagement=data.get("engagement"),
                    mentor=data.get("mentor"),
                    note=data.get("note", ""),
                    gained_on=data["gained_on"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The skill is recorded."))
                return redirect(_skills_url(consultant))
    return render(
        request,
        "network/growth/staff/skill_form.html",
        {"title": _("Record a skill"), "consultant": consultant, "form": form},
        status=status,
    )


@staff_required
@GET_POST
def skill_withdraw(request, pk, evidence_pk):
    consultant = access.consultant_to_record(request.user, pk)
    evidence = access.evidence_for_staff(request.user, consultant, evidence_pk)
    form = WithdrawForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.skill_withdraw(
                    evidence=evidence,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The skill is withdrawn."))
                return redirect(_skills_url(consultant))
    return render(
        request,
        "network/growth/staff/withdraw.html",
        {
            "title": _("Withdraw a skill"),
            "consultant": consultant,
            "evidence": evidence,
            "form": form,
        },
        status=status,
    )


@staff_required
@GET_POST
def step_add(request, pk):
    consultant = access.consultant_to_record(request.user, pk)
    form = StepForm(posted(request), initial={"reached_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.step_reach(
                    consultant=consultant,
                    step=form.cleaned_data["step"],
                    by=request.user,
                    reached_on=form.cleaned_data["reached_on"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The step is marked reached."))
                return redirect(_skills_url(consultant))
    return render(
        request,
        "network/growth/staff/step_form.html",
        {"title": _("Mark a pathway step reached"), "consultant": consultant, "form": form},
        status=status,
    )
