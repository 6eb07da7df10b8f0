"""Factories for report jobs and for the audit entries the access log reads."""

from __future__ import annotations

from datetime import datetime

import factory
from auditlog.models import LogEntry
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.roles import Role
from reports.models import ReportJob
from tests.accounts.factories import UserFactory

PDF_BYTES = b"%PDF-1.7\n% a stand-in, not a real document\n%%EOF\n"


class ReportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportJob

    kind = "access_log"
    params = factory.LazyFunction(lambda: {"date_from": "2026-01-01", "date_to": "2026-01-31"})
    requested_by = factory.SubFactory(UserFactory, role=Role.ADMINISTRATOR)
    status = ReportJob.Status.PENDING

    class Params:
        running = factory.Trait(
            status=ReportJob.Status.RUNNING,
            started_at=factory.LazyFunction(timezone.now),
            progress=10,
        )
        failed = factory.Trait(
            status=ReportJob.Status.FAILED, finished_at=factory.LazyFunction(timezone.now)
        )


def ready_job(*, content: bytes = PDF_BYTES, finished_at: datetime | None = None, **kwargs):
    """A ready job with a file in private storage, the way report_render leaves it."""
    job = ReportJobFactory(status=ReportJob.Status.RUNNING, **kwargs)
    job.file.save(job.download_name, ContentFile(content), save=False)
    job.mark_ready(
        now=finished_at or timezone.now(), retention=settings.REPORT_RETENTION, message="Ready"
    )
    job.save()
    return job


def access_entry(
    *, actor, instance, fields, reason, when: datetime, ip: str | None = "203.0.113.7"
):
    """An ACCESS entry as core.audit.record_access writes it, at a chosen time."""
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=actor,
        # Set on real entries by auditlog's middleware: the report must never show it.
        actor_email=getattr(actor, "email", None),
        remote_addr=ip,
        changes={},
        additional_data={"fields": sorted(fields), "reason": reason},
        timestamp=when,
    )
