"""E-mails to consultants: one function per e-mail, three templates each
(``consultants/emails/<name>-subject.txt``, ``-body.txt``, ``-body.html``).

Discreet by default: subject, sender and body say "Tinig" and what to do,
never the nature of the work or anything about the person's history. A
consultant's inbox may be read by someone else.
"""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.utils import build_absolute_uri
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def _send(name: str, *, to: str, context: dict) -> None:
    prefix = f"consultants/emails/{name}"
    subject = " ".join(render_to_string(f"{prefix}-subject.txt", context).splitlines()).strip()
    text = render_to_string(f"{prefix}-body.txt", context)
    html = render_to_string(f"{prefix}-body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


def set_password_url(user, *, request=None) -> str:
    """A link to allauth's "set a new password" page for this user: the same
    key allauth's password reset sends (valid for PASSWORD_RESET_TIMEOUT,
    three days by default; single use, since setting a password changes the
    hash the key is made from)."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return build_absolute_uri(request, path)


def send_portal_invitation(*, consultant, user, request=None) -> None:
    """The invitation to the portal: a link to choose a password."""
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            "portal_invitation",
            to=user.email,
            context={
                "name": consultant.greeting_name,
                "set_password_url": set_password_url(user, request=request),
                "sign_in_url": build_absolute_uri(request, reverse("account_login")),
                "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
            },
        )
