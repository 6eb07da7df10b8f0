"""Who may do what with reminders.

- Reminder settings (timing, on/off per kind), the log of sent reminders
  and the failed deliveries (and retrying them): programme managers and
  administrators. The log shows no message bodies, subjects or addresses.
- Their own digest choice: every staff member.
- Their own choices per kind (e-mail, text message, both or nothing): a consultant with a
  profile, on the portal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from accounts.roles import Role, has_role, is_staff_member

if TYPE_CHECKING:
    from accounts.access import AnyUser
    from accounts.models import User
    from consultants.models import Consultant


def _active(user: AnyUser) -> TypeGuard[User]:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _manages(user: AnyUser) -> bool:
    return _active(user) and (
        has_role(user, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR) or user.is_superuser
    )


def can_manage_settings(user: AnyUser) -> bool:
    return _manages(user)


def can_view_log(user: AnyUser) -> bool:
    return _manages(user)


def can_retry(user: AnyUser) -> bool:
    return _manages(user)


def can_set_staff_preference(user: AnyUser) -> bool:
    return _active(user) and is_staff_member(user)


def consultant_of(user: AnyUser) -> Consultant | None:
    if not _active(user) or not has_role(user, Role.CONSULTANT):
        return None
    from consultants.models import Consultant

    return Consultant.objects.filter(user=user).first()


def can_set_own_preferences(user: AnyUser, consultant: Consultant | None) -> bool:
    return (
        consultant is not None
        and _active(user)
        and has_role(user, Role.CONSULTANT)
        and consultant.user_id == user.pk
    )
