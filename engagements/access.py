"""Who may see or do what with engagements. The ONLY place in this app that
checks roles; views, services, the workflow and selectors ask here.

Seeing an engagement (``engagements_visible_to``):
    * administrator (or superuser), programme manager: every engagement;
    * finance officer: every engagement, read only (anyone may need paying);
    * programme staff: the engagements they own or are assigned to;
    * wellbeing lead: engagements of the consultants assigned to them (to
      support them before and after);
    * consultant: the engagements they were invited to, through their own
      participations only (``participation_for_consultant``);
    * anyone else: nothing.
    Not visible means 404 (``engagement_for_user``); visible but not allowed
    to change means 403 (``engagement_for_user_to_change``).

Running an engagement (``can_run``: edit details, the privacy plan, invite,
matching, confirm participants, mark attendance, write the debrief, most
transitions): its owner, its assigned staff, programme managers and
administrators. Approving or declining a request: programme managers and
administrators only. Cancelling: the owner, managers and administrators.

A consultant answers, steps back from, chooses what to share in, and gives
feedback on their own participations only; anyone else's is a 404.

Assigned staff are a plain relation (``Engagement.assigned_staff``) rather
than a django-guardian grant: it is data the pages show, and lists filter
on it in one query. What staff may see of the consultants on their
engagements is still a guardian grant, made through ``consultants.access``
(``grant_staff_on_consultant``).
"""

from __future__ import annotations

from typing import Any, TypeGuard

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.access import AnyUser as Actor  # engagements' modules call it Actor
from accounts.models import User
from accounts.roles import Role, has_role, roles_of
from consultants import access as consultants_access
from consultants.models import Consultant
from engagements.models import Engagement, Participation

# Transitions only managers (and administrators) may make.
MANAGER_TRANSITIONS = frozenset({"approve", "decline"})
# Transitions the owner (not assigned staff) makes, besides managers.
OWNER_TRANSITIONS = frozenset({"submit", "cancel"})


# --- Who is who --------------------------------------------------------------------


def _active(user: Actor | None) -> TypeGuard[User]:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _is_admin(user: Actor) -> bool:
    return _active(user) and (user.is_superuser or has_role(user, Role.ADMINISTRATOR))


def _is_manager(user: Actor) -> bool:
    return _is_admin(user) or has_role(user, Role.PROGRAMME_MANAGER)


def _is_owner(user: Actor, engagement: Engagement) -> bool:
    return _active(user) and engagement.owner_id == user.pk


def _is_assigned(user: Actor, engagement: Engagement) -> bool:
    if not _active(user) or engagement.pk is None:
        return False
    cache = getattr(engagement, "_prefetched_objects_cache", {})
    if "assigned_staff" in cache:
        return any(member.pk == user.pk for member in cache["assigned_staff"])
    return engagement.assigned_staff.filter(pk=user.pk).exists()


def _is_programme_staff(user: Actor) -> bool:
    return has_role(user, Role.PROGRAMME_STAFF)


# --- Seeing --------------------------------------------------------------------------


def engagements_visible_to(user: Actor) -> QuerySet[Engagement]:
    """Every staff list of engagements starts here (see the module docstring)."""
    everyone = Engagement.objects.all()
    parts = _visible_conditions(user)
    if parts is None:
        return everyone
    if not parts:
        return everyone.none()
    conditions = Q()
    for part in parts:
        conditions |= part
    return everyone.filter(conditions)


def engagements_visible_in_parts(user: Actor) -> list[QuerySet[Engagement]] | None:
    """``engagements_visible_to`` as the querysets whose union it is: None
    for every engagement, [] for none. For a query that reads each part by
    its own index and unites the results: an OR of the parts hides from
    PostgreSQL how few rows each one gives (it then guesses half the table
    and reads every row of the other side to check them)."""
    parts = _visible_conditions(user)
    if parts is None:
        return None
    return [Engagement.objects.filter(part) for part in parts]


