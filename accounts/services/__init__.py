"""Writes that concern accounts and roles, one module per topic:

* ``users``: creating an account, its roles, ending its sessions;
* ``invitations``: staff invitations and the second factor;
* ``people``: what administrators do to staff accounts (roles,
  deactivation), with the guards that keep an administrator.

Callers import from ``accounts.services``; the names below are the API.
"""

from accounts.services.invitations import (
    INVITATION_VALIDITY,
    IssuedInvitation,
    staff_invitation_accept,
    staff_invitation_for_token,
    staff_invitation_resend,
    staff_invite,
    staff_mfa_reset,
)
from accounts.services.people import (
    active_administrators,
    staff_deactivate,
    staff_reactivate,
    staff_roles_set,
)
from accounts.services.users import user_create, user_sessions_end, user_set_roles

__all__ = [
    "INVITATION_VALIDITY",
    "IssuedInvitation",
    "active_administrators",
    "staff_deactivate",
    "staff_invitation_accept",
    "staff_invitation_for_token",
    "staff_invitation_resend",
    "staff_invite",
    "staff_mfa_reset",
    "staff_reactivate",
    "staff_roles_set",
    "user_create",
    "user_sessions_end",
    "user_set_roles",
]
