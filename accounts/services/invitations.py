"""Staff invitations and the second factor.

A staff account is usable only with a password and an authenticator that
its person set up. Both are set in one visit through a one-time link
(StaffInvitation): ``staff_invite`` creates the account without a usable
password and sends the link; ``staff_invitation_accept`` sets the
password and the authenticator together. Signing in with a password alone
never leads to setting up an authenticator (accounts.middleware). An
administrator who resets someone's second factor gives a reason, which is
written to the audit trail; the person is told by e-mail and gets a new
link.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Set
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StaffInvitation, User
from accounts.roles import STAFF_ROLES, Role, requires_mfa
from accounts.services.common import audit as _audit
from accounts.services.common import field_error as _field_error
from accounts.services.common import require_administrator as _require_administrator
from accounts.services.users import user_create

INVITATION_VALIDITY = datetime.timedelta(days=3)


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: StaffInvitation
    url: str  # the one-time link; known only now (the table keeps a hash)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _issue(
    *, user: User, kind: str, by: User | None, reason: str = "", now=None
) -> IssuedInvitation:
    """A new link for ``user``; any older one stops working."""
    from allauth.utils import build_absolute_uri
    from django.urls import reverse

    now = now or timezone.now()
    StaffInvitation.objects.filter(user=user, used_at=None, revoked_at=None).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = StaffInvitation(
        user=user,
        kind=kind,
        token_hash=_token_hash(token),
        reason=reason,
        created_by=by,
        created_at=now,
        expires_at=now + INVITATION_VALIDITY,
    )
    invitation.full_clean()
    invitation.save()
    url = build_absolute_uri(None, reverse("account_invitation", args=[token]))
    return IssuedInvitation(invitation=invitation, url=url)


def _send(template: str, *, user: User, issued: IssuedInvitation) -> None:
    """Discreet: "Tinig" and what to do, nothing about the work or the reason.

    The three templates of every Tinig e-mail (``accounts/emails/<name>-
    subject.txt``, ``-body.txt``, ``-body.html``), rendered here rather than
    through ``core.emails``, which ``accounts`` may not import.
    """
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.utils import translation

    from accounts.language import language_of
    from accounts.plain_text import render_text

    prefix = f"accounts/emails/{template}"
    context = {"user": user, "email": user.email, "url": issued.url}
    context["expires_at"] = issued.invitation.expires_at
    with translation.override(language_of(user)):  # in their language, not the sender's
        subject = " ".join(render_text(f"{prefix}-subject.txt", context).splitlines())
        text = render_text(f"{prefix}-body.txt", context)
        html = render_to_string(f"{prefix}-body.html", context)
    message = EmailMultiAlternatives(
        subject.strip(), text, settings.DEFAULT_FROM_EMAIL, [user.email]
    )
    message.attach_alternative(html, "text/html")
    message.send()


def _validate_staff_roles(roles: Set[Role]) -> None:
    if not roles:
        raise _field_error("roles", _("Choose at least one role."), "roles_required")
    if not set(roles) <= STAFF_ROLES:
        raise _field_error(
            "roles",
            _("Invitations are for staff roles; consultants are added as consultants."),
            "not_staff_roles",
        )


def staff_invite(
    *,
    email: str,
    roles: Set[Role],
    by: User | None,
    display_name: str = "",
    language: str = "",
) -> IssuedInvitation:
    """Create a staff account that cannot sign in yet, and send its one-time link.

    ``by`` is an administrator, or None from the command line
    (``manage.py invite_staff``), where whoever runs it already holds the
    server.
    """
    _require_administrator(by)
    _validate_staff_roles(roles)
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise _field_error(
            "email",
            _("Someone already has this address. Send them a new link instead."),
            "email_taken",
        )
    with transaction.atomic():
        user = user_create(
            email=email, display_name=display_name, roles=roles, verified=False, language=language
        )
        issued = _issue(user=user, kind=StaffInvitation.Kind.INVITE, by=by)
        _audit(user=user, by=by, event="staff_invited")
    _send("staff_invitation", user=user, issued=issued)
    return issued


def _refuse_inactive(user: User) -> None:
    if not user.is_active:
        raise ValidationError(
            _("This account is deactivated. Reactivate it first."), code="inactive"
        )


def staff_invitation_resend(*, user: User, by: User | None, request=None) -> IssuedInvitation:
    """A new link for a staff member who has not set up their authenticator
    yet (the first one expired or was lost); the old link stops working."""
    from allauth.mfa.utils import is_mfa_enabled

    _require_administrator(by)
    _refuse_inactive(user)
    if not requires_mfa(user):
        raise ValidationError(_("Only staff accounts are invited this way."), code="not_staff")
    if is_mfa_enabled(user):
        raise ValidationError(
            _("This person has set up their authenticator. Reset it first, with a reason."),
            code="already_enrolled",
        )
    with transaction.atomic():
        issued = _issue(user=user, kind=StaffInvitation.Kind.INVITE, by=by)
        _audit(user=user, by=by, event="staff_invitation_resent", request=request)
    _send("staff_invitation", user=user, issued=issued)
    return issued


def staff_mfa_reset(*, user: User, reason: str, by: User, request=None) -> IssuedInvitation:
    """Remove a staff member's authenticators (TOTP and recovery codes) and
    send them a new link to set up a new one, with a new password.

    An administrator only, never for themselves, and with a reason, written
    to the audit trail before anything is removed. Their open sessions end
    at their next request, which tells them why (accounts.middleware).
    """
    from allauth.mfa.models import Authenticator

    _require_administrator(by)
    reason = (reason or "").strip()
    if not reason:
        raise _field_error("reason", _("Say why."), "reason_required")
    if user.pk == by.pk:
        raise ValidationError(
            _("Another administrator must reset your own second factor."), code="own_account"
        )
    _refuse_inactive(user)
    if not requires_mfa(user):
        raise ValidationError(_("Only staff accounts use a second factor."), code="not_staff")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        _audit(user=user, by=by, event="staff_mfa_reset", reason=reason, request=request)
        Authenticator.objects.filter(user=user).delete()
        issued = _issue(user=user, kind=StaffInvitation.Kind.MFA_RESET, by=by, reason=reason)
    _send("staff_mfa_reset", user=user, issued=issued)
    return issued


def staff_invitation_for_token(token: str, *, now=None) -> StaffInvitation | None:
    """The invitation this link opens, if it still may be used."""
    now = now or timezone.now()
    invitation = (
        StaffInvitation.objects.select_related("user").filter(token_hash=_token_hash(token)).first()
    )
    if invitation is None or not invitation.is_open(now) or not invitation.user.is_active:
        return None
    return invitation


def staff_invitation_accept(
    *, invitation: StaffInvitation, password: str, totp_secret: str, now=None
) -> list[str]:
    """Set the password and the authenticator together, and close the link.

    The caller has checked the password against the validators and a code
    from the app against ``totp_secret``. The link is locked and checked
    again here, so two tabs cannot both use it. Returns the new recovery
    codes, to be shown once.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa import app_settings as mfa_settings
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    now = now or timezone.now()
    with transaction.atomic():
        locked = StaffInvitation.objects.select_for_update().select_related("user")
        invitation = locked.get(pk=invitation.pk)
        if not invitation.is_open(now):
            raise ValidationError(
                _("This link has been used or has expired. Ask an administrator for a new one."),
                code="invitation_closed",
            )
        user = invitation.user
        user.set_password(password)
        user.save(update_fields=["password"])
        # Whoever opened the link reads this mailbox: the address is verified.
        EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True)
        Authenticator.objects.filter(user=user).delete()
        TOTP.activate(user, totp_secret)
        codes: list[str] = []
        if Authenticator.Type.RECOVERY_CODES in mfa_settings.SUPPORTED_TYPES:
            codes = RecoveryCodes.activate(user).get_unused_codes()
        invitation.used_at = now
        invitation.save(update_fields=["used_at"])
        _audit(user=user, by=user, event="staff_invitation_used")
    return codes
