"""A survivor leader's area in the portal (/portal/lead/): incoming
requests in summary, her advisory reviews, and what she leads.

Every view is ``leader_required``: anonymous visitors go to sign-in, anyone
who is not a consultant or not a leader gets 403 (``network.access``), and
where a network she leads asks for a second factor, a session that did not
use one is sent to ``second_factor`` (which explains). A request she may
not see is 404.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.decorators import consultant_required
from core.forms import add_service_errors
from core.shortcuts import posted
from engagements.models import Engagement
from network import access
from network.forms_lead import ReviewForm
from network.selectors import reviews as selectors
from network.services import reviews as services

PER_PAGE = 20


def _leader(view=None, *, second_factor: bool = True):
    """The view for survivor leaders only (``request.leadership`` set);
    with ``second_factor``, also the check of the session's second factor
    where her network asks for it."""

    def decorator(view):
        @wraps(view)
        @login_required
        @consultant_required
        def wrapped(request, *args, **kwargs):
            leadership = access.leadership_of(request.user)
            if leadership is None:
                raise PermissionDenied
            if (
                second_factor
                and access.leader_needs_mfa(request.user)
                and not access.session_used_second_factor(request)
            ):
                return redirect("lead:second_factor")
            request.leadership = leadership
            return view(request, *args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator


leader_required = _leader


@never_cache
@leader_required
@require_http_methods(["GET"])
def home(request):
    leader = request.leadership.consultant
    page = Paginator(selectors.incoming_requests(leader), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "network/lead/home.html",
        {
            "title": _("Survivor leader"),
            "network": request.leadership.network,
            "page_obj": page,
            "events": selectors.led_events(leader),
            "circles": selectors.led_circles(leader),
        },
    )


@never_cache
@leader_required
@require_http_methods(["GET"])
def request_detail(request, pk):
    engagement = access.request_for_leader(request.user, pk)
    summary = selectors.request_summary(engagement)
    return render(
        request,
        "network/lead/request.html",
        {
            "title": _("A request in summary"),
            **summary,
            "review": selectors.my_review(request.leadership.consultant, engagement),
            "open_for_review": summary["engagement"].status == Engagement.Status.SUBMITTED,
        },
    )


@never_cache
@leader_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    engagement = access.request_for_leader(request.user, pk)
    leader = request.leadership.consultant
    existing = selectors.my_review(leader, engagement)
    initial = {}
    if existing is not None:
        initial = {
            "recommendation": existing.recommendation,
            "changes": existing.changes,
            "notes": existing.notes,
        }
    form = ReviewForm(posted(request), initial=initial)
    open_for_review = engagement.status == Engagement.Status.SUBMITTED
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.review_give(
                    engagement=engagement,
                    by=request.user,
                    recommendation=form.cleaned_data["recommendation"],
                    changes=form.cleaned_data["changes"],
                    notes=form.cleaned_data["notes"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Your review is saved. Thank you.")
                    if existing is None
                    else _("Your review is updated."),
                )
                return redirect("lead:request", pk=engagement.pk)
    return render(
        request,
        "network/lead/review.html",
        {
            "title": _("Your review"),
            "engagement": engagement,
            "form": form,
            "existing": existing,
            "open_for_review": open_for_review,
        },
        status=status,
    )


@never_cache
@_leader(second_factor=False)
@require_http_methods(["GET"])
def second_factor(request):
    """Why her area asks for a second factor, and how to set one up."""
    if not access.leader_needs_mfa(request.user) or access.session_used_second_factor(request):
        return redirect("lead:home")
    return render(
        request,
        "network/lead/second_factor.html",
        {
            "title": _("A second step to sign in"),
            "has_authenticator": access.has_authenticator(request.user),
        },
    )
