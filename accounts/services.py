"""Writes that concern accounts and roles."""

from __future__ import annotations

from collections.abc import Set

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
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
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean()
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
        user_set_roles(user=user, roles=set(roles))
    return user
