"""Rendering the plain-text parts of messages: e-mail subjects and bodies,
SMS.

Django escapes HTML in every template it renders, which is right for a page
and wrong for text that nobody reads as HTML: a colleague named
``O'Brien & "Jo"`` would be greeted as ``O&#x27;Brien &amp; &quot;Jo&quot;``.
``render_text`` renders a template with autoescaping off, and returns a
plain ``str`` (not a ``SafeString``): text shown later on a page is then
escaped there, once. HTML parts of e-mails keep ``render_to_string``.

It lives in ``accounts``, the lowest layer, because every app that sends a
message uses it (``accounts`` its invitations, ``core.emails`` and
``reminders`` everyone else's).
"""

from __future__ import annotations

from typing import Any

from django.template import Context
from django.template.loader import get_template


def render_text(template_name: str, context: dict[str, Any] | None = None) -> str:
    """``template_name`` rendered as text, unescaped; raises
    ``TemplateDoesNotExist`` like ``render_to_string``."""
    template = get_template(template_name).template  # the engine's own Template
    rendered = template.render(Context(context or {}, autoescape=False))
    return str.__str__(rendered)  # a plain str: not marked safe for HTML
