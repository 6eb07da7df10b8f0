"""Which language a data text is shown in.

Consent texts and checklist templates are data, written in English and
translated into every other language Tinig speaks (``settings.LANGUAGES``).
Each has one accessor that picks its words for a language
(``ConsentText.body_for``, ``checklists.models.Translated``); without a
language they ask ``active_language()``: the language of the request (its
``LocaleMiddleware``), of a report or reminder being written
(``translation.override``), or the default.

Not ``translation.get_supported_language_variant``: that one also asks
whether a gettext catalogue exists, and a data text is in Filipino whether
or not the interface's catalogue has been compiled yet.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from accounts.language import supported


def spoken_languages() -> tuple[str, ...]:
    """The codes of ``settings.LANGUAGES``, the default first."""
    codes = [code for code, _name in settings.LANGUAGES]
    return (settings.LANGUAGE_CODE, *(code for code in codes if code != settings.LANGUAGE_CODE))


def supported_language(language: str | None) -> str:
    """``language`` as one of ``settings.LANGUAGES`` ("fil-PH" is "fil"), or
    the default when Tinig does not speak it (or it is None). Which codes
    Tinig speaks is ``accounts.language.supported``'s to say."""
    if language:
        code = language.lower().replace("_", "-")
        for candidate in (code, code.split("-")[0]):
            if supported(candidate):
                return candidate
    return settings.LANGUAGE_CODE


def active_language() -> str:
    """The active language, as one of ``settings.LANGUAGES``."""
    return supported_language(translation.get_language())
