"""Who may see which report job: its requester, and nobody else.

Not a colleague, not a manager, not an administrator: a generated document
may gather what its requester alone was allowed to see, so it is theirs
alone. Everyone else gets the same 404 as for a job that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts import access as site_access
from accounts.roles import Role, has_role
from reports.models import ReportJob

if TYPE_CHECKING:
    from accounts.access import AnyUser


def can_use_reports(user: AnyUser) -> bool:
    """Staff and consultants have a reports page; each kind decides further."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (site_access.can_use_staff_site(user) or site_access.can_use_portal(user))
    )


def can_request_access_log(user: AnyUser) -> bool:
    """The log of every reveal is the administrators' alone."""
    return has_role(user, Role.ADMINISTRATOR)


def report_jobs_visible_to(user: AnyUser) -> QuerySet[ReportJob]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ReportJob.objects.none()
    return ReportJob.objects.filter(requested_by=user)


def report_job_for_user(user: AnyUser, pk: UUID | str) -> ReportJob:
    return get_object_or_404(report_jobs_visible_to(user), pk=pk)
