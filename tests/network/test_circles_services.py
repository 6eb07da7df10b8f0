# ruff: noqa: F811  (the fixtures of tests/network/circles_world.py, imported by name)
"""Peer circle services (issue #18, part 2): members, meetings, and the
money of attendance (one line per mark, withdrawn when corrected, refused
once paid)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import Role
from compensation.models import Payment, PaymentLine
from compensation.services.payments import payment_approve, payment_group
from consultants.models import Consultant
from network.models import CircleAttendance, CircleMembership
from network.services import circles as services
from tests.consultants.factories import ConsultantFactory
from tests.network.circles_world import circles_world, network  # noqa: F401

pytestmark = pytest.mark.django_db


def _lines(world):
    return PaymentLine.objects.filter(source_key__startswith="circle-attendance:")


def test_marking_present_on_a_paid_circle_writes_the_allowance_once(circles_world):
    world = circles_world
    meeting = world["meeting"]
    present = {world["amihan"].pk, world["bayani"].pk}
    counts = services.attendance_mark(meeting=meeting, present=present, by=world["contact"])
    assert counts["changed"] == 3 and counts["lines"] == 2
    rows = {row.consultant_id: row for row in CircleAttendance.objects.filter(meeting=meeting)}
    assert rows[world["amihan"].pk].present and rows[world["amihan"].pk].allowance == 300
    assert not rows[world["dalisay"].pk].present and rows[world["dalisay"].pk].allowance == 0
    lines = _lines(world)
    assert lines.count() == 2
    line = lines.get(consultant=world["amihan"])
    assert line.amount == Decimal("300.00")
    assert line.source_key == f"circle-attendance:{rows[world['amihan'].pk].pk}"
    assert line.kind == PaymentLine.Kind.NETWORK

    # The same form again (a double submit): nothing changes, no second line.
    again = services.attendance_mark(meeting=meeting, present=present, by=world["contact"])
    assert again == {"changed": 0, "lines": 0, "withdrawn": 0}
    assert _lines(world).count() == 2


def test_the_allowance_is_fixed_when_marked(circles_world):
    world = circles_world
    services.attendance_mark(
        meeting=world["meeting"], present={world["amihan"].pk}, by=world["contact"]
    )
    world["network"].circle_allowance = Decimal("999.00")
    world["network"].save()
    row = CircleAttendance.objects.get(meeting=world["meeting"], consultant=world["amihan"])
    assert row.allowance == Decimal("300.00")


def test_correcting_to_absent_withdraws_the_unpaid_line(circles_world):
    world = circles_world
    meeting = world["meeting"]
    services.attendance_mark(meeting=meeting, present={world["amihan"].pk}, by=world["contact"])
    assert _lines(world).count() == 1
    counts = services.attendance_mark(meeting=meeting, present=set(), by=world["contact"])
    assert counts["withdrawn"] == 1
    assert _lines(world).count() == 0
    row = CircleAttendance.objects.get(meeting=meeting, consultant=world["amihan"])
    assert not row.present and row.allowance == 0
    # Present again: a new line for the same mark.
    services.attendance_mark(meeting=meeting, present={world["amihan"].pk}, by=world["contact"])
    assert _lines(world).get().source_key == f"circle-attendance:{row.pk}"


def test_correcting_a_paid_allowance_is_refused_and_changes_nothing(
    circles_world, finance_user, finance_colleague
):
    world = circles_world
    meeting = world["meeting"]
    services.attendance_mark(
        meeting=meeting, present={world["amihan"].pk, world["bayani"].pk}, by=world["contact"]
    )
    line = _lines(world).get(consultant=world["amihan"])
    payment = payment_group(consultant=world["amihan"], by=finance_user, lines=[line])
    payment = payment_approve(payment=payment, by=finance_colleague)
    assert payment.status == Payment.Status.APPROVED

    with pytest.raises(ValidationError) as refused:
        services.attendance_mark(meeting=meeting, present=set(), by=world["contact"])
    assert "Amihan" in " ".join(refused.value.messages)
    assert "finance" in " ".join(refused.value.messages)
    # All or nothing: Bayani's line and mark stay too.
    assert _lines(world).count() == 2
    assert CircleAttendance.objects.filter(meeting=meeting, present=True).count() == 2


def test_an_unpaid_circle_writes_no_line(circles_world):
    world = circles_world
    services.attendance_mark(
        meeting=world["other_meeting"], present={world["lakan"].pk}, by=world["other_contact"]
    )
    row = CircleAttendance.objects.get(meeting=world["other_meeting"])
    assert row.present and row.allowance == 0
    assert not _lines(world).exists()


def test_only_members_can_be_marked(circles_world):
    world = circles_world
    with pytest.raises(ValidationError):
        services.attendance_mark(
            meeting=world["meeting"], present={world["lakan"].pk}, by=world["contact"]
        )
    assert not CircleAttendance.objects.exists()


def test_a_member_who_left_stays_on_the_roll_once_marked(circles_world):
    world = circles_world
    meeting = world["meeting"]
    services.member_remove(membership=world["memberships"]["Bayani"], by=world["contact"])
    roll = [consultant.pseudonym for consultant in services.attendance_roll(meeting)]
    assert roll == ["Amihan", "Dalisay"]
    services.attendance_mark(meeting=meeting, present={world["dalisay"].pk}, by=world["contact"])
    services.member_remove(membership=world["memberships"]["Dalisay"], by=world["contact"])
    roll = [consultant.pseudonym for consultant in services.attendance_roll(meeting)]
    assert roll == ["Amihan", "Dalisay"]
    # Corrected after she left: her line goes.
    services.attendance_mark(meeting=meeting, present=set(), by=world["contact"])
    assert not _lines(world).exists()


def test_cancelled_and_future_meetings_take_no_attendance(circles_world):
    world = circles_world
    future = services.meeting_schedule(
        circle=world["circle"],
        starts_at=timezone.now() + datetime.timedelta(days=3),
        mode="online",
        by=world["contact"],
    )
    with pytest.raises(ValidationError):
        services.attendance_mark(meeting=future, present=set(), by=world["contact"])
    services.meeting_cancel(meeting=future, by=world["contact"])
    with pytest.raises(ValidationError):
        services.meeting_cancel(meeting=future, by=world["contact"])
    with pytest.raises(ValidationError):
        services.attendance_mark(meeting=future, present=set(), by=world["contact"])


def test_a_meeting_with_someone_present_cannot_be_cancelled(circles_world):
    world = circles_world
    services.attendance_mark(
        meeting=world["meeting"], present={world["amihan"].pk}, by=world["contact"]
    )
    with pytest.raises(ValidationError):
        services.meeting_cancel(meeting=world["meeting"], by=world["contact"])


def test_members_are_added_once_and_leave_once(circles_world):
    world = circles_world
    with pytest.raises(ValidationError) as refused:
        services.member_add(circle=world["circle"], consultant=world["amihan"], by=world["contact"])
    assert "Amihan" in str(refused.value)
    membership = services.member_remove(
        membership=world["memberships"]["Amihan"], by=world["contact"]
    )
    assert membership.left_on == timezone.localdate()
    with pytest.raises(ValidationError):
        services.member_remove(membership=membership, by=world["contact"])
    # She may come back: a new membership.
    services.member_add(circle=world["circle"], consultant=world["amihan"], by=world["contact"])
    assert CircleMembership.objects.filter(consultant=world["amihan"]).count() == 2


def test_only_active_consultants_join(circles_world):
    world = circles_world
    alumna = ConsultantFactory(status=Consultant.Status.ALUMNI)
    with pytest.raises(ValidationError):
        services.member_add(circle=world["circle"], consultant=alumna, by=world["contact"])


def test_an_ended_circle_takes_no_members_nor_meetings(circles_world):
    world = circles_world
    services.circle_update(
        circle=world["circle"], by=world["manager"], ended_on=timezone.localdate()
    )
    with pytest.raises(ValidationError):
        services.member_add(
            circle=world["circle"], consultant=ConsultantFactory(), by=world["contact"]
        )
    with pytest.raises(ValidationError):
        services.meeting_schedule(
            circle=world["circle"], starts_at=timezone.now(), mode="online", by=world["contact"]
        )


def test_circle_rules(circles_world, make_user):
    world = circles_world
    with pytest.raises(ValidationError):
        services.circle_update(
            circle=world["circle"], by=world["manager"], co_facilitator=world["amihan"]
        )
    with pytest.raises(ValidationError):
        services.circle_update(
            circle=world["circle"],
            by=world["manager"],
            ended_on=world["circle"].started_on - datetime.timedelta(days=1),
        )
    with pytest.raises(ValidationError):
        services.circle_update(
            circle=world["circle"], by=world["manager"], staff_contact=make_user(Role.CONSULTANT)
        )
    with pytest.raises(ValidationError):
        services.circle_update(
            circle=world["circle"],
            by=world["manager"],
            staff_contact=make_user(Role.FINANCE_OFFICER),
        )
    with pytest.raises(ValidationError):
        services.circle_update(circle=world["circle"], by=world["manager"], name="   ")
    with pytest.raises(ValidationError):
        services.meeting_schedule(
            circle=world["circle"],
            starts_at=timezone.now() - datetime.timedelta(days=60),
            mode="online",
            by=world["contact"],
        )
    with pytest.raises(ValidationError):
        services.meeting_schedule(
            circle=world["circle"], starts_at=timezone.now(), mode="telepathy", by=world["contact"]
        )
    assert services.circle_update(circle=world["circle"], by=world["manager"]) == []


def test_her_line_is_written_in_her_language_whoever_marks_it(circles_world):
    """Staff mark attendance in English; the line on her pay pages and
    statement reads in hers, with the date as people in Manila write it
    (never ISO), like every other line (compensation's in_her_language)."""
    from django.utils import translation

    world = circles_world
    type(world["amihan"].user).objects.filter(pk=world["amihan"].user_id).update(language="fil")
    type(world["bayani"].user).objects.filter(pk=world["bayani"].user_id).update(language="en")
    day = timezone.localtime(world["meeting"].starts_at).date()
    with translation.override("en"):
        services.attendance_mark(
            meeting=world["meeting"],
            present={world["amihan"].pk, world["bayani"].pk},
            by=world["contact"],
        )
    with translation.override("fil"):
        in_filipino = services.circle_line_description(world["meeting"])
    with translation.override("en"):
        in_english = services.circle_line_description(world["meeting"])
    assert in_filipino != in_english
    assert in_english == f"Peer circle meeting, {day.day} {day:%b} {day.year}"
    assert _lines(world).get(consultant=world["amihan"]).description == in_filipino
    assert _lines(world).get(consultant=world["bayani"]).description == in_english
    assert day.isoformat() not in in_filipino
