"""A person's language: a preference kept on their account, not a page state.

Signed in, ``UserLanguageMiddleware`` turns every page to ``user.language``
and keeps the language cookie in step with it, so the sign-out page and the
next sign-in page stay in her language. Signed out, Django's LocaleMiddleware
decides from that cookie, then the browser's Accept-Language (where "tl",
Tagalog, counts as Filipino: ``config.settings`` adds it to LANG_INFO).

The footer switcher (``accounts.views.set_language``) changes the preference of whoever is
signed in, and the cookie of whoever is not; choosing a language on the
sign-in page and then signing in makes it her preference
(``adopt_chosen_language``). Everything made *for* someone away from a
request (e-mails, text messages, calendar files, PDFs) is made inside
``translation.override(language_of(user))``.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def supported(code: str | None) -> bool:
    return code in {language for language, _name in settings.LANGUAGES}


def language_of(user) -> str:
    """The language to write to ``user`` in; the site's default for nobody."""
    code = getattr(user, "language", None)
    return code if supported(code) else settings.LANGUAGE_CODE


def set_language_cookie(response, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def save_preference(user, code: str) -> bool:
    """Store ``code`` as ``user``'s language; False when it is not one we speak."""
    if not supported(code):
        return False
    if user.language != code:
        user.language = code
        user.save(update_fields=["language"])
    return True


def activate_for_page(request, code: str) -> None:
    """A page made for one person before she can sign in (her invitation
    link): in ``code``, her language, as her e-mail was; but a language
    chosen on this browser with the switch (its cookie) wins."""
    if supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)) or not supported(code):
        return
    translation.activate(code)
    request.LANGUAGE_CODE = code


CHOSEN_LANGUAGE_SESSION_KEY = "tinig_chosen_language"


def remember_choice(request, code: str) -> None:
    """Signed out, the switcher's choice is kept in the session too, so that
    signing in next adopts it (a cookie alone may be another person's, left
    on a shared phone)."""
    request.session[CHOSEN_LANGUAGE_SESSION_KEY] = code


def adopt_chosen_language(sender, request, user, **kwargs) -> None:
    """On sign-in: a language chosen before signing in, in this session,
    becomes her preference; otherwise her preference stands."""
    chosen = request.session.pop(CHOSEN_LANGUAGE_SESSION_KEY, None)
    if supported(chosen):
        save_preference(user, chosen)
    translation.activate(language_of(user))


class UserLanguageMiddleware:
    """After authentication: a signed-in person's pages in their language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in:
            code = language_of(user)
            translation.activate(code)
            request.LANGUAGE_CODE = code
        response = self.get_response(request)
        user = getattr(request, "user", None)  # sign-in or sign-out may have changed it
        if user is not None and user.is_authenticated:
            code = language_of(user)
            if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != code:
                set_language_cookie(response, code)
        return response
