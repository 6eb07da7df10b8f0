"""View decorators for the two sites. Anonymous users go to sign-in;
signed-in users without the right role get 403."""

from functools import wraps

from allauth.account.decorators import secure_admin_login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts import access


def _require(check):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = _require(access.can_use_staff_site)
consultant_required = _require(access.can_use_portal)


def admin_site_login(login_view):
    """Wraps the admin site's login view.

    Anonymous visitors go to allauth's sign-in (MFA stage, rate limits)
    instead of the admin's own form; a signed-in person without the
    administrator role gets 403, never the admin's "log in as someone
    else" form.
    """
    secured = secure_admin_login(login_view)

    @wraps(login_view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated and not access.can_use_admin(request.user):
            raise PermissionDenied
        return secured(request, *args, **kwargs)

    return wrapped


def admin_site_has_permission(request) -> bool:
    """AdminSite.has_permission: the administrator role (or a superuser),
    not merely ``is_staff``, which a stale flag could leave set."""
    return access.can_use_admin(request.user)
