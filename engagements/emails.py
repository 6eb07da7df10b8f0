"""E-mails of the engagements app: one function per e-mail, three templates
each (``engagements/emails/<name>-subject.txt``, ``-body.txt``, ``-body.html``).

Discreet by default: subjects and bodies say "Tinig" and what to do, never
the title, type, audience or any other detail of the nature of the work; a
link leads to the page behind the sign-in.
"""

from __future__ import annotations

from allauth.utils import build_absolute_uri
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation


def _send(name: str, *, to: list[str], context: dict) -> None:
    if not to:
        return
    prefix = f"engagements/emails/{name}"
    subject = " ".join(render_to_string(f"{prefix}-subject.txt", context).splitlines()).strip()
    text = render_to_string(f"{prefix}-body.txt", context)
    html = render_to_string(f"{prefix}-body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    message.send()


def engagement_staff_path(engagement_pk: int) -> str:
    """The staff page of an engagement (the pages arrive in a later step)."""
    try:
        return reverse("engagements:detail", args=[engagement_pk])
    except NoReverseMatch:
        return f"/staff/engagements/{engagement_pk}/"


def send_participant_stepped_back(*, to: list[str], engagement_pk: int, pseudonym: str) -> None:
    """Tell the engagement's staff that a consultant stepped back: who (by
    pseudonym) and where to look, nothing else; no reason is ever asked."""
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            "participant_stepped_back",
            to=to,
            context={
                "pseudonym": pseudonym,
                "url": build_absolute_uri(None, engagement_staff_path(engagement_pk)),
            },
        )
