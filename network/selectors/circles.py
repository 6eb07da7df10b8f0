"""Reads for the network's page and the peer circles (issue #18, parts 2
and 4). Lists are paged by the views; every count is one SQL aggregate."""

from __future__ import annotations

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from consultants.models import Consultant
from network.models import (
    CircleAttendance,
    CircleMeeting,
    CircleMembership,
    Leadership,
    Network,
    PeerCircle,
)

FILTERS = ("active", "ended", "all")


def network_leaders(network: Network, *, limit: int = 50) -> tuple[list, list]:
    """Its leaders now and before (pseudonym only, at most ``limit`` and 20:
    the page shows the count of all), two queries."""
    rows = (
        Leadership.objects.filter(network=network)
        .select_related("consultant")
        .only("pk", "since", "until", "consultant__pseudonym", "network_id")
    )
    current = list(rows.filter(until__isnull=True).order_by("-since", "-pk")[:limit])
    former = list(rows.filter(until__isnull=False).order_by("-until", "-pk")[:20])
    return current, former


def network_counts(network: Network) -> dict[str, int]:
    """Circles active and ended, current members, leaders now: one query each
    table (three)."""
    today = timezone.localdate()
    circles = PeerCircle.objects.filter(network=network).aggregate(
        active=Count("pk", filter=Q(ended_on__isnull=True) | Q(ended_on__gt=today)),
        ended=Count("pk", filter=Q(ended_on__lte=today)),
    )
    members = CircleMembership.objects.filter(
        circle__network=network, left_on__isnull=True
    ).aggregate(people=Count("consultant", distinct=True))
    leaders = Leadership.objects.filter(network=network, until__isnull=True).count()
    return {
        "circles_active": circles["active"],
        "circles_ended": circles["ended"],
        "members": members["people"],
        "leaders": leaders,
    }


def circle_list(
    circles: QuerySet[PeerCircle], *, query: str = "", state: str = "active"
) -> QuerySet[PeerCircle]:
    """The circles a person may see, narrowed by name and state, each with
    ``member_count`` and ``next_meeting`` (annotated: one query a page)."""
    today = timezone.localdate()
    if state == "active":
        circles = circles.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
    elif state == "ended":
        circles = circles.filter(ended_on__lte=today)
    for word in query.split():
        circles = circles.filter(name__icontains=word)
    return (
        circles.select_related("facilitator", "staff_contact")
        .only(
            "pk",
            "name",
            "paid",
            "started_on",
            "ended_on",
            "facilitator__pseudonym",
            "staff_contact__display_name",
        )
        .annotate(
            member_count=Count(
                "memberships", filter=Q(memberships__left_on__isnull=True), distinct=True
            ),
            next_meeting=Min(
                "meetings__starts_at",
                filter=Q(
                    meetings__cancelled_at__isnull=True,
                    meetings__starts_at__gte=timezone.now(),
                ),
            ),
        )
        .order_by("name", "pk")
    )


def circle_members(circle: PeerCircle) -> QuerySet[CircleMembership]:
    """Current members, by pseudonym (pseudonym only)."""
    return (
        CircleMembership.objects.filter(circle=circle, left_on__isnull=True)
        .select_related("consultant")
        .only("pk", "joined_on", "left_on", "circle_id", "consultant__pseudonym")
        .order_by("consultant__pseudonym", "pk")
    )


def circle_former_members(circle: PeerCircle) -> QuerySet[CircleMembership]:
    return (
        CircleMembership.objects.filter(circle=circle, left_on__isnull=False)
        .select_related("consultant")
        .only("pk", "joined_on", "left_on", "circle_id", "consultant__pseudonym")
        .order_by("-left_on", "pk")
    )


def circle_meetings(circle: PeerCircle) -> QuerySet[CircleMeeting]:
    """Its meetings, newest first, each with ``present_count``."""
    return (
        CircleMeeting.objects.filter(circle=circle)
        .annotate(present_count=Count("attendance", filter=Q(attendance__present=True)))
        .order_by("-starts_at", "-pk")
    )


def meeting_for_circle(circle: PeerCircle, pk) -> CircleMeeting | None:
    try:
        return CircleMeeting.objects.filter(circle=circle).get(pk=pk)
    except (CircleMeeting.DoesNotExist, ValueError, TypeError):
        return None


def membership_for_circle(circle: PeerCircle, pk) -> CircleMembership | None:
    try:
        return CircleMembership.objects.select_related("consultant").get(circle=circle, pk=pk)
    except (CircleMembership.DoesNotExist, ValueError, TypeError):
        return None


def meeting_attendance(meeting: CircleMeeting) -> dict[int, CircleAttendance]:
    """The marks of a meeting, by consultant."""
    return {row.consultant_id: row for row in CircleAttendance.objects.filter(meeting=meeting)}


# --- The portal: her own circles ----------------------------------------------------------


def my_circles(consultant: Consultant) -> list[PeerCircle]:
    """Her current circles, each with ``upcoming`` (the next meetings, not
    cancelled), ``my_attendance`` (her last marks) and ``peers`` (the other
    current members who chose to be seen by peers, when she chose it too;
    pseudonyms only). A handful of queries, whatever the size of the table."""
    circles = list(
        PeerCircle.objects.filter(
            memberships__consultant=consultant, memberships__left_on__isnull=True
        )
        .only("pk", "name", "paid", "ended_on")
        .distinct()
        .order_by("name", "pk")[:10]
    )
    ids = [circle.pk for circle in circles]
    now = timezone.now()
    upcoming: dict[int, list[CircleMeeting]] = {pk: [] for pk in ids}
    for meeting in CircleMeeting.objects.filter(
        circle_id__in=ids, cancelled_at__isnull=True, starts_at__gte=now
    ).order_by("starts_at", "pk")[:50]:
        if len(upcoming[meeting.circle_id]) < 5:
            upcoming[meeting.circle_id].append(meeting)
    mine: dict[int, list[CircleAttendance]] = {pk: [] for pk in ids}
    for row in (
        CircleAttendance.objects.filter(consultant=consultant, meeting__circle_id__in=ids)
        .select_related("meeting")
        .order_by("-meeting__starts_at", "-pk")[:50]
    ):
        if len(mine[row.meeting.circle_id]) < 10:
            mine[row.meeting.circle_id].append(row)
    peers: dict[int, list[str]] = {pk: [] for pk in ids}
    if consultant.visible_to_peers:
        for circle_id, pseudonym in (
            CircleMembership.objects.filter(
                circle_id__in=ids,
                left_on__isnull=True,
                consultant__visible_to_peers=True,
                consultant__identity_erased_at__isnull=True,
            )
            .exclude(consultant=consultant)
            .order_by("consultant__pseudonym")
            .values_list("circle_id", "consultant__pseudonym")[:200]
        ):
            peers[circle_id].append(pseudonym)
    for circle in circles:
        circle.upcoming = upcoming[circle.pk]  # type: ignore[attr-defined]
        circle.my_attendance = mine[circle.pk]  # type: ignore[attr-defined]
        circle.peers = peers[circle.pk]  # type: ignore[attr-defined]
    return circles
