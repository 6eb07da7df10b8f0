"""Foundation: the PDF path (an access-log report rendered as the worker
renders it) at a realistic year of reveals, and the sign-in page."""

from __future__ import annotations

import datetime

ACCESS_ENTRIES = 5_000  # about 20 reveals a working day for a year


def seed(admin) -> None:
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    existing = LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, additional_data__reason__startswith="bench"
    ).count()
    if existing >= ACCESS_ENTRIES:
        return
    content_type = ContentType.objects.get_for_model(admin)
    start = timezone.now() - datetime.timedelta(days=360)
    LogEntry.objects.bulk_create(
        LogEntry(
            content_type=content_type,
            object_pk=str(admin.pk),
            object_id=admin.pk,
            object_repr=f"Record {n % 400}",
            action=LogEntry.Action.ACCESS,
            actor=admin,
            actor_email=admin.email,
            remote_addr="192.0.2.10",
            changes={},
            additional_data={"fields": ["legal_name", "phone"], "reason": f"bench call {n}"},
            timestamp=start + datetime.timedelta(hours=n * 1.7),
        )
        for n in range(existing, ACCESS_ENTRIES)
    )


def run() -> None:
    from django.test import Client
    from django.utils import timezone

    from accounts.roles import Role
    from bench.harness import measure, print_figures, staff_client
    from reports import services
    from reports.models import ReportJob

    _client, admin = staff_client(Role.ADMINISTRATOR)
    seed(admin)
    today = timezone.localdate()
    params = {
        "date_from": (today - datetime.timedelta(days=365)).isoformat(),
        "date_to": today.isoformat(),
    }
    sizes = []

    def render_access_log():
        job = ReportJob.objects.create(kind="access_log", params=params, requested_by=admin)
        services.report_render(job_id=job.pk)
        job.refresh_from_db()
        sizes.append(job.file.size if job.file else 0)
        job.file.delete(save=False)
        job.delete()

    anonymous = Client()
    figures = [
        measure("sign-in page (anonymous GET)", lambda: anonymous.get("/accounts/login/")),
        measure(f"access-log PDF, {ACCESS_ENTRIES:,} reveals, rendered", render_access_log, runs=2),
    ]
    print_figures("Foundation", f"{ACCESS_ENTRIES:,} access entries", figures)
    print(f"  access-log PDF size: {sizes[-1] / 1024:.0f} KiB")
