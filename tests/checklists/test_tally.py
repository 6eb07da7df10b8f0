"""The checklists' tallies (done, done on time) are kept by a PostgreSQL
trigger, whatever path changes an item: after every change here, each
tally equals a count made from the items themselves, and the compliance
figures read from the tallies equal the per-checklist figures summed."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from checklists import selectors, services, tally
from checklists.models import Checklist, ChecklistItem, ChecklistTally

S = ChecklistItem.Status


def _from_items() -> dict[int, tuple[int, int]]:
    counts: dict[int, tuple[int, int]] = {}
    for item in ChecklistItem.objects.filter(status=S.DONE):
        done, on_time = counts.get(item.checklist_id, (0, 0))
        counts[item.checklist_id] = (done + 1, on_time + (item.done_at <= item.due_at))
    return counts


def _tallies() -> dict[int, tuple[int, int]]:
    # A tally may stay at zero once its items are reopened: compare what counts.
    return {
        row.checklist_id: (row.done, row.done_on_time)
        for row in ChecklistTally.objects.all()
        if row.done or row.done_on_time
    }


def assert_tallies_true():
    assert _tallies() == _from_items()


def _items(engagement) -> dict[str, ChecklistItem]:
    return {i.key: i for i in ChecklistItem.objects.filter(checklist__engagement=engagement)}


def test_every_path_keeps_the_tally(public_engagement, owner):
    items = _items(public_engagement)
    assert_tallies_true()
    staff = [
        i
        for i in items.values()
        if i.consultant_id is None and i.key not in ("schedule-checked", "purpose-explained")
    ]
    first, second, third = items["schedule-checked"], items["purpose-explained"], staff[0]
    # Ticked on time, then late, through the service.
    services.item_mark_done(
        item=first, by=owner, note="ok", now=first.due_at - datetime.timedelta(days=1)
    )
    services.item_mark_done(
        item=second, by=owner, note="ok", now=second.due_at + datetime.timedelta(days=1)
    )
    assert_tallies_true()
    checklist = first.checklist_id
    assert _tallies()[checklist] == (2, 1)
    # Reopened: taken off again.
    services.item_reopen(item=ChecklistItem.objects.get(pk=second.pk), by=owner)
    assert _tallies()[checklist] == (1, 1)
    # A bulk update that bypasses every model method (done late, by SQL).
    ChecklistItem.objects.filter(pk=third.pk).update(
        status=S.DONE, done_at=third.due_at + datetime.timedelta(hours=1), done_by=owner
    )
    assert _tallies()[checklist] == (2, 1)
    # Its due date moved past when it was done: now on time.
    ChecklistItem.objects.filter(pk=third.pk).update(
        due_at=third.due_at + datetime.timedelta(days=2)
    )
    assert _tallies()[checklist] == (2, 2)
    # A save of the whole row that changes nothing the tally counts.
    ChecklistItem.objects.get(pk=first.pk).save()
    assert_tallies_true()
    # A done item deleted.
    ChecklistItem.objects.filter(pk=third.pk).delete()
    assert _tallies()[checklist] == (1, 1)
    assert_tallies_true()


def test_a_deleted_checklist_takes_its_tally(public_engagement, owner):
    item = next(i for i in _items(public_engagement).values() if i.evidence != "file")
    services.item_mark_done(item=item, by=owner, note="ok")
    checklist = Checklist.objects.get(engagement=public_engagement)
    assert ChecklistTally.objects.filter(checklist=checklist).exists()
    checklist.delete()
    assert not ChecklistTally.objects.exists()
    assert_tallies_true()


def test_django_never_writes_a_tally(public_engagement, owner):
    item = next(i for i in _items(public_engagement).values() if i.evidence != "file")
    services.item_mark_done(item=item, by=owner, note="ok")
    row = ChecklistTally.objects.get()
    with pytest.raises(TypeError, match="kept by the database"):
        row.save()


def test_rebuild_recounts_from_the_items(public_engagement, owner):
    for item in [i for i in _items(public_engagement).values() if i.evidence != "file"][:3]:
        services.item_mark_done(item=item, by=owner, note="ok")
    ChecklistTally.objects.update(done=0, done_on_time=0)  # as if it drifted
    with connection.cursor() as cursor:
        tally.rebuild(cursor)
    assert_tallies_true()


def test_programme_figures_from_tallies_equal_the_rows_summed(
    public_engagement, owner, manager_user
):
    items = [i for i in _items(public_engagement).values() if i.evidence != "file"]
    services.item_mark_done(item=items[0], by=owner, note="ok", now=items[0].due_at)
    services.item_mark_done(
        item=items[1], by=owner, note="ok", now=items[1].due_at + datetime.timedelta(days=3)
    )
    for now in (timezone.now(), public_engagement.end + datetime.timedelta(days=120)):
        row = selectors.compliance_for_engagement(public_engagement, now=now)
        page = selectors.compliance_page(user=manager_user, now=now)
        assert (page.counted, page.on_time) == (row.counted, row.on_time)
        totals = selectors.compliance_totals(
            user=manager_user, engagements=type(public_engagement).objects.all(), now=now
        )
        assert (totals.counted, totals.on_time, totals.open_overdue) == (
            row.counted,
            row.on_time,
            row.open_overdue,
        )
