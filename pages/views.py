from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts import access
from accounts.decorators import consultant_required, staff_required
from engagements import selectors as engagement_selectors


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


@consultant_required
def portal_home(request):
    return render(request, "portal/home.html")
