from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts import access
from accounts.decorators import consultant_required, staff_required
from checklists import selectors as checklist_selectors
from compensation import selectors as compensation_selectors
from consultants import access as consultant_access
from engagements import selectors as engagement_selectors
from engagements import workflow
from pages.progress import progress


@never_cache
def home(request):
    """Send each person to their own site."""
    user = request.user
    if not user.is_authenticated:
        return redirect("account_login")
    if access.can_use_staff_site(user):
        return redirect("staff:dashboard")
    if access.can_use_portal(user):
        return redirect("portal:home")
    if access.can_use_admin(user):
        return redirect("admin:index")
    return render(request, "errors/no_role.html", status=403)


@staff_required
def staff_dashboard(request):
    """What needs the signed-in person today (engagements they run, requests
    to approve), then the ways into the staff site."""
    return render(
        request,
        "staff/dashboard.html",
        {"today": engagement_selectors.staff_today(user=request.user)},
    )


@never_cache
@consultant_required
def portal_home(request):
    """Her next engagement first (when, where it stands, its actions: step
    back is one tap from here, then its confirmation page), then what waits
    for her (invitations, things to tick, time to send, payments on their
    way; one query each, whatever she has), then the ways into the portal.
    A fixed number of queries (tests/pages/test_portal_home.py)."""
    consultant = consultant_access.consultant_of(request.user)
    context: dict = {"consultant": consultant}
    if consultant is not None:
        upcoming = engagement_selectors.consultant_next(consultant=consultant)
        if upcoming is not None:
            upcoming.consultant = consultant  # hers: no query to ask whose it is
            actions = workflow.available_actions(
                upcoming, user=request.user, names=("accept", "step_back")
            )
            context["next"] = {
                "participation": upcoming,
                "engagement": upcoming.engagement,
                "progress": progress(upcoming),
                "answer": actions["accept"].offered,
                "step_back": actions["step_back"].allowed,
            }
        context["counts"] = {
            "invitations": engagement_selectors.consultant_invitation_count(consultant=consultant),
            "to_tick": checklist_selectors.consultant_open_count(user=request.user),
            "time_to_send": compensation_selectors.consultant_time_to_send(consultant),
            "on_the_way": compensation_selectors.consultant_payments_on_the_way(consultant),
        }
    return render(request, "portal/home.html", context)
