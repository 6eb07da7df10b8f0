"""Views that belong to no domain: health (with the backups' age) and the CSRF
failure page."""

import logging

from celery import current_app as celery_app
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.backups.services import backup_state

logger = logging.getLogger(__name__)


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


def _backup(database_up: bool) -> dict:
    """The last good backup: "ok", "stale" (older than BACKUP_MAX_AGE_HOURS),
    "none" yet, or "unknown" (the database is down), and its age in whole
    hours, for monitoring. Not part of the status: a web process that
    answers is healthy whatever the backups' state."""
    if not database_up:
        return {"state": "unknown", "age_hours": None}
    try:
        state = backup_state()
    except Exception:
        logger.warning("healthz: backup state unavailable", exc_info=True)
        return {"state": "unknown", "age_hours": None}
    hours = None if state.age is None else int(state.age.total_seconds() // 3600)
    return {"state": state.state, "age_hours": hours}


@never_cache
@require_GET
def healthz(request):
    """Liveness of every part, for load balancers and the run command, and
    the age of the last good backup, for monitoring.

    Answers only up/down per part and the backup's state and age: no
    versions, hosts, names or error text.
    """
    checks = {"database": _check_database(), "broker": _check_broker()}
    # Asking for a worker needs the broker; without it the answer is "down".
    checks["worker"] = checks["broker"] and _check_worker()
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            "checks": {name: "up" if up else "down" for name, up in checks.items()},
            "backup": _backup(checks["database"]),
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


@require_GET
@never_cache
def search_choices(request, source):
    """``/staff/search/<source>/?q=…``: at most ``core.search.LIMIT`` rows the
    person may choose from that source, as JSON ({query, results: [{value,
    label}], more}); for ``static/js/search-choice.js``. Signed-in staff only
    (others: sign-in or 403), 403 when the source is not theirs to use, 404
    for an unknown source."""
    from django.contrib.auth.views import redirect_to_login
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from accounts import access as site_access
    from core import search

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not site_access.can_use_staff_site(request.user):
        raise PermissionDenied
    try:
        chosen = search.get_source(source)
    except LookupError:
        raise Http404 from None
    if not chosen.can_use(request.user):
        raise PermissionDenied
    results = search.search(chosen, request.user, request.GET.get("q", ""))
    response = JsonResponse(results.as_json())
    response["Cache-Control"] = "no-store, private"
    return response