def _visible_conditions(user: Actor) -> list[Q] | None:
    """The conditions whose OR is what ``user`` sees (None: everything)."""
    if not _active(user):
        return []
    if _is_manager(user):
        return None
    roles = roles_of(user)
    if Role.FINANCE_OFFICER in roles:
        return None
    conditions = []
    if Role.PROGRAMME_STAFF in roles:
        conditions += [Q(owner=user), Q(pk__in=_assigned_ids(user))]
    if Role.WELLBEING_LEAD in roles:
        supported = consultants_access.consultants_visible_to(user).values("pk")
        conditions.append(
            Q(pk__in=Participation.objects.filter(consultant__in=supported).values("engagement_id"))
        )
    return conditions


def _assigned_ids(user: User) -> QuerySet[Any]:
    return Engagement.assigned_staff.through.objects.filter(user=user).values("engagement_id")


def engagements_run_by(user: Actor) -> QuerySet[Engagement]:
    """Engagements ``user`` runs: every one for managers, their own and assigned
    ones for programme staff ("needs me today", counts)."""
    everyone = Engagement.objects.all()
    if not _active(user):
        return everyone.none()
    if _is_manager(user):
        return everyone
    if _is_programme_staff(user):
        return everyone.filter(Q(owner=user) | Q(pk__in=_assigned_ids(user)))
    return everyone.none()


def engagements_mine(user: Actor) -> QuerySet[Engagement]:
    """Engagements ``user`` owns or is assigned to, whatever their role."""
    if not _active(user):
        return Engagement.objects.none()
    return Engagement.objects.filter(Q(owner=user) | Q(pk__in=_assigned_ids(user)))


def can_view(user: Actor, engagement: Engagement) -> bool:
    return engagements_visible_to(user).filter(pk=engagement.pk).exists()


def engagement_for_user(user: Actor, pk: int | str) -> Engagement:
    """The engagement, or 404 for anyone who may not see it."""
    try:
        return engagements_visible_to(user).select_related("owner").get(pk=pk)
    except (Engagement.DoesNotExist, ValueError, TypeError):
        raise Http404("No such engagement.") from None


def engagement_for_user_to_change(user: Actor, pk: int | str) -> Engagement:
    """404 as above, then 403 for those who may see but not run it."""
    engagement = engagement_for_user(user, pk)
    if not can_run(user, engagement):
        raise PermissionDenied("You may not change this engagement.")
    return engagement


# --- Doing (staff) -------------------------------------------------------------------


def can_create(user: Actor) -> bool:
    """Write a request: programme staff, managers and administrators."""
    return _is_manager(user) or _is_programme_staff(user)


def can_run(user: Actor, engagement: Engagement) -> bool:
    """Owner, assigned staff (programme staff), managers and administrators."""
    if _is_manager(user):
        return True
    if not _is_programme_staff(user):
        return False
    return _is_owner(user, engagement) or _is_assigned(user, engagement)


def can_edit(user: Actor, engagement: Engagement) -> bool:
    """Change the details (while the engagement is open)."""
    return engagement.is_open and can_run(user, engagement)


def can_transition(user: Actor, engagement: Engagement, name: str) -> bool:
    """Whether ``user`` may make transition ``name`` (permission only; the
    workflow checks the conditions)."""
    if name in MANAGER_TRANSITIONS:
        return _is_manager(user)
    if name in OWNER_TRANSITIONS:
        return _is_manager(user) or (_is_programme_staff(user) and _is_owner(user, engagement))
    return can_run(user, engagement)


def can_approve_requests(user: Actor) -> bool:
    """Approve or decline submitted requests (any engagement)."""
    return _is_manager(user)


def can_assign_staff(user: Actor, engagement: Engagement) -> bool:
    return _is_manager(user) or (_is_programme_staff(user) and _is_owner(user, engagement))


def can_own(user: Actor) -> bool:
    """Whether ``user`` may own an engagement: active programme staff,
    managers, superusers (the service's check of the chosen owner)."""
    return _active(user) and (
        has_role(user, Role.PROGRAMME_STAFF, Role.PROGRAMME_MANAGER) or user.is_superuser
    )


def can_be_assigned(user: Actor) -> bool:
    """Whether ``user`` may be assigned to an engagement: active programme staff."""
    return _active(user) and has_role(user, Role.PROGRAMME_STAFF)


def owner_candidates() -> QuerySet[User]:
    """Who may own an engagement: active programme staff and managers (the
    create and edit forms' choices, the list's owner filter)."""
    return (
        User.objects.filter(
            is_active=True,
            groups__name__in=[Role.PROGRAMME_STAFF.value, Role.PROGRAMME_MANAGER.value],
        )
        .distinct()
        .order_by("display_name", "pk")
    )


