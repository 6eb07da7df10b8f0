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
from django.urls import reverse
from django.utils import translation

from accounts.language import language_of
from core.emails import send_templated


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
    with translation.override(language_of(user)):
        send_templated(
            "consultants/emails/portal_invitation",
            to=[user.delivery_email],  # the sealed address, not the lookup token
            context={
                "name": consultant.greeting_name,
                "set_password_url": set_password_url(user, request=request),
                "sign_in_url": build_absolute_uri(request, reverse("account_login")),
                "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
            },
        )
