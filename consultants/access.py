"""Who may see or do what with consultants. The ONLY place in this app that
checks roles or calls django-guardian; views, services and selectors ask here.

Rules (pseudonym first: seeing a consultant means seeing the pseudonym and
the non-identifying profile; identity, contacts and the support person are
a separate, audited reveal; wellbeing notes are narrower still):

Seeing a consultant (``consultants_visible_to``):
    * administrator (or superuser), programme manager: every consultant;
    * finance officer: every consultant, by pseudonym (anyone may need paying);
    * programme staff: the consultants they hold ``consultants.view_consultant``
      (or ``reveal_identity``) on, an object permission that the engagements
      app grants to the staff of an engagement (``grant_consultant_view``);
    * wellbeing lead: the consultants assigned to them (object permission
      ``consultants.read_wellbeing_notes``, given by ``wellbeing_lead_assign``);
    * consultant: their own profile only;
    * anyone else: nobody.
    Not visible means 404 (``consultant_for_user``): an outsider cannot even
    learn that a consultant exists. Visible but not allowed to change means
    403 (``consultant_for_user_to_change``).

Revealing identity, contacts and support person (``can_reveal_identity``):
    programme manager; programme staff with the object permission
    ``consultants.reveal_identity`` on that consultant; the wellbeing lead
    assigned to them; administrators. Nobody else, and never a consultant
    (they see their own details in the portal, which is not a reveal).

Wellbeing notes (``can_read_wellbeing``): only the wellbeing lead assigned
to the consultant and administrators, read and write. Not the programme
manager.

Changing a profile, its status, inviting to the portal, assigning a
wellbeing lead: programme manager and administrator. A consultant changes
their own contact details, languages, availability, break, consents and
story-sharing default through the portal (``consultant_of``).

Data-subject rights: an administrator or the consultant themselves may
export the record; only an administrator may erase an identity.

Object permissions are always checked per object, never globally: a model
permission a role group holds does not widen any rule here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import assign_perm, get_objects_for_user, get_users_with_perms, remove_perm

from accounts.roles import Role, has_role, roles_of
from consultants.models import ConsentRecord, Consultant

if TYPE_CHECKING:
    from accounts.access import AnyUser
    from accounts.models import User

VIEW = "consultants.view_consultant"
REVEAL = "consultants.reveal_identity"
WELLBEING = "consultants.read_wellbeing_notes"

# Where a user's guardian permission checker is kept, per request.
_CHECKER_ATTRIBUTE = "_consultants_checker"


# --- Who is who --------------------------------------------------------------------


def _active(user: AnyUser | None) -> TypeGuard[User]:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _is_admin(user: AnyUser) -> bool:
    return _active(user) and (user.is_superuser or has_role(user, Role.ADMINISTRATOR))


def _is_manager(user: AnyUser) -> bool:
    return has_role(user, Role.PROGRAMME_MANAGER)


def _object_perm(user: AnyUser, perm: str, consultant: Consultant) -> bool:
    """An object permission given to this user (or a group of theirs) on this
    consultant. Superuser status is handled by the callers, not here."""
    if not _active(user) or consultant.pk is None:
        return False
    checker = getattr(user, _CHECKER_ATTRIBUTE, None)
    if checker is None:
        checker = ObjectPermissionChecker(user)
        setattr(user, _CHECKER_ATTRIBUTE, checker)
    return perm.split(".", 1)[1] in checker.get_perms(consultant)


def _granted(user: AnyUser, perms: list[str]) -> QuerySet[Consultant]:
    """Consultants this user holds any of ``perms`` on, per object only."""
    return get_objects_for_user(
        user,
        perms,
        klass=Consultant,
        any_perm=True,
        with_superuser=False,
        accept_global_perms=False,
    )


# --- Seeing --------------------------------------------------------------------------


def consultants_visible_to(user: AnyUser) -> QuerySet[Consultant]:
    """Every list of consultants starts here (see the module docstring)."""
    everyone = Consultant.objects.all()
    if not _active(user):
        return everyone.none()
    if _is_admin(user):
        return everyone
    roles = roles_of(user)
    if roles & {Role.PROGRAMME_MANAGER, Role.FINANCE_OFFICER}:
        return everyone
    granted: list[str] = []
    if Role.PROGRAMME_STAFF in roles:
        granted += [VIEW, REVEAL]
    if Role.WELLBEING_LEAD in roles:
        granted.append(WELLBEING)
    conditions = Q()
    if granted:
        conditions |= Q(pk__in=_granted(user, granted).values("pk"))
    if Role.CONSULTANT in roles:
        conditions |= Q(user=user)
    return everyone.filter(conditions) if conditions else everyone.none()


def can_view(user: AnyUser, consultant: Consultant) -> bool:
    return consultants_visible_to(user).filter(pk=consultant.pk).exists()


def consultant_for_user(user: AnyUser, pk: int | str) -> Consultant:
    """The consultant, or 404 for anyone who may not see them."""
    try:
        return consultants_visible_to(user).get(pk=pk)
    except (Consultant.DoesNotExist, ValueError, TypeError):
        raise Http404("No such consultant.") from None


def consultant_for_user_to_change(user: AnyUser, pk: int | str) -> Consultant:
    """For the staff pages that change a profile: 404 as above, then 403 for
    those who may see but not change it."""
    consultant = consultant_for_user(user, pk)
    if not can_edit_profile(user, consultant):
        raise PermissionDenied("You may not change this consultant.")
    return consultant


def consultant_of(user: AnyUser) -> Consultant | None:
    """The profile of a signed-in consultant (the portal's one record), or None."""
    if not _active(user) or not has_role(user, Role.CONSULTANT):
        return None
    return Consultant.objects.filter(user=user).first()


def _is_self(user: AnyUser, consultant: Consultant) -> bool:
    return (
        _active(user)
        and consultant.user_id is not None
        and consultant.user_id == user.pk
        and has_role(user, Role.CONSULTANT)
    )


# --- Doing ----------------------------------------------------------------------------


def can_edit_profile(user: AnyUser, consultant: Consultant) -> bool:
    """Staff edits of the whole profile (the portal edits its own fields)."""
    return _is_admin(user) or _is_manager(user)


def can_add_consultant(user: AnyUser) -> bool:
    """Staff create new profiles: the same people who edit them."""
    return _is_admin(user) or _is_manager(user)


def can_change_status(user: AnyUser, consultant: Consultant) -> bool:
    """Staff status changes; a consultant takes or ends their own break in the portal."""
    return _is_admin(user) or _is_manager(user) or _is_self(user, consultant)


def statuses_user_may_set(user: AnyUser, consultant: Consultant) -> frozenset[str]:
    """The statuses ``user`` may move ``consultant`` to from where they are now.
    Managers and administrators: every allowed transition. The consultant:
    take a break (or change its end) when active or on a break, and come
    back from one; never onboarding, active from onboarding, or alumni."""
    reachable = Consultant.TRANSITIONS.get(consultant.status, frozenset())
    if _is_admin(user) or _is_manager(user):
        return reachable
    if _is_self(user, consultant):
        own = {Consultant.Status.ON_BREAK}
        if consultant.status == Consultant.Status.ON_BREAK:
            own.add(Consultant.Status.ACTIVE)
        return frozenset(reachable & own)
    return frozenset()


def can_manage_availability(user: AnyUser, consultant: Consultant) -> bool:
    return _is_admin(user) or _is_manager(user) or _is_self(user, consultant)


def can_record_consent(user: AnyUser, consultant: Consultant) -> bool:
    """Grant or withdraw consent: the consultant, or a manager or administrator
    recording it on their behalf (a signed form, a call)."""
    return _is_admin(user) or _is_manager(user) or _is_self(user, consultant)


def can_view_consent(user: AnyUser, consultant: Consultant) -> bool:
    """The state and history of consent (not the evidence file): anyone who
    sees the consultant, since whoever runs an engagement must know what
    may be photographed, recorded or quoted."""
    return _is_self(user, consultant) or can_view(user, consultant)


def can_view_consent_evidence(user: AnyUser, record: ConsentRecord) -> bool:
    """A signed form carries the legal name: the same people as a reveal, and
    the consultant themselves."""
    return _is_self(user, record.consultant) or can_reveal_identity(user, record.consultant)


def can_invite_to_portal(user: AnyUser, consultant: Consultant) -> bool:
    return _is_admin(user) or _is_manager(user)


def can_assign_wellbeing_lead(user: AnyUser, consultant: Consultant) -> bool:
    return _is_admin(user) or _is_manager(user)


def can_reveal_identity(user: AnyUser, consultant: Consultant) -> bool:
    """Legal name, contacts, support person (see the module docstring)."""
    if _is_admin(user) or _is_manager(user):
        return True
    roles = roles_of(user)
    if Role.PROGRAMME_STAFF in roles and _object_perm(user, REVEAL, consultant):
        return True
    return Role.WELLBEING_LEAD in roles and _object_perm(user, WELLBEING, consultant)


def can_read_wellbeing(user: AnyUser, consultant: Consultant) -> bool:
    """Read and write wellbeing notes: the assigned lead and administrators only."""
    if _is_admin(user):
        return True
    return has_role(user, Role.WELLBEING_LEAD) and _object_perm(user, WELLBEING, consultant)


def can_export(user: AnyUser, consultant: Consultant) -> bool:
    return _is_admin(user) or _is_self(user, consultant)


def can_erase_identity(user: AnyUser, consultant: Consultant) -> bool:
    return _is_admin(user)


def is_wellbeing_lead(user: AnyUser) -> bool:
    return _active(user) and has_role(user, Role.WELLBEING_LEAD)


def wellbeing_lead_candidates() -> QuerySet[User]:
    """Active people with the wellbeing lead role (the lead assignment's choices)."""
    from accounts.models import User

    return User.objects.filter(is_active=True, groups__name=Role.WELLBEING_LEAD.value).order_by(
        "display_name", "pk"
    )


# --- Object grants (called by services, and later by the engagements app) ------------


def _forget_checker(user: User) -> None:
    if hasattr(user, _CHECKER_ATTRIBUTE):
        delattr(user, _CHECKER_ATTRIBUTE)


def grant_consultant_view(user: User, consultant: Consultant) -> None:
    """Let a staff member see this consultant (e.g. on their engagement)."""
    assign_perm(VIEW, user, consultant)
    _forget_checker(user)


def revoke_consultant_view(user: User, consultant: Consultant) -> None:
    remove_perm(VIEW, user, consultant)
    _forget_checker(user)


def grant_identity_reveal(user: User, consultant: Consultant) -> None:
    """Let a staff member reveal this consultant's identity (audited each time)."""
    assign_perm(REVEAL, user, consultant)
    _forget_checker(user)


def revoke_identity_reveal(user: User, consultant: Consultant) -> None:
    remove_perm(REVEAL, user, consultant)
    _forget_checker(user)


def wellbeing_leads_of(consultant: Consultant) -> list[User]:
    """The users holding the wellbeing grant on this consultant, directly."""
    return list(
        get_users_with_perms(
            consultant,
            only_with_perms_in=[WELLBEING.split(".", 1)[1]],
            with_superusers=False,
            with_group_users=False,
        )
    )


def grant_wellbeing(user: User, consultant: Consultant) -> None:
    assign_perm(WELLBEING, user, consultant)
    _forget_checker(user)


def revoke_wellbeing(user: User, consultant: Consultant) -> None:
    remove_perm(WELLBEING, user, consultant)
    _forget_checker(user)
