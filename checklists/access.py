"""Who may see or tick what on a checklist. The ONLY place in this app that
checks roles; views, services and selectors ask here.

Seeing an engagement's checklist: whoever may see the engagement
(``engagements.access.engagements_visible_to``: managers, administrators and
finance officers every one; programme staff their own and assigned ones;
wellbeing leads those of the consultants they support). Anyone else gets a
404, as for the engagement itself.

Ticking a staff item (done, or not applicable):
    * its assignee (the engagement's owner, for programme staff items);
    * programme staff who run the engagement (owner, assigned staff) for
      programme staff items;
    * anyone holding the item's role (finance officer, wellbeing lead, ...)
      who may see the engagement;
    * programme managers and administrators, any item.
Ticking a consultant's item: that consultant only, from the portal. Staff
never tick "I have read the brief" for someone.

Reassigning a staff item (``can_reassign``): programme managers and
administrators, and the engagement's owner (``engagements.access.
can_assign_staff``, who chooses the engagement's staff too). Only an open
staff item of an engagement still running; never a consultant's item. The
new assignee (``assignee_candidates``) is someone on the engagement (its
owner or assigned staff), active, who may do the item: holding its role, or
a manager or administrator; never a consultant. Handing over every open item
of someone leaving (``can_reassign_in_bulk``): managers and administrators.

Evidence files: whoever may see the checklist (staff), and the consultant
for their own items. Every opening is written to the audit trail.

Compliance: every staff member sees the figure over the engagements they
may see; for managers, administrators and finance officers that is the
whole programme.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, has_role, is_staff_member, roles_of
from checklists.models import Checklist, ChecklistItem, OwnerRole
from consultants import access as consultants_access
from consultants.models import Consultant
from engagements import access as engagements_access
from engagements.access import Actor
from engagements.models import Engagement

if TYPE_CHECKING:
    from accounts.access import AnyUser


def _active(user: AnyUser | None) -> TypeGuard[User]:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _is_manager(user: AnyUser) -> bool:
    return _active(user) and (
        user.is_superuser or has_role(user, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR)
    )


# --- Seeing ---------------------------------------------------------------------------


def checklists_visible_to(user: AnyUser) -> QuerySet[Checklist]:
    if not _active(user) or not is_staff_member(user):
        return Checklist.objects.none()
    return Checklist.objects.filter(
        engagement__in=engagements_access.engagements_visible_to(user).values("pk")
    )


def sees_every_checklist(user: AnyUser) -> bool:
    """Whether ``checklists_visible_to`` is every checklist (managers,
    administrators, finance officers): a figure over the whole programme
    then needs no join to say which."""
    if not _active(user) or not is_staff_member(user):
        return False
    return not engagements_access.engagements_visible_to(user).query.has_filters()


def engagement_for_user(user: AnyUser, pk: int | str) -> Engagement:
    """The engagement (404 for anyone who may not see it)."""
    if not is_staff_member(user):
        raise Http404("No such engagement.")
    return engagements_access.engagement_for_user(user, pk)


def can_view_checklist(user: AnyUser, engagement: Engagement) -> bool:
    return is_staff_member(user) and engagements_access.can_view(user, engagement)


def item_for_user(user: AnyUser, pk: int | str) -> ChecklistItem:
    """A staff-visible item, or 404."""
    try:
        return (
            ChecklistItem.objects.select_related(
                "checklist__engagement__owner", "consultant", "assignee"
            )
            .filter(checklist__in=checklists_visible_to(user))
            .get(pk=pk)
        )
    except (ChecklistItem.DoesNotExist, ValueError, TypeError):
        raise Http404("No such checklist item.") from None


def item_for_user_to_tick(user: AnyUser, pk: int | str) -> ChecklistItem:
    """404 as above, then 403 for those who may see but not tick it."""
    item = item_for_user(user, pk)
    if not can_tick(user, item):
        raise PermissionDenied("You may not tick this item.")
    return item


# --- Ticking --------------------------------------------------------------------------


def can_tick(user: AnyUser, item: ChecklistItem) -> bool:
    if not _active(user):
        return False
    if item.is_consultant_item:
        return bool(
            has_role(user, Role.CONSULTANT)
            and item.consultant is not None
            and item.consultant.user_id == user.pk
        )
    engagement = item.checklist.engagement
    if _is_manager(user):
        return True
    if not is_staff_member(user):
        return False
    if item.assignee_id == user.pk:
        return True
    if item.owner_role == OwnerRole.PROGRAMME_STAFF and engagements_access.can_run(
        user, engagement
    ):
        return True
    if item.owner_role in roles_of(user):
        return engagements_access.can_view(user, engagement)
    return False


def can_reopen(user: AnyUser, item: ChecklistItem) -> bool:
    """Undo a tick made by mistake: whoever may tick it."""
    return can_tick(user, item)


# --- Reassigning ----------------------------------------------------------------------

# Engagements whose checklist is over: nothing on it is handed to anyone.
FINISHED_STATUSES = (Engagement.Status.CLOSED, Engagement.Status.CANCELLED)


def can_reassign(user: AnyUser, item: ChecklistItem) -> bool:
    """Whether ``user`` may hand this item to someone else (permission only:
    ``reassign_refusal`` says what the item's state allows)."""
    if not _active(user) or not is_staff_member(user) or item.is_consultant_item:
        return False
    return engagements_access.can_assign_staff(user, item.checklist.engagement)


def reassign_refusal(item: ChecklistItem) -> str:
    """Why this item cannot be reassigned now (a sentence), or ``""``."""
    if item.is_consultant_item:
        return _("A consultant's own item is theirs: it cannot be reassigned.")
    if not item.is_open:
        return _("Only an item still to do can be reassigned.")
    if item.checklist.engagement.status in FINISHED_STATUSES:
        return _("This engagement is closed or cancelled: its checklist is finished.")
    return ""


def item_for_user_to_reassign(user: AnyUser, pk: int | str) -> ChecklistItem:
    """404 for an item the user may not see, then 403 unless they may reassign it."""
    item = item_for_user(user, pk)
    if not can_reassign(user, item):
        raise PermissionDenied("You may not reassign this item.")
    return item


def _roles_who_may_do(item: ChecklistItem) -> list[str]:
    return sorted({item.owner_role, Role.PROGRAMME_MANAGER.value, Role.ADMINISTRATOR.value})


def assignee_candidates(item: ChecklistItem) -> QuerySet[User]:
    """Who the item may go to: the engagement's owner and assigned staff who
    are active, hold a role that does the item (its own, or manager or
    administrator), and are not consultants. A bounded set (the people on
    one engagement): one query, ordered by name. The current assignee is
    among them when they still qualify."""
    engagement = item.checklist.engagement
    on_it = Q(pk=engagement.owner_id) | Q(
        pk__in=Engagement.assigned_staff.through.objects.filter(engagement_id=engagement.pk).values(
            "user_id"
        )
    )
    return (
        User.objects.filter(on_it, is_active=True)
        .filter(pk__in=User.objects.filter(groups__name__in=_roles_who_may_do(item)).values("pk"))
        .exclude(pk__in=User.objects.filter(groups__name=Role.CONSULTANT.value).values("pk"))
        .order_by("display_name", "pk")
    )


def can_reassign_in_bulk(user: AnyUser) -> bool:
    """Hand over every open item of one person (someone leaving): managers
    and administrators."""
    return _is_manager(user)


def items_they_may_take(person: User) -> Q:
    """The staff items ``person`` may be handed, as a condition on items (the
    rule of ``assignee_candidates`` seen from the person): on an engagement
    they own or are assigned to, of a role they hold (any, for managers and
    administrators); nothing for an inactive account, a consultant or
    someone without a staff role."""
    held = roles_of(person)
    if not person.is_active or Role.CONSULTANT in held or not is_staff_member(person):
        return Q(pk__in=[])
    on_it = Q(checklist__engagement__owner=person) | Q(
        checklist__engagement__in=Engagement.assigned_staff.through.objects.filter(
            user=person
        ).values("engagement_id")
    )
    if held & {Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR}:
        return on_it & ~Q(owner_role=OwnerRole.CONSULTANT)
    roles = sorted(role.value for role in held if role.value in OwnerRole.values)
    return on_it & Q(owner_role__in=roles) & ~Q(owner_role=OwnerRole.CONSULTANT)


# --- "My tasks" -----------------------------------------------------------------------


def tasks_conditions(user: AnyUser) -> list[Q]:
    """Open staff items that are ``user``'s to do, as separate conditions,
    each one an index can answer on its own (``selectors.my_tasks`` unites
    them in SQL): assigned to them; of a role they hold, on an engagement
    they may see. Empty for non-staff."""
    if not _active(user) or not is_staff_member(user):
        return []
    staff_item = ~Q(owner_role=OwnerRole.CONSULTANT)
    conditions = [Q(assignee=user) & staff_item]
    roles = {role.value for role in roles_of(user)} & {
        role.value for role in OwnerRole if role != OwnerRole.CONSULTANT
    }
    if roles:
        by_role = Q(owner_role__in=sorted(roles))
        parts = engagements_access.engagements_visible_in_parts(user)
        if parts is None:
            conditions.append(by_role)
        # Through the checklists of the engagements they see, one condition
        # per way they see them (their own, assigned, ...), so that PostgreSQL
        # reads those checklists' items by index, not every item of the role:
        # an OR of the ways looked to it like half of all engagements.
        for part in parts or []:
            conditions.append(
                by_role
                & Q(checklist__in=Checklist.objects.filter(engagement__in=part.values("pk")))
            )
    return conditions


def tasks_condition(user: AnyUser) -> Q:
    """Open staff items that are ``user``'s to do (``tasks_conditions`` as one
    condition). Empty for non-staff."""
    conditions = tasks_conditions(user)
    if not conditions:
        return Q(pk__in=[])
    mine = Q()
    for condition in conditions:
        mine |= condition
    return mine


# --- The consultant (portal) ----------------------------------------------------------


def consultant_of(user: AnyUser) -> Consultant | None:
    return consultants_access.consultant_of(user)


def consultant_items(user: AnyUser) -> QuerySet[ChecklistItem]:
    """A consultant's own items; nothing for anyone else."""
    if not _active(user) or not has_role(user, Role.CONSULTANT):
        return ChecklistItem.objects.none()
    return ChecklistItem.objects.filter(owner_role=OwnerRole.CONSULTANT, consultant__user=user)


def consultant_item_for_user(user: AnyUser, pk: int | str) -> ChecklistItem:
    """The consultant's own item, or 404 (anyone else's included)."""
    try:
        return (
            consultant_items(user).select_related("checklist__engagement", "consultant").get(pk=pk)
        )
    except (ChecklistItem.DoesNotExist, ValueError, TypeError):
        raise Http404("No such item.") from None


# --- Evidence -------------------------------------------------------------------------


def can_open_evidence(user: AnyUser, item: ChecklistItem) -> bool:
    if (
        item.is_consultant_item
        and item.consultant
        and item.consultant.user_id == getattr(user, "pk", None)
    ):
        return True
    return can_view_checklist(user, item.checklist.engagement)


# --- Compliance -----------------------------------------------------------------------


def can_view_compliance(user: AnyUser) -> bool:
    return _active(user) and is_staff_member(user)


# --- The staff dashboard ----------------------------------------------------------------


def chases_every_item(user: Actor) -> bool:
    """Programme managers and administrators see every staff item's delay
    on their dashboard (they may tick any); others their own tasks."""
    return _is_manager(user)


def items_to_chase_condition(user: Actor) -> Q:
    """Staff items the dashboard shows ``user`` once overdue: every staff
    item for managers and administrators, otherwise ``tasks_condition``."""
    if chases_every_item(user):
        return ~Q(owner_role=OwnerRole.CONSULTANT)
    return tasks_condition(user)
