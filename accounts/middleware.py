from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import safety
from accounts.roles import requires_mfa


class SessionIdleTimeoutMiddleware:
    """Sessions end after a time without a request: staff after
    STAFF_SESSION_IDLE_SECONDS, consultants after PORTAL_SESSION_IDLE_SECONDS,
    anyone who signed in on a shared phone after SHARED_PHONE_IDLE_SECONDS.

    SESSION_SAVE_EVERY_REQUEST renews the expiry on every request, which is
    what makes it an idle timeout rather than an absolute one.

    Applied after the view, so the response that signs someone in already
    carries their idle time (before the view, the user was still anonymous
    and the session would keep SESSION_COOKIE_AGE until the next request).

    A shared-phone session is different: its cookie must end when the
    browser closes (expiry 0), so the cookie cannot carry the idle time.
    The moment of each request is kept in the session instead, and checked
    before the view: too long ago, and the person is signed out and sent to
    sign in (the keep-alive ping gets a bare 401).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and session is not None and user.is_authenticated:
            left = safety.idle_seconds_left(request)
            if left is not None and left <= 0:
                return self._signed_out(request)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and session is not None and user.is_authenticated:
            if safety.is_shared_phone(request):
                safety.touch(request)
                if session.get("_session_expiry") != 0:
                    session.set_expiry(0)
                return response
            idle = (
                settings.STAFF_SESSION_IDLE_SECONDS
                if requires_mfa(user)
                else settings.PORTAL_SESSION_IDLE_SECONDS
            )
            if session.get("_session_expiry") != idle:
                session.set_expiry(idle)
        return response

    @staticmethod
    def _signed_out(request):
        logout(request)
        if request.path == reverse("keep_alive"):
            return HttpResponse(status=401)
        messages.info(
            request, _("You were signed out because this phone was not used for a while.")
        )
        return redirect_to_login(request.get_full_path())


class ExitGuardMiddleware:
    """For a few minutes after "Exit this page", Tinig answers every page of
    that browser with a redirect to EXIT_URL (accounts.safety).

    Back (or a reopened tab) then lands on the neutral page again instead of
    a Tinig page, even the sign-in page. Static files, the exit route itself
    and the health check pass; so does nothing else until the cookie expires.
    """

    PASS_PREFIXES = ("/static/", "/healthz", "/exit")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if safety.EXIT_GUARD_COOKIE in request.COOKIES and not request.path.startswith(
            self.PASS_PREFIXES
        ):
            response = redirect(settings.EXIT_URL)
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)


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
    # sign-out, static files, the health check, the language switch, and
    # leaving quickly (exit, the page on using Tinig privately).
    ALLOWED_PREFIXES = (
        "/accounts/invitation/",
        "/accounts/logout/",
        "/static/",
        "/healthz",
        "/i18n/",
        "/exit",
        "/help/",
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
