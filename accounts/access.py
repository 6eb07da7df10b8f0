"""Who may enter which part of Tinig. Views ask these, never the groups."""

from __future__ import annotations

from collections.abc import Callable
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


# Where an account that People does not manage is managed instead: a
# consultant's portal account, on her page under Consultants. The app that
# owns such accounts registers, from its ready(), a function answering the
# page's path for (account, viewer), or None when the viewer may not see it
# (``accounts`` imports no app above it; core lends its cipher the same way,
# ``accounts.sealing``).
ManagedElsewhere: TypeAlias = "Callable[[User, AnyUser], str | None]"
_managed_elsewhere: list[ManagedElsewhere] = []


def register_managed_elsewhere(page: ManagedElsewhere) -> None:
    if page not in _managed_elsewhere:
        _managed_elsewhere.append(page)


def page_managing(account: User, *, viewer: AnyUser) -> str | None:
    """The page where ``viewer`` finds ``account`` when it is not a staff
    account (People manages staff only), or None."""
    for page in _managed_elsewhere:
        found = page(account, viewer)
        if found:
            return found
    return None
