"""Reads for the reminder pages. The log never carries a message body, a
subject or an address: only which kind went to whom (pseudonym or staff
display name), when, and how it ended."""

from __future__ import annotations

import datetime

from django.db.models import F, QuerySet
from django.utils import timezone

from reminders import registry
from reminders.models import ConsultantReminderPreference, ReminderDelivery
from reminders.registry import Audience

LOG_FIELDS = (
    "id",
    "kind",
    "target_type",
    "target_id",
    "engagement_id",
    "due_at",
    "send_after",
    "status",
    "reason",
    "attempts",
    "last_error",
    "finished_at",
    "channel",
    "digest",
    "claimed_at",
    "interrupted",
    "consultant_id",
    "user_id",
)


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=timezone.get_current_timezone())


def delivery_log(
    *,
    kind: str = "",
    status: str = "",
    audience: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[ReminderDelivery]:
    """Reminders, newest due first, with the recipient's pseudonym or staff
    name (no decryption, no join beyond the two names)."""
    rows = ReminderDelivery.objects.only(*LOG_FIELDS).annotate(
        pseudonym=F("consultant__pseudonym"), staff_name=F("user__display_name")
    )
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if audience:
        keys = [entry.key for entry in registry.kinds(Audience(audience))]
        rows = rows.filter(kind__in=keys)
    if since:
        rows = rows.filter(due_at__gte=_day_start(since))
    if until:
        rows = rows.filter(due_at__lt=_day_start(until + datetime.timedelta(days=1)))
    return rows.order_by("-due_at", "-id")


def failed_deliveries() -> QuerySet[ReminderDelivery]:
    """What needs a person: reminders that failed, and those possibly sent
    (a send cut short of a kind that holds them), newest due first."""
    return delivery_log().filter(status__in=ReminderDelivery.NEEDS_A_PERSON)


def consultant_preferences(*, consultant) -> dict[str, str]:
    return dict(
        ConsultantReminderPreference.objects.filter(consultant=consultant).values_list(
            "kind", "channel"
        )
    )
