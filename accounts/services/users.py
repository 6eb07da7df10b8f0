"""Accounts themselves: creating one, its roles, its sessions."""

from __future__ import annotations

from collections.abc import Set

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Session, User
from accounts.roles import Role, forget_roles


@transaction.atomic
def user_set_roles(*, user: User, roles: set[Role]) -> User:
    """Give a user exactly these roles.

    The administrator role also opens the admin site (``is_staff``), and
    only that role does.
    """
    from django.contrib.auth.models import Group

    groups = Group.objects.filter(name__in=[role.value for role in roles])
    user.groups.set(groups)
    user.is_staff = Role.ADMINISTRATOR in roles or user.is_superuser
    user.full_clean()
    user.save(update_fields=["is_staff"])
    forget_roles(user)
    return user


def user_create(
    *,
    email: str,
    display_name: str = "",
    password: str | None = None,
    roles: Set[Role] = frozenset(),
    verified: bool = False,
    sealed: bool = False,
    language: str = "",
) -> User:
    """Create a user and, if known good, mark their address verified for allauth.

    ``sealed``: the account is found by a keyed hash of the address and keeps
    the address only encrypted (every consultant's; ``accounts.sealing``).
    """
    from allauth.account.models import EmailAddress

    from accounts import sealing

    with transaction.atomic():
        if sealed:
            address = sealing.normalise_address(email)
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
            user = User(
                email=sealing.lookup_token(address),
                sealed_email=address,
                display_name=display_name,
            )
        else:
            user = User(email=email, display_name=display_name)
        if language:
            user.language = language
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean()
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
        user_set_roles(user=user, roles=set(roles))
    return user


def user_sessions_end(*, user: User) -> int:
    """End every session signed in as ``user``, at once: their next request
    is anonymous, whatever it is. Returns how many ended.

    Sessions carry their person's id (``accounts.Session``), so this is one
    indexed delete. A request of theirs already under way cannot bring its
    session back: saving a session whose row is gone fails (Django's
    ``SessionInterrupted``) rather than writing it again.
    """
    deleted, _by_model = Session.objects.filter(user=user).delete()
    return deleted
