"""What the network led, for the programme report (issue #18, part 4).

``led_counts(network=None, date_from=None, date_to=None)``: engagements
and works marked network-led (engagements by their start, works by their
publication or recording day), and the peer circle meetings held with
their attendance and allowances, in one query per table.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, TruncDate

from engagements.models import Engagement
from impact.models import Work
from network.models import (
    CircleAttendance,
    CircleMeeting,
    Network,
    NetworkLedEngagement,
    NetworkLedWork,
)


def engagement_is_led(engagement: Engagement) -> bool:
    return NetworkLedEngagement.objects.filter(engagement=engagement).exists()


def works_led_ids(works: list[Work]) -> set[int]:
    """Which of these works are marked network-led (one query)."""
    return set(
        NetworkLedWork.objects.filter(work__in=[work.pk for work in works]).values_list(
            "work_id", flat=True
        )
    )


def led_counts(
    *,
    network: Network | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> dict[str, int | Decimal]:
    """``engagements_led``, ``works_led``, ``circle_meetings_held`` (not
    cancelled, started by now), ``circle_attendances`` (present marks),
    ``circle_allowances`` (their sum). ``date_to`` is inclusive."""
    engagements = NetworkLedEngagement.objects.all()
    works = NetworkLedWork.objects.all()
    meetings = CircleMeeting.objects.filter(cancelled_at__isnull=True)
    attendance = CircleAttendance.objects.filter(present=True, meeting__cancelled_at__isnull=True)
    if network is not None:
        engagements = engagements.filter(network=network)
        works = works.filter(network=network)
        meetings = meetings.filter(circle__network=network)
        attendance = attendance.filter(meeting__circle__network=network)
    if date_from is not None:
        engagements = engagements.filter(engagement__start__date__gte=date_from)
        works = works.annotate(
            day=Coalesce("work__published_on", TruncDate("work__created_at"))
        ).filter(day__gte=date_from)
        meetings = meetings.filter(starts_at__date__gte=date_from)
        attendance = attendance.filter(meeting__starts_at__date__gte=date_from)
    if date_to is not None:
        engagements = engagements.filter(engagement__start__date__lte=date_to)
        if date_from is None:
            works = works.annotate(
                day=Coalesce("work__published_on", TruncDate("work__created_at"))
            )
        works = works.filter(day__lte=date_to)
        meetings = meetings.filter(starts_at__date__lte=date_to)
        attendance = attendance.filter(meeting__starts_at__date__lte=date_to)
    totals = attendance.aggregate(
        count=Count("pk"), allowances=Coalesce(Sum("allowance"), Decimal("0"))
    )
    return {
        "engagements_led": engagements.count(),
        "works_led": works.count(),
        "circle_meetings_held": meetings.filter(
            starts_at__lte=datetime.datetime.now(tz=datetime.UTC)
        ).count(),
        "circle_attendances": totals["count"],
        "circle_allowances": totals["allowances"],
    }
