from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import requires_mfa


class SessionIdleTimeoutMiddleware:
    """Staff sessions end after STAFF_SESSION_IDLE_SECONDS without a request.

    SESSION_SAVE_EVERY_REQUEST renews the expiry on every request, which is
    what makes it an idle timeout rather than an absolute one.

    Applied after the view, so the response that signs someone in already
    carries their idle time (before the view, the user was still anonymous
    and the session would keep SESSION_COOKIE_AGE until the next request).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and session is not None and user.is_authenticated:
            idle = (
                settings.STAFF_SESSION_IDLE_SECONDS
                if requires_mfa(user)
                else settings.PORTAL_SESSION_IDLE_SECONDS
            )
            if session.get("_session_expiry") != idle:
                session.set_expiry(idle)
        return response


class RequireStaffMFAMiddleware:
    """A staff member or administrator without MFA reaches nothing but MFA setup.

    Checked on every request, so neither the staff site, the admin site,
    nor any later page can be opened before an authenticator exists.
    """

    # Paths that must stay open: allauth itself (sign-out, MFA setup,
    # password change), static files and the health check.
    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and requires_mfa(user)
            and not self._has_mfa(user)
        ):
            messages.warning(
                request,
                _("Staff accounts must use two-factor authentication. Set it up to continue."),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _has_mfa(user) -> bool:
        from allauth.mfa.utils import is_mfa_enabled

        return is_mfa_enabled(user)
