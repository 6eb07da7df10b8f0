"""Reads for the reports app."""

from __future__ import annotations

from datetime import datetime

from auditlog.models import LogEntry
from django.db.models import CharField, Count, QuerySet, Value
from django.db.models.functions import Cast, Concat

from reports.access import report_jobs_visible_to
from reports.models import ReportJob


def report_job_list(*, user) -> QuerySet[ReportJob]:
    """The person's own jobs, newest first (index reports_job_owner_recent)."""
    return report_jobs_visible_to(user).order_by("-created_at", "pk")


def access_log_entries(*, start: datetime, end: datetime) -> QuerySet[LogEntry]:
    """Sensitive reveals (core.audit.record_access) in [start, end), oldest first.

    Only the columns the access log shows are read: not the actor's e-mail
    address, nor any serialised copy of the record.
    """
    return (
        LogEntry.objects.filter(
            action=LogEntry.Action.ACCESS, timestamp__gte=start, timestamp__lt=end
        )
        .select_related("actor", "content_type")
        .only(
            "timestamp",
            "object_repr",
            "object_pk",
            "additional_data",
            "remote_addr",
            "actor__id",
            "actor__display_name",
            "content_type__app_label",
            "content_type__model",
        )
        .order_by("timestamp", "pk")
    )


def access_log_totals(*, start: datetime, end: datetime) -> dict[str, int]:
    """How many reveals in [start, end), by how many people, of how many
    records (by type and name, as the log shows them): one aggregate query."""
    return LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, timestamp__gte=start, timestamp__lt=end
    ).aggregate(
        reveals=Count("pk"),
        people=Count("actor_id", distinct=True),
        records=Count(
            Concat(
                Cast("content_type_id", CharField()),
                Value(":"),
                "object_repr",
                output_field=CharField(),
            ),
            distinct=True,
        ),
    )
