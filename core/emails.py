"""Sending one e-mail from three templates.

Each e-mail is ``<prefix>-subject.txt``, ``<prefix>-body.txt`` and
``<prefix>-body.html``; the app that owns the e-mail has one function per
e-mail that builds the context (discreet by default: "Tinig" and what to
do, never the nature of the work) and calls ``send_templated``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from accounts.language import language_of
from accounts.plain_text import render_text


def render_templated(prefix: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject on one line, text body, HTML body): the text parts
    unescaped, the HTML part escaped."""
    subject = " ".join(render_text(f"{prefix}-subject.txt", context).splitlines()).strip()
    text = render_text(f"{prefix}-body.txt", context)
    html = render_to_string(f"{prefix}-body.html", context)
    return subject, text, html


def send_templated(
    prefix: str, *, to: Sequence[str], context: dict[str, Any], language: str | None = None
) -> None:
    """Render (in ``language``, else the active one) and send; nothing when
    there is nobody to send to."""
    if not to:
        return
    with translation.override(language or translation.get_language()):
        subject, text, html = render_templated(prefix, context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, list(to))
    message.attach_alternative(html, "text/html")
    message.send()


def send_templated_to(prefix: str, *, people: Iterable, context: dict[str, Any]) -> None:
    """One e-mail per language among ``people`` (accounts), each in its
    readers' own language, to their delivery addresses."""
    reachable = sorted(
        (language_of(person), person.delivery_email)
        for person in people
        if person.is_active and person.delivery_email
    )
    for language, group in groupby(reachable, key=lambda pair: pair[0]):
        send_templated(
            prefix, to=[address for _l, address in group], context=context, language=language
        )
