"""The peer circles' section of a consultant's record
(``consultants.record``): the circles she is or was in, and her own
attendance with what it paid. Never the other members. Two queries.
Imported by ``NetworkConfig.ready()``."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultants.models import Consultant
from consultants.record import Entry, RecordSection, Row, register_record_section
from network.models import CircleAttendance, CircleMembership


def build_circles(consultant: Consultant) -> RecordSection:
    memberships = (
        CircleMembership.objects.filter(consultant=consultant)
        .select_related("circle")
        .order_by("joined_on", "pk")
    )
    marks = {}
    for mark in (
        CircleAttendance.objects.filter(consultant=consultant)
        .select_related("meeting")
        .order_by("meeting__starts_at", "pk")
    ):
        marks.setdefault(mark.meeting.circle_id, []).append(mark)
    rows = [
        Row(
            title=membership.circle.name,
            entries=[
                Entry("circle", _("Peer circle"), membership.circle.name),
                Entry("joined_on", _("Joined on"), membership.joined_on),
                Entry("left_on", _("Left on"), membership.left_on),
                Entry(
                    "attendance",
                    _("Your attendance"),
                    [
                        Row(
                            title=str(timezone.localtime(mark.meeting.starts_at).date()),
                            entries=[
                                Entry("meeting", _("When"), mark.meeting.starts_at),
                                Entry("present", _("Present"), mark.present),
                                Entry("allowance", _("Allowance (PHP)"), mark.allowance),
                            ],
                        )
                        for mark in marks.pop(membership.circle_id, [])
                    ],
                ),
            ],
        )
        for membership in memberships
    ]
    return RecordSection(rows=rows, empty=_("You have not been in a peer circle."))


register_record_section(
    "peer_circles",
    title=gettext_lazy("Your peer circles"),
    order=273,
    build=build_circles,
)
