"""Managing staff: their roles, deactivating and reactivating them.

Administrators only (``accounts.access.can_manage_people``), each action
one transaction and one audit entry (who, whom, what; a reason where one
is asked). Consultants are not managed here: their accounts come from the
portal invitation and end with erasure (``consultants.services``).

Tinig always keeps an active administrator. Every action that could take
the last one away (taking the administrator role, deactivating) first
locks the administrator group's row, so two administrators who remove each
other at the same moment are served one after the other, and the second
is refused. Nobody deactivates themselves, and nobody gives herself a
role (``accounts.access.can_give_roles_to``): another administrator must;
a refused attempt is audited too.

Deactivating keeps everything else as it was (roles, password,
authenticator, allauth's records): reactivating gives the account back as
it was. What ends at once is every session of theirs (``user_sessions_end``)
and any open invitation link.
"""

from __future__ import annotations

from collections.abc import Set

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_give_roles_to
from accounts.models import StaffInvitation, User
from accounts.roles import STAFF_ROLES, Role, is_staff_account, roles_held
from accounts.services.common import audit, field_error, require_administrator
from accounts.services.users import user_sessions_end, user_set_roles


def active_administrators() -> QuerySet[User]:
    """Everyone who may manage people now: active, with the administrator
    role or a superuser (``accounts.access.can_manage_people``)."""
    return User.objects.filter(
        Q(groups__name=Role.ADMINISTRATOR.value) | Q(is_superuser=True), is_active=True
    ).distinct()


def _lock_administrators() -> None:
    """Serialise every change that may leave Tinig without an administrator."""
    from django.contrib.auth.models import Group

    Group.objects.select_for_update().get_or_create(name=Role.ADMINISTRATOR.value)


def _would_leave_no_administrator(user: User, *, still_admin: bool) -> bool:
    """Whether ``user`` changing (no longer an administrator, or no longer
    active) leaves nobody who may manage people."""
    if still_admin:
        return False
    return not active_administrators().exclude(pk=user.pk).exists()


def _refuse_last_administrator(user: User, by: User | None) -> None:
    if by is not None and by.pk == user.pk:
        message = _(
            "You are the last active administrator. Give someone else the administrator role first."
        )
    else:
        message = _("Tinig needs at least one active administrator; this would leave none.")
    raise ValidationError(message, code="last_administrator")


def _require_staff_account(user: User) -> None:
    if not is_staff_account(user):
        raise ValidationError(
            _("Only staff accounts are managed here; consultants have their own pages."),
            code="not_staff",
        )


class _OwnRolesRefused(Exception):
    """Raised inside the transaction, so that it rolls back before the
    refusal is audited."""

    def __init__(self, before: frozenset[Role], asked: frozenset[Role]):
        self.before, self.asked = before, asked


def staff_roles_set(
    *, user: User, roles: Set[Role], by: User | None, request=None
) -> frozenset[Role]:
    """Give a staff member exactly these staff roles (at least one; to take
    them all away, deactivate the account). A consultant role they also hold
    is kept: it is not given or taken here. Returns the roles now held.

    One's own roles may only be taken away, never added to."""
    require_administrator(by)
    try:
        return _staff_roles_set(user=user, roles=roles, by=by, request=request)
    except _OwnRolesRefused as refused:
        audit(
            user=user,
            by=by,
            event="staff_roles_change_refused",
            request=request,
            roles_before=sorted(role.value for role in refused.before),
            roles_asked=sorted(role.value for role in refused.asked),
        )
        raise field_error(
            "roles",
            _(
                "You cannot give yourself a role: another administrator must do it. "
                "You may only take your own roles away."
            ),
            "own_roles",
        ) from None


def _staff_roles_set(
    *, user: User, roles: Set[Role], by: User | None, request=None
) -> frozenset[Role]:
    roles = frozenset(Role(role) for role in roles)
    if not roles:
        raise field_error(
            "roles",
            _("Choose at least one role. To take every role away, deactivate the account."),
            "roles_required",
        )
    if not roles <= STAFF_ROLES:
        raise field_error("roles", _("Only staff roles are given here."), "not_staff_roles")
    _require_staff_account(user)
    with transaction.atomic():
        _lock_administrators()
        user = User.objects.select_for_update().get(pk=user.pk)
        before = roles_held(user)
        after = roles | (before - STAFF_ROLES)
        if after == before:
            return before
        losing_admin = Role.ADMINISTRATOR in before and Role.ADMINISTRATOR not in after
        if (
            losing_admin
            and user.is_active
            and _would_leave_no_administrator(user, still_admin=user.is_superuser)
        ):
            _refuse_last_administrator(user, by)
        if after - before and not can_give_roles_to(by, user):
            raise _OwnRolesRefused(before, after)
        user_set_roles(user=user, roles=set(after))
        audit(
            user=user,
            by=by,
            event="staff_roles_changed",
            request=request,
            roles_before=sorted(role.value for role in before),
            roles_after=sorted(role.value for role in after),
        )
    return after


def staff_deactivate(*, user: User, by: User | None, reason: str, request=None) -> int:
    """Deactivate a staff account: it cannot sign in, its sessions end now
    and its open invitation link stops working. Returns how many sessions
    ended. Never one's own account, and never the last administrator."""
    require_administrator(by)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Say why."), "reason_required")
    if by is not None and by.pk == user.pk:
        raise ValidationError(
            _("You cannot deactivate your own account. Ask another administrator."),
            code="own_account",
        )
    _require_staff_account(user)
    with transaction.atomic():
        _lock_administrators()
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise ValidationError(_("This account is already deactivated."), code="inactive")
        if (
            Role.ADMINISTRATOR in roles_held(user) or user.is_superuser
        ) and _would_leave_no_administrator(user, still_admin=False):
            _refuse_last_administrator(user, by)
        user.is_active = False
        user.save(update_fields=["is_active"])
        StaffInvitation.objects.filter(user=user, used_at=None, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        ended = user_sessions_end(user=user)
        audit(
            user=user,
            by=by,
            event="staff_deactivated",
            reason=reason,
            request=request,
            sessions_ended=ended,
        )
    return ended


def staff_reactivate(*, user: User, by: User | None, request=None) -> User:
    """Let a deactivated staff member sign in again, with the roles,
    password and authenticator they had. One who never finished their
    invitation needs a new link (``staff_invitation_resend``)."""
    require_administrator(by)
    _require_staff_account(user)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active:
            raise ValidationError(_("This account is already active."), code="active")
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit(user=user, by=by, event="staff_reactivated", request=request)
    return user
