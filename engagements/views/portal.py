"""The consultant's engagements and invitations (/portal/engagements/).

Phone first, no JavaScript: every answer is a plain form, and saying no or
stepping back asks first on a page of its own, which reassures and never
requires a reason. ``pk`` is one of the signed-in consultant's own
participations (``access.participation_for_consultant``): anyone else's,
or one that does not exist, is the same 404. Every page is ``never_cache``.

Times are shown in Asia/Manila. Page titles and the calendar file are
discreet: they never carry an engagement's title.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consultants.models import Consultant
from consultants.views.portal import portal_page
from core.forms import add_service_errors
from core.shortcuts import posted
from engagements import access, calendar, selectors, services, workflow
from engagements.forms import FeedbackForm, OptionalReasonForm, StorySharingForm
from engagements.models import Participation
from engagements.panels import render_invitation_panels

P = Participation.Status
PAST_SHOWN = 50
STEPPED_BACK_SHOWN = 20

# How an engagement she stepped back from, or said no to, is listed.
LEFT_LINES = {
    P.WITHDRAWN: gettext_lazy("you stepped back"),
    P.DECLINED: gettext_lazy("you said no"),
}


# --- Lists ------------------------------------------------------------------------------


@require_GET
@portal_page
def index(request, consultant: Consultant):
    left = list(selectors.consultant_stepped_back(consultant=consultant)[:STEPPED_BACK_SHOWN])
    for participation in left:
        participation.left_line = LEFT_LINES.get(participation.status, "")
    return render(
        request,
        "engagements/portal/index.html",
        {
            "title": _("Your engagements"),
            "upcoming": list(selectors.consultant_upcoming(consultant=consultant)),
            "past": list(selectors.consultant_past(consultant=consultant)[:PAST_SHOWN]),
            "stepped_back": left,
            "invitation_count": selectors.consultant_invitation_count(consultant=consultant),
        },
    )


@require_GET
@portal_page
def invitations(request, consultant: Consultant):
    return render(
        request,
        "engagements/portal/invitations.html",
        {
            "title": _("Invitations"),
            "invitations": list(selectors.consultant_invitations(consultant=consultant)),
        },
    )


# --- One engagement ------------------------------------------------------------------------


# What the consultant reads about their participation, by its status.
STATUS_LINES = {
    P.INVITED: gettext_lazy("An invitation for you."),
    P.ACCEPTED: gettext_lazy("You said yes. The team will confirm with you soon."),
    P.CONFIRMED: gettext_lazy("You are confirmed."),
    P.WITHDRAWN: gettext_lazy("You stepped back from this engagement."),
    P.DECLINED: gettext_lazy("You said no to this one."),
    P.FULL: workflow.FULL_MESSAGE,
    P.ATTENDED: gettext_lazy("You took part. Thank you."),
}


def _options(request, participation: Participation) -> dict[str, bool]:
    """What the page offers: the consultant's actions from the workflow, and
    what their answer lets them see (the join link, the calendar entry)."""
    actions = workflow.available_actions(participation, user=request.user)
    coming = participation.status in workflow.COMING
    return {
        "answer": actions["accept"].allowed,
        "invited": actions["accept"].offered,
        "step_back": actions["step_back"].allowed,
        "rejoin": actions["rejoin"].allowed,
        "share": actions["share"].allowed,
        "feedback": actions["feedback"].allowed,
        "link": coming and bool(participation.engagement.online_link),
        "calendar": participation.status in Participation.PENDING,
    }


def _render_detail(request, consultant, participation, *, problem=None, status=200):
    engagement = participation.engagement
    return render(
        request,
        "engagements/portal/detail.html",
        {
            "title": _("Engagement"),
            "participation": participation,
            "engagement": engagement,
            # A missing one-to-one raises an AttributeError: no plan.
            "plan": getattr(engagement, "privacy_plan", None),
            "consultant": consultant,
            "options": _options(request, participation),
            "status_line": STATUS_LINES.get(
                participation.status, participation.get_status_display()
            ),
            "problem": problem,
            # Who else holds a place, where both chose it (once she holds one).
            "peers": selectors.peers_coming(participation=participation),
            # What other apps add before her answer (compensation: the pay).
            "invitation_panels": render_invitation_panels(
                request=request, participation=participation
            ),
        },
        status=status,
    )


@require_GET
@portal_page
def detail(request, consultant: Consultant, pk: int):
    participation = access.participation_for_consultant(request.user, pk)
    return _render_detail(request, consultant, participation)


@require_POST
@portal_page
def accept(request, consultant: Consultant, pk: int):
    participation = access.participation_for_consultant(request.user, pk)
    try:
        services.participation_accept(participation=participation, by=request.user)
    except ValidationError as error:
        problem = " ".join(error.messages)
        return _render_detail(request, consultant, participation, problem=problem, status=400)
    messages.success(request, _("Thank you for saying yes. The team will confirm with you soon."))
    return redirect("my_engagements:detail", pk=participation.pk)


@require_http_methods(["GET", "POST"])
@portal_page
def decline(request, consultant: Consultant, pk: int):
    participation = access.participation_for_consultant(request.user, pk)
    form = OptionalReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.participation_decline(
                participation=participation, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("You said no to this one. Thank you for letting us know."))
            return redirect("my_engagements:invitations")
    return render(
        request,
        "engagements/portal/decline.html",
        {"title": _("Say no"), "participation": participation, "form": form},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@portal_page
def step_back(request, consultant: Consultant, pk: int):
    """The right to stop: at any time, without a reason."""
    participation = access.participation_for_consultant(request.user, pk)
    form = OptionalReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.participation_withdraw(
                participation=participation, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "You have stepped back. That is completely fine. "
                    "The time you already gave is still paid."
                ),
            )
            return redirect("my_engagements:index")
    return render(
        request,
        "engagements/portal/step_back.html",
        {"title": _("Step back"), "participation": participation, "form": form},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@portal_page
def rejoin(request, consultant: Consultant, pk: int):
    """Coming back after saying no or stepping back: asks first, kindly, on a
    page of its own. When it is no longer possible (full, started,
    cancelled), the page says so and offers nothing; a POST then is refused
    with the same words (400) and nothing changes."""
    participation = access.participation_for_consultant(request.user, pk)
    problem = None
    if request.method == "POST":
        try:
            services.participation_rejoin(participation=participation, by=request.user)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            messages.success(
                request, _("Welcome back. You said yes again; the team will confirm with you soon.")
            )
            return redirect("my_engagements:detail", pk=participation.pk)
    action = workflow.participation_action(
        participation=participation, name="rejoin", user=request.user
    )
    return render(
        request,
        "engagements/portal/rejoin.html",
        {
            "title": _("Join again"),
            "participation": participation,
            "allowed": action.allowed,
            "problem": problem or ("" if action.allowed else action.reason),
        },
        status=400 if problem else 200,
    )


@require_http_methods(["GET", "POST"])
@portal_page
def sharing(request, consultant: Consultant, pk: int):
    participation = access.participation_for_consultant(request.user, pk)
    form = StorySharingForm(
        posted(request),
        initial={
            "story_sharing": participation.story_sharing,
            "note": participation.story_sharing_note,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.participation_set_story_sharing(
                participation=participation,
                by=request.user,
                choice=form.cleaned_data["story_sharing"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your choice is saved. You can change it at any time."))
            return redirect("my_engagements:detail", pk=participation.pk)
    return render(
        request,
        "engagements/portal/sharing.html",
        {"title": _("Sharing your story"), "participation": participation, "form": form},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@portal_page
def feedback(request, consultant: Consultant, pk: int):
    participation = access.participation_for_consultant(request.user, pk)
    form = FeedbackForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_submit(
                participation=participation, by=request.user, data=form.service_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect("my_engagements:detail", pk=participation.pk)
    return render(
        request,
        "engagements/portal/feedback.html",
        {
            "title": _("Your feedback"),
            "participation": participation,
            "form": form,
            "open": workflow.participation_action(
                participation=participation, name="feedback", user=request.user
            ).allowed,
        },
        status=400 if form.is_bound else 200,
    )


@require_GET
@portal_page
def ics(request, consultant: Consultant, pk: int):
    """A calendar entry that says "Tinig meeting" and when, nothing more."""
    participation = access.participation_for_consultant(request.user, pk)
    url = request.build_absolute_uri(reverse("my_engagements:detail", args=[participation.pk]))
    response = HttpResponse(
        calendar.participation_ics(participation, portal_url=url),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{calendar.ics_filename()}"'
    return response
