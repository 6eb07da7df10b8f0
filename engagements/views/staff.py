"""Staff pages for engagements (mounted at /staff/engagements/).

Every view: ``staff_required``; the engagement through
``engagements.access`` (404 for one the user may not see); the ``access``
check of the action (403); a form for the shape of the input; then the
workflow or a service, which hold the rules. A refusal (a transition whose
conditions are not met, an excluded consultant, a participation in the
wrong state) renders the page again with status 400 and every reason in
words; nothing changes. Success redirects with a message.

Page titles are neutral ("Engagement"), never an engagement's title: a
browser's history and tab titles are seen by others.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import staff_required
from accounts.models import User
from consultants.models import ConsentScope, Language
from core.audit import record_view, shown_field
from core.bounded import AnnotatedPaginator
from core.forms import add_service_errors
from core.shortcuts import posted
from engagements import access, matching, selectors, services, workflow
from engagements.forms import (
    AnswerOnBehalfForm,
    AssignStaffForm,
    AttendanceForm,
    DebriefForm,
    EngagementFilterForm,
    EngagementForm,
    InviteForm,
    InvitePairForm,
    MonthForm,
    PrivacyPlanForm,
    ReasonForm,
    TimePrefillForm,
)
from engagements.models import (
    Debrief,
    Engagement,
    Participation,
    ParticipationRole,
    PrivacyPlan,
)
from engagements.panels import render_detail_panels

PER_PAGE = 25
# The matching page lists at most this many of each (ranked first).
SUGGESTIONS_SHOWN = 50
EXCLUDED_SHOWN = 200

P = Participation.Status

DONE = {
    "submit": gettext_lazy("The request was submitted for approval."),
    "approve": gettext_lazy("The request was approved."),
    "decline": gettext_lazy("The request was declined."),
    "start_staffing": gettext_lazy("Staffing has started: invite consultants from matching."),
    "confirm": gettext_lazy("The engagement is confirmed."),
    "reopen_staffing": gettext_lazy("Staffing is open again."),
    "complete": gettext_lazy("The engagement is marked completed."),
    "close": gettext_lazy("The engagement is closed."),
    "cancel": gettext_lazy("The engagement was cancelled; its consultants' time is free again."),
}


@dataclass
class Refusal:
    """What was not done, and every reason why (shown at the top of the page)."""

    title: str
    reasons: list[str] = field(default_factory=list)


def _reasons(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


# --- List and calendar ---------------------------------------------------------------


@staff_required
@require_GET
def engagement_list(request):
    form = EngagementFilterForm(request.GET or None)
    filters = form.filters()
    paginator = AnnotatedPaginator(
        selectors.engagement_rows(user=request.user, **filters),
        PER_PAGE,
        annotate=selectors.with_list_columns,
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "engagements/staff/list.html",
        {
            "title": _("Engagements"),
            "form": form,
            "page_obj": page,
            "filtered": any(value for value in filters.values()),
            "can_create": access.can_create(request.user),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _shift(year: int, month: int, months: int) -> str:
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@staff_required
@require_GET
def calendar_month(request):
    year, month = MonthForm(request.GET).year_month()
    days = selectors.engagement_calendar(user=request.user, year=year, month=month)
    weeks = [
        [{"day": day, "shown": days.get(day), "in_month": day in days} for day in week]
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    first = datetime.date(year, month, 1)
    return render(
        request,
        "engagements/staff/calendar.html",
        {
            "title": _("Calendar"),
            "first": first,
            "weeks": weeks,
            "weekdays": [weeks[0][n]["day"] for n in range(7)],
            "previous_month": _shift(year, month, -1),
            "next_month": _shift(year, month, 1),
            "today": timezone.localdate(),
            "empty": not any(days.values()),
            "shown_per_day": selectors.CALENDAR_SHOWN_PER_DAY,
        },
    )


# --- Create and edit -----------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def create(request):
    if not access.can_create(request.user):
        raise PermissionDenied
    form = EngagementForm(
        posted(request),
        instance=Engagement(owner=request.user),
        can_choose_owner=access.can_approve_requests(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            engagement = services.engagement_create(
                by=request.user,
                data=form.service_data(),
                expertise=form.cleaned_data["expertise"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The request was saved as a draft."))
            return redirect("engagements:detail", pk=engagement.pk)
    return render(
        request,
        "engagements/staff/form.html",
        {"title": _("New engagement request"), "form": form, "engagement": None},
        status=400 if form.is_bound else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
@never_cache
def edit(request, pk):
    engagement = access.engagement_for_user_to_change(request.user, pk)
    if not access.can_edit(request.user, engagement):
        messages.error(
            request,
            _("A %(status)s engagement can no longer be changed.")
            % {"status": engagement.get_status_display().lower()},
        )
        return redirect("engagements:detail", pk=engagement.pk)
    # A time suggested by matching arrives as ?start=…&end=… (Manila time);
    # anything that is not a sound pair of times is ignored.
    initial = TimePrefillForm(request.GET).times() if request.method == "GET" else {}
    if initial:
        messages.info(request, _("The suggested time is filled in. Check it, then save."))
    form = EngagementForm(
        posted(request),
        # A copy: the form writes what was typed into its instance.
        instance=Engagement.objects.get(pk=engagement.pk),
        can_choose_owner=access.can_approve_requests(request.user),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_update(
                engagement=engagement,
                by=request.user,
                data=form.service_data(),
                expertise=form.cleaned_data["expertise"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The engagement was saved."))
            return redirect("engagements:detail", pk=engagement.pk)
    return render(
        request,
        "engagements/staff/form.html",
        {"title": _("Edit engagement"), "form": form, "engagement": engagement},
        status=400 if form.is_bound else 200,
    )


# --- Detail ----------------------------------------------------------------------------


def _language_labels(codes) -> list[str]:
    return [str(Language(code).label) for code in codes if code in Language.values]


# What the staff page does with each consultant (``workflow.available_actions``).
STAFF_ACTIONS = ("confirm", "revoke", "mark_attended", "mark_no_show", "accept", "step_back")


def _can(user, engagement: Engagement, now: datetime.datetime) -> dict[str, bool]:
    """What the page offers this user; each answer from ``access`` (who) and
    the workflow (what the engagement's status allows now)."""
    completed = engagement.status == Engagement.Status.COMPLETED
    feedback_open = engagement.status in workflow.FEEDBACK_OPEN
    return {
        "run": access.can_run(user, engagement),
        "edit": access.can_edit(user, engagement),
        "matching": access.can_view_matching(user, engagement),
        "invite": workflow.invite_action(engagement=engagement, user=user, now=now).allowed,
        "privacy_plan": access.can_manage_privacy_plan(user, engagement),
        "approve_plan": access.can_approve_privacy_plan(user, engagement),
        "assign": access.can_assign_staff(user, engagement),
        "debrief": access.can_write_debrief(user, engagement) and completed,
        "see_debrief": access.can_view_debrief(user, engagement),
        "feedback": access.can_view_feedback(user, engagement) and feedback_open,
    }


# Her words, by the status that keeps them.
HER_WORDS = {P.WITHDRAWN: "withdrawal_reason", P.DECLINED: "decline_reason"}


def _her_words(participation: Participation) -> str:
    name = HER_WORDS.get(participation.status)
    return getattr(participation, name) if name else ""


def _render_detail(request, engagement: Engagement, *, refusal: Refusal | None = None, status=200):
    user = request.user
    engagement = selectors.engagement_detail(engagement=engagement)
    now = timezone.now()
    can = _can(user, engagement, now)
    participations = engagement.shown_participations
    if can["run"]:
        for participation in participations:
            participation.actions = workflow.available_actions(
                participation, user=user, now=now, names=STAFF_ACTIONS
            )
    shown = []
    for participation in participations:
        # Her optional words, where she said no or stepped back: managers only.
        participation.her_words = (
            _her_words(participation) if access.can_view_reasons(user, participation) else ""
        )
        if participation.her_words:
            shown.append(shown_field(Participation, HER_WORDS[participation.status]))
    if can["see_debrief"] and engagement.debrief_list:
        shown.append(shown_field(Debrief, "note"))
    # Encrypted values in the page's normal view: one entry for the page.
    record_view(
        actor=user,
        instance=engagement,
        fields=shown,
        page=gettext_noop("the engagement page"),
        request=request,
    )
    context = {
        "title": _("Engagement"),
        "engagement": engagement,
        "plan": engagement.privacy_plan_or_none,
        "languages": _language_labels(engagement.languages),
        "can": can,
        "transitions": workflow.transitions_for(engagement=engagement, user=user, now=now),
        "participations": participations,
        "history": list(selectors.participation_history(engagement=engagement)),
        "staffing": engagement.status == Engagement.Status.STAFFING,
        "completed": engagement.status == Engagement.Status.COMPLETED,
        "panels": render_detail_panels(request=request, engagement=engagement),
        "refusal": refusal,
    }
    return render(request, "engagements/staff/detail.html", context, status=status)


@staff_required
@require_GET
def detail(request, pk):
    engagement = access.engagement_for_user(request.user, pk)
    return _render_detail(request, engagement)


@staff_required
@require_POST
def transition(request, pk, name):
    engagement = access.engagement_for_user(request.user, pk)
    step = workflow.TRANSITIONS.get(name)
    if step is None:
        raise Http404("No such action.")
    if not access.can_transition(request.user, engagement, name):
        raise PermissionDenied
    title = _("“%(action)s” was not done.") % {"action": step.label}
    form = ReasonForm(request.POST)
    if not form.is_valid():
        reasons = [str(error) for errors in form.errors.values() for error in errors]
        return _render_detail(request, engagement, refusal=Refusal(title, reasons), status=400)
    try:
        workflow.engagement_transition(
            engagement=engagement,
            name=name,
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except workflow.TransitionForbidden:
        raise PermissionDenied from None
    except workflow.TransitionRefused as refused:
        return _render_detail(
            request, engagement, refusal=Refusal(title, refused.reasons), status=400
        )
    messages.success(request, DONE[name])
    return redirect("engagements:detail", pk=engagement.pk)


# --- Participants ------------------------------------------------------------------------


def _participation(request, pk, participation_pk) -> tuple[Engagement, Participation]:
    engagement = access.engagement_for_user(request.user, pk)
    participation = get_object_or_404(
        Participation.objects.select_related("engagement", "consultant"),
        pk=participation_pk,
        engagement=engagement,
    )
    if not access.can_manage_participation(request.user, participation):
        raise PermissionDenied
    return engagement, participation


def _participation_action(request, pk, participation_pk, *, action, title, done):
    engagement, participation = _participation(request, pk, participation_pk)
    pseudonym = participation.consultant.pseudonym
    try:
        action(participation)
    except ValidationError as error:
        refusal = Refusal(title % {"pseudonym": pseudonym}, _reasons(error))
        return _render_detail(request, engagement, refusal=refusal, status=400)
    messages.success(request, done % {"pseudonym": pseudonym})
    return redirect(reverse("engagements:detail", kwargs={"pk": engagement.pk}) + "#participants")


@staff_required
@require_POST
def participation_confirm(request, pk, participation_pk):
    return _participation_action(
        request,
        pk,
        participation_pk,
        action=lambda p: services.participation_confirm(participation=p, by=request.user),
        title=_("%(pseudonym)s was not confirmed."),
        done=_("%(pseudonym)s is confirmed."),
    )


@staff_required
@require_POST
def participation_revoke(request, pk, participation_pk):
    return _participation_action(
        request,
        pk,
        participation_pk,
        action=lambda p: services.participation_revoke(participation=p, by=request.user),
        title=_("The invitation of %(pseudonym)s was not withdrawn."),
        done=_("The invitation of %(pseudonym)s was withdrawn."),
    )


@staff_required
@require_POST
def participation_attendance(request, pk, participation_pk):
    form = AttendanceForm(request.POST)
    attended = form.cleaned_data["attended"] if form.is_valid() else None

    def action(participation):
        if attended is None:
            raise ValidationError(_("Choose attended or did not attend."))
        services.participation_mark_attendance(
            participation=participation, by=request.user, attended=attended
        )

    return _participation_action(
        request,
        pk,
        participation_pk,
        action=action,
        title=_("The attendance of %(pseudonym)s was not marked."),
        done=_("The attendance of %(pseudonym)s is marked."),
    )


ON_BEHALF = {
    "accept": services.participation_accept,
    "decline": services.participation_decline,
    "withdraw": services.participation_withdraw,
}


@staff_required
@require_POST
def participation_answer(request, pk, participation_pk):
    """An answer the consultant gave by phone or in person, recorded by staff."""
    form = AnswerOnBehalfForm(request.POST)
    answer = form.cleaned_data["answer"] if form.is_valid() else None

    def action(participation):
        if answer is None:
            raise ValidationError(_("Choose the consultant's answer."))
        ON_BEHALF[answer](participation=participation, by=request.user, on_behalf=True)

    return _participation_action(
        request,
        pk,
        participation_pk,
        action=action,
        title=_("The answer of %(pseudonym)s was not recorded."),
        done=_("The answer of %(pseudonym)s is recorded."),
    )


# --- Matching and invitations -------------------------------------------------------------


# Consultants free at other times, listed on the matching page.
FREE_ELSEWHERE_SHOWN = 20


def _edit_url(engagement: Engagement, suggestion: matching.TimeSuggestion) -> str:
    query = urlencode({"start": suggestion.start_value, "end": suggestion.end_value})
    return f"{reverse('engagements:edit', kwargs={'pk': engagement.pk})}?{query}"


def _render_matching(request, engagement: Engagement, *, refusal=None, status=200):
    show_excluded = request.GET.get("excluded") == "1" or refusal is not None
    result = matching.match(
        engagement=engagement,
        suggestions=SUGGESTIONS_SHOWN,
        excluded=EXCLUDED_SHOWN if show_excluded else 0,
    )
    now = timezone.now()
    # Nobody is a dead end: when they are usually free (for the rows shown),
    # and which times would suit the most of those excluded by time only.
    free_elsewhere = result.by_time[:FREE_ELSEWHERE_SHOWN]
    for candidate in {id(c): c for c in (*free_elsewhere, *result.excluded) if c.by_time}.values():
        candidate.usually_free = matching.usually_free(
            engagement=engagement, consultant=candidate.consultant
        )
    times = matching.time_suggestions(engagement=engagement, result=result, now=now)
    can_edit = access.can_edit(request.user, engagement)
    participants = selectors.matching_participants(engagement=engagement)
    invite = workflow.invite_action(engagement=engagement, user=request.user, now=now)
    # Who would rather go with a peer, and with whom (one query).
    pairs = matching.propose_pairs(
        engagement=engagement,
        result=result,
        visible=access.engagements_visible_to(request.user),
    )
    return render(
        request,
        "engagements/staff/matching.html",
        {
            "title": _("Matching"),
            "engagement": engagement,
            "suggestions": result.suggestions,
            "pairs": pairs,
            "more_suggestions": result.suggestion_count - len(result.suggestions),
            "excluded_count": result.excluded_count,
            "excluded_reasons": result.reasons,
            "excluded": result.excluded if show_excluded else None,
            "more_excluded": result.excluded_count - len(result.excluded),
            "free_elsewhere": free_elsewhere,
            "free_elsewhere_count": result.by_time_count,
            "more_free_elsewhere": max(result.by_time_count - FREE_ELSEWHERE_SHOWN, 0),
            "times": [
                {"suggestion": t, "edit_url": _edit_url(engagement, t) if can_edit else ""}
                for t in times
            ],
            "participants": participants,
            "waiting_count": sum(1 for p in participants.rows if p.status == P.INVITED),
            "required_scopes": [ConsentScope(s).label for s in result.required_scopes],
            "can_invite": invite.allowed,
            "invite_refusal": invite.reason,
            "staffing": engagement.status == Engagement.Status.STAFFING,
            "roles": ParticipationRole.choices,
            "refusal": refusal,
        },
        status=status,
    )


@staff_required
@require_GET
def matching_page(request, pk):
    engagement = access.engagement_for_user(request.user, pk)
    if not access.can_view_matching(request.user, engagement):
        raise PermissionDenied
    return _render_matching(request, engagement)


@staff_required
@require_POST
def invite(request, pk):
    engagement = access.engagement_for_user(request.user, pk)
    if not access.can_invite(request.user, engagement):
        raise PermissionDenied
    form = InviteForm(request.POST)
    if not form.is_valid():
        reasons = [str(error) for errors in form.errors.values() for error in errors]
        refusal = Refusal(_("Nobody was invited."), reasons)
        return _render_matching(request, engagement, refusal=refusal, status=400)
    consultant = form.cleaned_data["consultant"]
    role = form.cleaned_data["role"]
    try:
        services.participation_invite(
            engagement=engagement, consultant=consultant, role=role, by=request.user
        )
    except services.ConsultantExcluded as excluded:
        refusal = Refusal(
            _("%(pseudonym)s cannot be invited:") % {"pseudonym": consultant.pseudonym},
            [exclusion.message for exclusion in excluded.exclusions],
        )
        return _render_matching(request, engagement, refusal=refusal, status=400)
    except ValidationError as error:
        refusal = Refusal(
            _("%(pseudonym)s was not invited.") % {"pseudonym": consultant.pseudonym},
            _reasons(error),
        )
        return _render_matching(request, engagement, refusal=refusal, status=400)
    messages.success(
        request,
        _("%(pseudonym)s is invited as %(role)s. They answer in their portal.")
        % {"pseudonym": consultant.pseudonym, "role": ParticipationRole(role).label.lower()},
    )
    return redirect("engagements:matching", pk=engagement.pk)


@staff_required
@require_POST
def invite_pair(request, pk):
    """Invite both of a pair matching proposed: both or neither."""
    engagement = access.engagement_for_user(request.user, pk)
    if not access.can_invite(request.user, engagement):
        raise PermissionDenied
    form = InvitePairForm(request.POST)
    if not form.is_valid():
        reasons = [str(error) for errors in form.errors.values() for error in errors]
        refusal = Refusal(_("Neither was invited."), reasons)
        return _render_matching(request, engagement, refusal=refusal, status=400)
    first, second = form.cleaned_data["consultants"]
    role = form.cleaned_data["role"]
    try:
        services.participation_invite_pair(
            engagement=engagement, consultants=(first, second), role=role, by=request.user
        )
    except ValidationError as error:
        refusal = Refusal(
            _("Neither %(first)s nor %(second)s was invited: both go, or neither.")
            % {"first": first.pseudonym, "second": second.pseudonym},
            _reasons(error),
        )
        return _render_matching(request, engagement, refusal=refusal, status=400)
    messages.success(
        request,
        _("%(first)s and %(second)s are invited together as %(role)s. They answer in their portal.")
        % {
            "first": first.pseudonym,
            "second": second.pseudonym,
            "role": ParticipationRole(role).label.lower(),
        },
    )
    return redirect("engagements:matching", pk=engagement.pk)


# --- Privacy plan -----------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
@never_cache
def privacy_plan(request, pk):
    engagement = access.engagement_for_user(request.user, pk)
    if not access.can_manage_privacy_plan(request.user, engagement):
        raise PermissionDenied
    plan = PrivacyPlan.objects.filter(engagement=engagement).first()
    form = PrivacyPlanForm(
        posted(request),
        instance=PrivacyPlan.objects.get(pk=plan.pk)
        if plan
        else PrivacyPlan(engagement=engagement, updated_by=request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.privacy_plan_save(
                engagement=engagement, by=request.user, data=form.service_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if access.can_approve_privacy_plan(request.user, engagement):
                done = _("The privacy plan was saved. Approve it when it is ready.")
            else:
                done = _("The privacy plan was saved. A programme manager approves it.")
            messages.success(request, done)
            return redirect(reverse("engagements:detail", kwargs={"pk": pk}) + "#privacy-plan")
    if plan is not None and plan.support_person_present and engagement.is_open:
        # The form shows the stored value.
        record_view(
            actor=request.user,
            instance=plan,
            fields=[shown_field(PrivacyPlan, "support_person_present")],
            page=gettext_noop("the privacy plan page"),
            request=request,
        )
    return render(
        request,
        "engagements/staff/privacy_plan.html",
        {
            "title": _("Privacy plan"),
            "engagement": engagement,
            "plan": plan,
            "form": form,
            "can_approve": access.can_approve_privacy_plan(request.user, engagement),
        },
        status=400 if form.is_bound else 200,
    )


@staff_required
@require_POST
def privacy_plan_approve(request, pk):
    engagement = access.engagement_for_user(request.user, pk)
    if not access.can_approve_privacy_plan(request.user, engagement):
        raise PermissionDenied
    plan = get_object_or_404(PrivacyPlan, engagement=engagement)
    services.privacy_plan_approve(plan=plan, by=request.user)
    messages.success(request, _("The privacy plan is approved."))
    return redirect(reverse("engagements:detail", kwargs={"pk": pk}) + "#privacy-plan")


# --- Staff of the engagement ------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def assign_staff(request, pk):
    engagement = access.engagement_for_user(request.user, pk)
    if not access.can_assign_staff(request.user, engagement):
        raise PermissionDenied
    form = AssignStaffForm(posted(request), engagement=engagement)
    if request.method == "POST" and form.is_valid():
        member = form.cleaned_data["staff_member"]
        try:
            services.engagement_assign_staff(
                engagement=engagement, staff_member=member, by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s is assigned.") % {"name": member})
            return redirect("engagements:assign_staff", pk=engagement.pk)
    return render(
        request,
        "engagements/staff/assign_staff.html",
        {
            "title": _("Staff of the engagement"),
            "engagement": engagement,
            "assigned": list(engagement.assigned_staff.order_by("display_name", "pk")),
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@staff_required
@require_POST
def unassign_staff(request, pk, user_pk):
    engagement = access.engagement_for_user(request.user, pk)
    if not access.can_assign_staff(request.user, engagement):
        raise PermissionDenied
    member = get_object_or_404(User, pk=user_pk, assigned_engagements=engagement)
    services.engagement_unassign_staff(engagement=engagement, staff_member=member, by=request.user)
    messages.success(request, _("%(name)s is no longer assigned.") % {"name": member})
    return redirect("engagements:assign_staff", pk=engagement.pk)


# --- After the engagement ------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
@never_cache
def debrief(request, pk):
    engagement = access.engagement_for_user(request.user, pk)
    if not access.can_write_debrief(request.user, engagement):
        raise PermissionDenied
    form = DebriefForm(posted(request), initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.debrief_add(
                engagement=engagement,
                by=request.user,
                note=form.cleaned_data["note"],
                held_on=form.cleaned_data["held_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The debrief was saved."))
            return redirect(reverse("engagements:detail", kwargs={"pk": pk}) + "#debrief")
    debriefs = list(engagement.debriefs.select_related("author"))
    record_view(
        actor=request.user,
        instance=engagement,
        fields=[shown_field(Debrief, "note")] if debriefs else [],
        page=gettext_noop("the debrief page"),
        request=request,
    )
    return render(
        request,
        "engagements/staff/debrief.html",
        {
            "title": _("Debrief"),
            "engagement": engagement,
            "form": form,
            "debriefs": debriefs,
            "open": engagement.status == Engagement.Status.COMPLETED,
        },
        status=400 if form.is_bound else 200,
    )


@staff_required
@require_GET
@never_cache
def feedback(request, pk):
    engagement = access.engagement_for_user(request.user, pk)
    if not access.can_view_feedback(request.user, engagement):
        raise PermissionDenied
    return render(
        request,
        "engagements/staff/feedback.html",
        {
            "title": _("Feedback"),
            "engagement": engagement,
            "feedback": selectors.engagement_feedback(engagement=engagement),
        },
    )
