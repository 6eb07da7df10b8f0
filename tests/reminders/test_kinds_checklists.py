"""The checklists' reminder kinds: a consultant's own item due soon, and a
staff item due or overdue. Each is recorded once, sent once, skipped when
no longer wanted, discreet, and collected in bounded queries."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from checklists.models import Checklist, ChecklistItem, OwnerRole
from engagements.models import Engagement, Participation
from reminders import quiet, registry, services
from reminders.models import ReminderDelivery
from reminders.registry import Window
from tests.checklists.factories import TemplateItemFactory
from tests.reminders.conftest import DAY
from tests.reminders.helpers import run_beat_once

pytestmark = pytest.mark.django_db
D = ReminderDelivery.Status
R = ReminderDelivery.Reason
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
TITLE = "Talk through the safety plan with Maria"


def make_item(engagement, *, consultant=None, assignee=None, due_at=None, title=TITLE):
    source = TemplateItemFactory(
        owner_role=OwnerRole.CONSULTANT if consultant else OwnerRole.PROGRAMME_STAFF
    )
    checklist, _created = Checklist.objects.get_or_create(
        engagement=engagement, defaults={"template": source.template}
    )
    return ChecklistItem.objects.create(
        checklist=checklist,
        source=source,
        key=source.key,
        stage=source.stage,
        title=title,
        owner_role=source.owner_role,
        due_anchor=source.due_anchor,
        due_offset_days=source.due_offset_days,
        evidence=source.evidence,
        waivable=False,
        order=source.order,
        due_at=due_at or engagement.start - datetime.timedelta(days=5),
        consultant=consultant,
        assignee=assignee,
    )


def deliveries(kind):
    return list(ReminderDelivery.objects.filter(kind=kind))


def assert_discreet(message, *secrets):
    text = f"{message.subject}\n{message.body}"
    assert message.subject.startswith("Tinig: ")
    for secret in (TITLE, *secrets):
        assert secret not in text


# --- Consultant: their own item due ----------------------------------------------------------


@pytest.fixture
def consultant_item(booked):
    participation = booked(pseudonym="Bituin", message_name="Bee", legal_name="Maria Secret")
    return make_item(participation.engagement, consultant=participation.consultant)


def test_consultant_item_reminded_once_a_day_before(consultant_item, clock):
    clock(consultant_item.due_at - 24 * HOUR - MINUTE)
    run_beat_once()
    assert deliveries("checklist_item_due") == []
    clock(consultant_item.due_at - 24 * HOUR + MINUTE)
    run_beat_once()
    run_beat_once()
    services.reminders_sweep()
    [delivery] = deliveries("checklist_item_due")
    assert delivery.status == D.SENT
    assert delivery.due_at == consultant_item.due_at - 24 * HOUR
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    consultant = consultant_item.consultant
    assert message.to == [consultant.email]
    assert message.subject == "Tinig: an item for 29 May"
    assert "Hello Bee," in message.body
    assert f"/portal/checklist/{consultant_item.pk}/" in message.body
    assert_discreet(message, "Maria Secret", consultant_item.checklist.engagement.title, "Bituin")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("done", R.NOT_DUE),
        ("cancelled", R.CANCELLED),
        ("closed", R.CANCELLED),
        ("withdrawn", R.STEPPED_BACK),
        ("deleted", R.NOT_DUE),
    ],
)
def test_consultant_item_no_longer_wanted_is_skipped(consultant_item, clock, change, reason):
    clock(consultant_item.due_at - 24 * HOUR + MINUTE)
    services.reminders_sweep()
    engagement = consultant_item.checklist.engagement
    items = ChecklistItem.objects.filter(pk=consultant_item.pk)
    if change == "done":
        items.update(status="done", done_at=consultant_item.due_at - 48 * HOUR)
    elif change in ("cancelled", "closed"):
        Engagement.objects.filter(pk=engagement.pk).update(status=change)
    elif change == "withdrawn":
        Participation.objects.filter(engagement=engagement).update(status="withdrawn")
    else:
        items.delete()
    run_beat_once()
    assert mail.outbox == []
    [delivery] = deliveries("checklist_item_due")
    assert (delivery.status, delivery.reason) == (D.SKIPPED, reason)
    # Not recorded again by a later sweep.
    services.reminders_sweep()
    assert len(deliveries("checklist_item_due")) == 1


def test_consultant_item_with_a_new_due_date_is_voided(consultant_item, clock):
    clock(consultant_item.due_at - 24 * HOUR + MINUTE)
    services.reminders_sweep()
    ChecklistItem.objects.filter(pk=consultant_item.pk).update(
        due_at=consultant_item.due_at + 72 * HOUR
    )
    run_beat_once()
    assert mail.outbox == []
    [delivery] = deliveries("checklist_item_due")
    assert (delivery.status, delivery.reason) == (D.VOID, R.DATES_CHANGED)


# --- Staff: an item due today, and overdue ---------------------------------------------------


@pytest.fixture
def staff_item(booked, make_user):
    participation = booked(legal_name="Maria Secret")
    assignee = make_user(Role.PROGRAMME_STAFF)
    return make_item(participation.engagement, assignee=assignee)


def test_staff_item_due_then_overdue_once_each(staff_item, clock):
    # Reminded eight hours before the item is due: in the assignee's quiet
    # hours (21:00-08:00 Manila unless they chose others), it waits for them
    # to end instead of reaching them at night.
    reminded_at = staff_item.due_at - 8 * HOUR
    morning = quiet.default_hours().next_allowed(reminded_at)
    clock(reminded_at + MINUTE)
    run_beat_once()
    [waiting] = deliveries("staff_checklist_item_due")
    assert waiting.send_after == morning
    if morning > reminded_at:
        assert waiting.status == D.PENDING
        assert mail.outbox == []
        clock(morning + MINUTE)
    run_beat_once()
    run_beat_once()
    assert [d.status for d in deliveries("staff_checklist_item_due")] == [D.SENT]
    assert deliveries("staff_checklist_item_overdue") == []
    clock(staff_item.due_at + 24 * HOUR + MINUTE)
    run_beat_once()
    run_beat_once()
    assert [d.status for d in deliveries("staff_checklist_item_overdue")] == [D.SENT]
    assert len(deliveries("staff_checklist_item_due")) == 1
    assert [m.to for m in mail.outbox] == [[staff_item.assignee.email]] * 2
    due, overdue = mail.outbox
    assert due.subject == "Tinig: an item due on 29 May"
    assert overdue.subject == "Tinig: an item overdue since 29 May"
    engagement_id = staff_item.checklist.engagement_id
    for message in (due, overdue):
        assert f"/staff/checklists/engagements/{engagement_id}/" in message.body
        assert_discreet(message, "Maria Secret", staff_item.checklist.engagement.title)


def test_consultant_items_go_to_the_consultant_only(consultant_item, clock):
    clock(consultant_item.due_at + 24 * HOUR + MINUTE)
    services.reminders_sweep()
    assert deliveries("staff_checklist_item_overdue") == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("done", R.NOT_DUE),
        ("not_applicable", R.NOT_DUE),
        ("reassigned", R.NOT_DUE),
        ("closed", R.CANCELLED),
        ("cancelled", R.CANCELLED),
    ],
)
def test_staff_item_no_longer_wanted_is_skipped(staff_item, clock, make_user, change, reason):
    clock(staff_item.due_at + 24 * HOUR + MINUTE)
    services.reminders_sweep()
    items = ChecklistItem.objects.filter(pk=staff_item.pk)
    if change == "done":
        items.update(status="done", done_at=staff_item.due_at)
    elif change == "not_applicable":
        items.update(
            status="not_applicable", done_at=staff_item.due_at, waivable=True, justification="x"
        )
    elif change == "reassigned":
        items.update(assignee=make_user(Role.PROGRAMME_STAFF))
    else:
        Engagement.objects.filter(pk=staff_item.checklist.engagement_id).update(status=change)
    run_beat_once()
    assert staff_item.assignee.email not in [m.to[0] for m in mail.outbox]
    delivery = ReminderDelivery.objects.get(
        kind="staff_checklist_item_overdue", user=staff_item.assignee
    )
    assert (delivery.status, delivery.reason) == (D.SKIPPED, reason)
    if change == "reassigned":
        # The new assignee is reminded instead, once.
        [message] = mail.outbox
        assert message.to != [staff_item.assignee.email]
    else:
        assert mail.outbox == []


def test_resolved_items_and_closed_engagements_are_not_collected(staff_item, clock):
    ChecklistItem.objects.filter(pk=staff_item.pk).update(status="done", done_at=staff_item.due_at)
    clock(staff_item.due_at + 24 * HOUR + MINUTE)
    services.reminders_sweep()
    assert ReminderDelivery.objects.filter(kind__contains="checklist").count() == 0


# --- Bounded collect -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["checklist_item_due", "staff_checklist_item_due", "staff_checklist_item_overdue"]
)
@pytest.mark.parametrize("count", [7, 23])
def test_collect_is_one_query_per_batch(booked, make_user, key, count):
    assignee = make_user(Role.PROGRAMME_STAFF)
    due_at = datetime.datetime.combine(DAY, datetime.time(2), tzinfo=datetime.UTC)
    for n in range(count):
        participation = booked()
        make_item(
            participation.engagement,
            consultant=participation.consultant if key == "checklist_item_due" else None,
            assignee=None if key == "checklist_item_due" else assignee,
            due_at=due_at - n * MINUTE,
        )
    kind = registry.get_kind(key)
    offset = kind.timing.default[0]
    moment = due_at + (offset if "overdue" in key else -offset) * HOUR
    window = Window(
        since=moment - 2 * HOUR, until=moment, offsets=kind.timing.default, batch_size=5
    )
    with CaptureQueriesContext(connection) as captured:
        batches = list(kind.collect(window))
    assert sum(len(batch) for batch in batches) == count
    assert len(batches) == -(-count // 5)
    # One keyset query per batch (and at most one more, empty, at the end).
    assert len(captured) <= len(batches) + 1
