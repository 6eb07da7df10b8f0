"""Leaving quickly and using Tinig privately (the "safe on a shared phone"
issue; the session side is accounts.safety).

``exit_page`` (/exit) is what "Exit this page" opens: with JavaScript the
button replaces the current history entry with it (``location.replace``),
without JavaScript it is a plain link. ``using_privately`` (/help/) is the
page on private browsing, history and downloads, open to everyone, in
English and Filipino.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import access, safety
from consultants.selectors import privacy_choices_of


@require_http_methods(["GET", "HEAD"])
@never_cache
def exit_page(request):
    """End the session (unless she chose to stay signed in), tell the
    browser to drop what it cached or stored for Tinig, and redirect to the
    neutral EXIT_URL.

    A GET, on purpose, without a CSRF token: "Exit this page" must work in
    one tap, from a plain link when JavaScript is off, and from a page whose
    form token may be stale. Forging it can do no more than sign the person
    out of their own session and send them to a public page, which anyone
    could do by other means; it reads nothing and changes no record.

    The redirect is the only thing history keeps of this step, and for
    EXIT_GUARD_SECONDS a cookie turns any Tinig address opened again in this
    browser (Back) into the same redirect (accounts.middleware.ExitGuardMiddleware).
    "cookies" is left out of Clear-Site-Data: the browser would drop that
    guard cookie, and the session cookie is already deleted by signing out
    (kept, when she chose to stay signed in).
    """
    signs_out = True
    if request.user.is_authenticated:
        signs_out, _discretion = privacy_choices_of(user=request.user)
    if signs_out:
        logout(request)  # flushes the session; its cookie is deleted
    response = HttpResponseRedirect(settings.EXIT_URL)
    response["Clear-Site-Data"] = '"cache", "storage"'
    response["Referrer-Policy"] = "no-referrer"
    if settings.EXIT_GUARD_SECONDS > 0:
        response.set_cookie(
            safety.EXIT_GUARD_COOKIE,
            "1",
            max_age=settings.EXIT_GUARD_SECONDS,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


# The languages the page is written in; the first is the fallback.
USING_PRIVATELY_LANGUAGES = ("en", "fil")


@require_http_methods(["GET", "HEAD"])
def using_privately(request, language: str | None = None):
    """Plain words on private browsing, history, downloads, the exit button
    and whom to call.

    The text is a whole page per language (``pages/using_privately/<language>.html``)
    rather than sentences in the catalogue, so that the Filipino reads as
    written, not as translated fragments. /help/ shows the page in the
    active language (English when it has no page); /help/en/ and /help/fil/
    show one language whatever the active one is, so the Filipino page can
    be reached before Filipino catalogues exist, and each links to the other.
    """
    if language is None:
        active = (get_language() or "en").split("-")[0]
        language = active if active in USING_PRIVATELY_LANGUAGES else "en"
    elif language not in USING_PRIVATELY_LANGUAGES:
        raise Http404
    layout = (
        "portal/layout.html"
        if request.user.is_authenticated and access.can_use_portal(request.user)
        else "allauth/layouts/entrance.html"
    )
    return render(
        request,
        "pages/using_privately.html",
        {
            "layout": layout,
            "language": language,
            "body_template": f"pages/using_privately/{language}.html",
            "contact_phone": settings.PROGRAMME_CONTACT_PHONE,
            "contact_email": settings.PROGRAMME_CONTACT_EMAIL,
            "idle_minutes": max(1, settings.SHARED_PHONE_IDLE_SECONDS // 60),
            "guard_minutes": max(1, settings.EXIT_GUARD_SECONDS // 60),
        },
    )
