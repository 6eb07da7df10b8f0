"""Who may enter which part of Tinig. Views ask these, never the groups."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from accounts.roles import Role, has_role, is_consultant, is_staff_member

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

# Whom every access rule is asked about: ``request.user``, signed in or not.
AnyUser: TypeAlias = "User | AnonymousUser"


def can_use_staff_site(user: AnyUser) -> bool:
    return is_staff_member(user)


def can_use_portal(user: AnyUser) -> bool:
    return is_consultant(user)


def can_use_admin(user: AnyUser) -> bool:
    """The admin site is the administrators' (and superusers') alone."""
    return bool(user.is_active and user.is_staff) and (
        user.is_superuser or has_role(user, Role.ADMINISTRATOR)
    )


def can_manage_people(user: AnyUser) -> bool:
    """Invite staff and reset someone's second factor: administrators."""
    return bool(user.is_active) and (
        has_role(user, Role.ADMINISTRATOR) or bool(getattr(user, "is_superuser", False))
    )


def can_give_roles_to(by: User | None, person: User) -> bool:
    """Separation of duties: nobody gives a role to herself, least of all
    finance (which reveals payment details and makes the bank export);
    another administrator does. Taking one's own roles away is allowed
    (``accounts.services.people`` keeps the last administrator). ``None``
    is the command line, whose user already holds the server."""
    if by is None:
        return True
    return can_manage_people(by) and by.pk != person.pk
