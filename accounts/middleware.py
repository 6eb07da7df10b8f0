from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

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
    """A staff member or administrator without an authenticator reaches nothing.

    An authenticator is set up only through a one-time invitation link,
    together with the password (accounts.services), never by whoever first
    signs in with a staff password. So a signed-in staff account without
    one (its second factor was reset, or it predates invitations) is signed
    out on its next request and told to ask an administrator for a new
    link. Checked on every request, so no page, allauth's own MFA setup
    included, opens before then.
    """

    # Paths that stay open: the invitation link and the page that explains,
    # sign-out, static files, the health check and the language switch.
    ALLOWED_PREFIXES = (
        "/accounts/invitation/",
        "/accounts/logout/",
        "/static/",
        "/healthz",
        "/i18n/",
    )

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
            logout(request)
            return redirect(reverse("account_invitation_needed"))
        return self.get_response(request)

    @staticmethod
    def _has_mfa(user) -> bool:
        from allauth.mfa.utils import is_mfa_enabled

        return is_mfa_enabled(user)
