"""Who may see or do what with the network itself, its leaders, its peer
circles and what it led (issue #18, parts 2 and 4). The ONLY place of
these parts that checks roles.

* The network's page: every staff member sees it (name, leaders, circles,
  counts). Programme managers and administrators change the network,
  create it when there is none, name leaders and end leaderships.
* Peer circles: managers and administrators see and run every circle; the
  staff contact of a circle sees and runs that circle; anyone else gets a
  404 for it. Creating a circle: managers and administrators.
* Network-led engagements and works: whoever runs the engagement
  (``engagements.access.can_run``); a work, whoever runs one of its
  engagements. Anyone who may not see it gets a 404.
* The portal's "Your circle": a consultant sees her own circles only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.roles import Role, has_role, is_staff_member
from consultants import access as consultants_access
from consultants.models import Consultant
from engagements import access as engagements_access
from engagements.models import Engagement
from impact.models import Work
from network.models import PeerCircle

if TYPE_CHECKING:
    from accounts.access import AnyUser

# Who may be a circle's staff contact.
CONTACT_ROLES = (Role.PROGRAMME_STAFF, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR)


def _active(user: AnyUser) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_view_network(user: AnyUser) -> bool:
    return _active(user) and is_staff_member(user)


def can_manage_network(user: AnyUser) -> bool:
    """Change the network, name and end leaders, create circles."""
    return _active(user) and (
        has_role(user, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR)
        or bool(getattr(user, "is_superuser", False))
    )


def require_manage_network(user: AnyUser) -> None:
    if not can_manage_network(user):
        raise PermissionDenied("You may not change the network.")


# --- Peer circles -----------------------------------------------------------------------


def circles_visible_to(user: AnyUser) -> QuerySet[PeerCircle]:
    circles = PeerCircle.objects.all()
    if not can_view_network(user):
        return circles.none()
    if can_manage_network(user):
        return circles
    return circles.filter(staff_contact=user)


def circle_for_user(user: AnyUser, pk: int | str) -> PeerCircle:
    """The circle (with its network), or 404 for anyone who may not run it."""
    try:
        return circles_visible_to(user).select_related("network").get(pk=pk)
    except (PeerCircle.DoesNotExist, ValueError, TypeError):
        raise Http404("No such circle.") from None


def can_create_circle(user: AnyUser) -> bool:
    return can_manage_network(user)


def can_choose_circle_consultants(user: AnyUser) -> bool:
    """Search consultants for a circle: who may create one, or a staff
    contact of a circle."""
    if can_manage_network(user):
        return True
    return can_view_network(user) and PeerCircle.objects.filter(staff_contact=user).exists()


def choosable_consultants(user: AnyUser) -> QuerySet[Consultant]:
    """Active consultants whose identity stands: the rows a leader, a member
    or a facilitator is chosen from (by pseudonym only)."""
    return Consultant.objects.filter(
        status=Consultant.Status.ACTIVE, identity_erased_at__isnull=True
    )


def staff_contacts() -> QuerySet:
    """Who may be a circle's staff contact: the programme team."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[role.value for role in CONTACT_ROLES])
        .distinct()
        .order_by("display_name", "pk")
    )


# --- Network-led engagements and works ----------------------------------------------------


def engagement_for_user_to_mark(user: AnyUser, pk: int | str) -> Engagement:
    """404 for whoever may not see it, 403 for whoever sees but does not run it."""
    if not is_staff_member(user):
        raise Http404("No such engagement.")
    return engagements_access.engagement_for_user_to_change(user, pk)


def can_mark_engagement(user: AnyUser, engagement: Engagement) -> bool:
    return is_staff_member(user) and engagements_access.can_run(user, engagement)


def work_for_user_to_mark(user: AnyUser, pk: int | str) -> Work:
    if not is_staff_member(user):
        raise Http404("No such work.")
    visible = engagements_access.engagements_visible_to(user)
    try:
        work = Work.objects.filter(engagements__in=visible.values("pk")).distinct().get(pk=pk)
    except (Work.DoesNotExist, ValueError, TypeError):
        raise Http404("No such work.") from None
    if not any(
        engagements_access.can_run(user, engagement) for engagement in work.engagements.all()
    ):
        raise PermissionDenied("You may not mark this work.")
    return work


# --- The portal ------------------------------------------------------------------------


def consultant_of(user: AnyUser) -> Consultant | None:
    return consultants_access.consultant_of(user)
