"""Who may see or do what with contributions, outcomes, partner links and
works. The ONLY place in this app that checks roles.

Seeing an engagement's contributions and outcomes (the panel, the
contribution page, the evidence): whoever may see the engagement
(``engagements.access.engagements_visible_to``); anyone else gets a 404,
as for the engagement itself.

Recording and editing contributions, recording outcomes, sending the
partner a link: whoever runs the engagement (``engagements.access.can_run``:
owner, assigned staff, programme managers, administrators); others who
see it get a 403.

A consultant sees, in the portal, the contributions she is credited on and
nothing else; the other consultants of a contribution never appear there.

A partner has no account: the one-time link is the whole of their access
(``impact.services.feedback_request_for_token``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.roles import is_staff_member
from consultants import access as consultants_access
from consultants.models import Consultant
from engagements import access as engagements_access
from engagements.models import Engagement
from impact.models import Contribution, WorkCredit

# The engagement has taken place: its partner may be asked.
TOOK_PLACE = (Engagement.Status.COMPLETED, Engagement.Status.CLOSED)

if TYPE_CHECKING:
    from accounts.access import AnyUser


def engagement_for_user(user: AnyUser, pk: int | str) -> Engagement:
    """The engagement (404 for anyone who may not see it)."""
    if not is_staff_member(user):
        raise Http404("No such engagement.")
    return engagements_access.engagement_for_user(user, pk)


def engagement_for_user_to_run(user: AnyUser, pk: int | str) -> Engagement:
    engagement = engagement_for_user(user, pk)
    if not can_record(user, engagement):
        raise PermissionDenied("You may not record contributions here.")
    return engagement


def can_view(user: AnyUser, engagement: Engagement) -> bool:
    return is_staff_member(user) and engagements_access.can_view(user, engagement)


def can_record(user: AnyUser, engagement: Engagement) -> bool:
    return is_staff_member(user) and engagements_access.can_run(user, engagement)


def can_ask_partner(user: AnyUser, engagement: Engagement) -> bool:
    """Send the partner a feedback link: once the engagement took place."""
    return engagement.status in TOOK_PLACE and can_record(user, engagement)


def can_view_index(user: AnyUser) -> bool:
    """The impact page (/staff/impact/): every staff member; it lists only
    the contributions of the engagements she sees (``contributions_visible_to``)."""
    return is_staff_member(user)


def contributions_visible_to(user: AnyUser) -> QuerySet[Contribution]:
    if not is_staff_member(user):
        return Contribution.objects.none()
    return Contribution.objects.filter(
        engagement__in=engagements_access.engagements_visible_to(user).values("pk")
    )


def contribution_for_user(user: AnyUser, pk: int | str) -> Contribution:
    try:
        return contributions_visible_to(user).select_related("engagement__owner").get(pk=pk)
    except (Contribution.DoesNotExist, ValueError, TypeError):
        raise Http404("No such contribution.") from None


def contribution_for_user_to_change(user: AnyUser, pk: int | str) -> Contribution:
    contribution = contribution_for_user(user, pk)
    if not can_record(user, contribution.engagement):
        raise PermissionDenied("You may not change this contribution.")
    return contribution


# --- The consultant (portal) ----------------------------------------------------------


def consultant_of(user: AnyUser) -> Consultant | None:
    return consultants_access.consultant_of(user)


def credit_for_consultant(user: AnyUser, pk: int | str) -> WorkCredit:
    """Her own credit on a work, or 404 (anyone else's included)."""
    consultant = consultant_of(user)
    if consultant is None:
        raise Http404("No such credit.")
    try:
        return WorkCredit.objects.select_related("work", "consultant").get(
            pk=pk, consultant=consultant
        )
    except (WorkCredit.DoesNotExist, ValueError, TypeError):
        raise Http404("No such credit.") from None
