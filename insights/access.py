"""Who may request the documents of ``insights``. Roles and engagement rights
are decided by the apps that own them; this module only combines them.

* Engagement brief: programme staff, programme managers and administrators
  may request one, for an engagement they run (``engagements.access.can_run``:
  owner, assigned staff, managers, administrators).
* Programme report: programme managers, finance officers and administrators.
  It holds aggregates and pseudonyms only, across every engagement.
* Programme figures for survivor leaders (``insights.figures``): survivor
  leaders only; aggregates with small counts hidden, never a person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from django.db.models import QuerySet

from accounts.roles import Role, has_role, is_survivor_leader
from engagements import access as engagements_access

if TYPE_CHECKING:
    from accounts.access import AnyUser
    from accounts.models import User
    from engagements.models import Engagement


def _active(user: AnyUser | None) -> TypeGuard[User]:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def can_request_engagement_brief(user: AnyUser) -> bool:
    if not _active(user):
        return False
    return user.is_superuser or has_role(
        user, Role.PROGRAMME_STAFF, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR
    )


def briefable_engagements(user: AnyUser) -> QuerySet[Engagement]:
    """The engagements ``user`` may brief a consultant on: those they run."""
    engagements = engagements_access.engagements_run_by(user)
    return engagements if can_request_engagement_brief(user) else engagements.none()


def can_brief(user: AnyUser, engagement: Engagement) -> bool:
    return can_request_engagement_brief(user) and engagements_access.can_run(user, engagement)


def can_request_programme_report(user: AnyUser) -> bool:
    if not _active(user):
        return False
    return user.is_superuser or has_role(
        user, Role.PROGRAMME_MANAGER, Role.FINANCE_OFFICER, Role.ADMINISTRATOR
    )


def can_see_leader_figures(user: AnyUser) -> bool:
    """The programme's figures in aggregate (/portal/lead/figures/): survivor
    leaders only (a consultant who holds the leader role)."""
    return _active(user) and is_survivor_leader(user)