def assignable_staff(engagement: Engagement) -> QuerySet[User]:
    """Programme staff who may be assigned to ``engagement`` and are not yet."""
    return (
        User.objects.filter(is_active=True, groups__name=Role.PROGRAMME_STAFF.value)
        .exclude(pk=engagement.owner_id)
        .exclude(pk__in=engagement.assigned_staff.values("pk"))
        .distinct()
        .order_by("display_name", "pk")
    )


def can_invite(user: Actor, engagement: Engagement) -> bool:
    return can_run(user, engagement)


def can_view_matching(user: Actor, engagement: Engagement) -> bool:
    return can_run(user, engagement)


def can_manage_privacy_plan(user: Actor, engagement: Engagement) -> bool:
    return can_run(user, engagement)


def can_approve_privacy_plan(user: Actor, engagement: Engagement) -> bool:
    return _is_manager(user)


def can_manage_participation(user: Actor, participation: Participation) -> bool:
    """Confirm, withdraw an invitation, mark attendance: those who run it."""
    return can_run(user, participation.engagement)


def can_write_debrief(user: Actor, engagement: Engagement) -> bool:
    return can_run(user, engagement)


def can_view_debrief(user: Actor, engagement: Engagement) -> bool:
    return can_run(user, engagement)


def can_view_feedback(user: Actor, engagement: Engagement) -> bool:
    return can_run(user, engagement)


def can_view_reasons(user: Actor, participation: Participation) -> bool:
    """An optional reason for declining or stepping back: the consultant, and
    the programme managers who may need to act on it (what the form tells
    her). Not programme staff, finance, wellbeing leads, nor administrators
    without the manager's role: the page shows it without a reveal step
    (each page view that shows one is in the audit trail, as
    ``core.audit.record_view``). Never required, never on a list."""
    return (_active(user) and has_role(user, Role.PROGRAMME_MANAGER)) or is_own(user, participation)


# --- The consultant -------------------------------------------------------------------


def consultant_of(user: Actor) -> Consultant | None:
    return consultants_access.consultant_of(user)


def is_own(user: Actor, participation: Participation) -> bool:
    return (
        _active(user)
        and has_role(user, Role.CONSULTANT)
        and participation.consultant.user_id is not None
        and participation.consultant.user_id == user.pk
    )


def participations_of(user: Actor) -> QuerySet[Participation]:
    """A consultant's own participations; nothing for anyone else."""
    if not _active(user) or not has_role(user, Role.CONSULTANT):
        return Participation.objects.none()
    return Participation.objects.filter(consultant__user=user)


def participation_for_consultant(user: Actor, pk: int | str) -> Participation:
    """The consultant's own participation, or 404 (someone else's included)."""
    try:
        return participations_of(user).select_related("engagement", "consultant").get(pk=pk)
    except (Participation.DoesNotExist, ValueError, TypeError):
        raise Http404("No such invitation.") from None


def can_respond(user: Actor, participation: Participation, *, on_behalf: bool = False) -> bool:
    """Accept, decline, step back, choose what to share, give feedback: the
    consultant, from the portal. ``on_behalf``: staff who run the engagement
    recording an answer the consultant gave them (by phone, in person);
    the history says who recorded it."""
    if on_behalf:
        return can_run(user, participation.engagement)
    return is_own(user, participation)


# --- Object grants on consultants (through consultants.access) ------------------------


def staff_of(engagement: Engagement) -> list[User]:
    """The owner and the assigned staff: who runs it day to day."""
    people = {engagement.owner_id: engagement.owner}
    for member in engagement.assigned_staff.all():
        people[member.pk] = member
    return list(people.values())


def grant_staff_on_consultant(
    engagement: Engagement, consultant: Consultant, *, reveal: bool = False
) -> None:
    """Let the engagement's staff see this consultant (by pseudonym) and, once
    the consultant is confirmed, reveal their identity (audited per reveal)."""
    for member in staff_of(engagement):
        if not (_is_programme_staff(member) or _is_manager(member)):
            continue
        consultants_access.grant_consultant_view(member, consultant)
        if reveal:
            consultants_access.grant_identity_reveal(member, consultant)
