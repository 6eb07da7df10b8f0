import logging

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import access
from accounts.decorators import consultant_required, staff_required
from config.celery import app as celery_app

logger = logging.getLogger(__name__)


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
    from engagements import selectors as engagement_selectors

    return render(
        request,
        "staff/dashboard.html",
        {"today": engagement_selectors.staff_today(user=request.user)},
    )


@consultant_required
def portal_home(request):
    return render(request, "portal/home.html")


def _check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure means "down"; the reason goes to the log only
        logger.warning("healthz: database check failed", exc_info=True)
        return False


def _check_broker() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            # One attempt, no retry: kombu sleeps two seconds before a
            # retry, which a load balancer's probe would wait through.
            # The connect timeout (CELERY_BROKER_TRANSPORT_OPTIONS) bounds
            # an unreachable host.
            conn.ensure_connection(max_retries=0)
        return True
    except Exception:
        logger.warning("healthz: broker check failed", exc_info=True)
        return False


def _check_worker() -> bool:
    try:
        return bool(celery_app.control.ping(timeout=1.0, limit=1))
    except Exception:
        logger.warning("healthz: worker check failed", exc_info=True)
        return False


@never_cache
@require_GET
def healthz(request):
    """Liveness of every part, for load balancers and the run command.

    Answers only up/down per part: no versions, hosts or error text.
    """
    checks = {"database": _check_database(), "broker": _check_broker()}
    # Asking for a worker needs the broker; without it the answer is "down".
    checks["worker"] = checks["broker"] and _check_worker()
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            "checks": {name: "up" if up else "down" for name, up in checks.items()},
        },
        status=200 if healthy else 503,
    )


def csrf_failure(request, reason=""):
    """A forged or expired form token: explain, change nothing."""
    return render(
        request,
        "errors/csrf.html",
        {"title": _("This form has expired")},
        status=403,
    )
