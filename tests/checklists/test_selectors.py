"""Reads: "my tasks" (constant query count), compliance, the checklist page data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from checklists import selectors, services
from checklists.models import ChecklistItem, OwnerRole
from engagements.models import Engagement
from tests.engagements.factories import EngagementFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def _seed(owner, count: int, engagements: int = 10):
    """``count`` open items assigned to ``owner`` over ``engagements`` engagements."""
    template = services.template_current()
    source = template.items.first()
    items = []
    for e in range(engagements):
        engagement = EngagementFactory(owner=owner, status=Engagement.Status.APPROVED)
        checklist = services.checklist_instantiate(engagement=engagement, template=template)
        ChecklistItem.objects.filter(checklist=checklist).delete()
        for i in range(count // engagements):
            items.append(
                ChecklistItem(
                    checklist=checklist,
                    source=source,
                    key=f"k-{e}-{i}",
                    stage="before",
                    title=f"Task {e}-{i}",
                    owner_role=OwnerRole.PROGRAMME_STAFF,
                    due_anchor="start",
                    due_offset_days=0,
                    evidence="none",
                    waivable=False,
                    order=i,
                    due_at=engagement.start - datetime.timedelta(hours=i),
                    assignee=owner,
                )
            )
    ChecklistItem.objects.bulk_create(items)


def _queries_for_my_tasks(owner_pk) -> tuple[int, int]:
    user = User.objects.get(pk=owner_pk)
    with CaptureQueriesContext(connection) as captured:
        tasks = list(selectors.my_tasks(user=user))
        titles = [(t.title, t.checklist.engagement.title) for t in tasks]
    assert titles
    return len(captured), len(tasks)


def _queries_for_page(owner) -> int:
    client = client_for(owner)
    client.get(reverse("checklists:my_tasks"))  # warm the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("checklists:my_tasks"))
    assert response.status_code == 200
    return len(captured)


def test_my_tasks_query_count_is_the_same_at_10_and_1000(make_user):
    """Done when: the same query count at 10 and at 1,000 items."""
    small, large = make_user(Role.PROGRAMME_STAFF), make_user(Role.PROGRAMME_STAFF)
    _seed(small, 10)
    _seed(large, 1000)
    small_queries, small_count = _queries_for_my_tasks(small.pk)
    large_queries, large_count = _queries_for_my_tasks(large.pk)
    assert (small_count, large_count) == (10, 1000)
    assert small_queries == large_queries <= 2
    assert _queries_for_page(small) == _queries_for_page(large)


def test_my_tasks_sorted_by_due_date_and_scoped(public_engagement, owner, make_user):
    tasks = list(selectors.my_tasks(user=owner))
    assert tasks and [t.due_at for t in tasks] == sorted(t.due_at for t in tasks)
    assert all(t.assignee_id == owner.pk for t in tasks)
    # A finance officer sees the finance items of every engagement; nothing else.
    finance = make_user(Role.FINANCE_OFFICER)
    assert {t.key for t in selectors.my_tasks(user=finance)} == {"food-transport", "payment-made"}
    # A manager sees the manager items; a colleague nothing; a consultant nothing.
    manager = make_user(Role.PROGRAMME_MANAGER)
    assert {t.key for t in selectors.my_tasks(user=manager)} == {"privacy-plan"}
    assert not selectors.my_tasks(user=make_user(Role.PROGRAMME_STAFF)).exists()
    assert not selectors.my_tasks(user=make_user(Role.CONSULTANT)).exists()
    # Done items leave the list.
    item = tasks[0]
    services.item_mark_done(item=item, by=owner, note="ok")
    assert item.pk not in {t.pk for t in selectors.my_tasks(user=owner)}


def test_compliance_counts_done_on_time(public_engagement, owner, manager_user, no_role_user):
    items = {
        i.key: i for i in ChecklistItem.objects.filter(checklist__engagement=public_engagement)
    }
    on_time = items["schedule-checked"].due_at - datetime.timedelta(days=1)
    late = items["purpose-explained"].due_at + datetime.timedelta(days=1)
    services.item_mark_done(item=items["schedule-checked"], by=owner, now=on_time)
    services.item_mark_done(item=items["purpose-explained"], by=owner, note="ok", now=late)
    services.item_mark_not_applicable(
        item=items["consent-recording"], by=owner, justification="No recording."
    )
    # Now, before the engagement's due dates: only the two done items count.
    row = selectors.compliance_for_engagement(public_engagement, now=timezone.now())
    assert (row.counted, row.on_time, row.percent) == (2, 1, 50)
    # After every due date: all the open items count against.
    after = public_engagement.end + datetime.timedelta(days=120)
    row = selectors.compliance_for_engagement(public_engagement, now=after)
    total = ChecklistItem.objects.filter(checklist__engagement=public_engagement).count()
    assert row.counted == total - 1
    assert row.open_overdue == total - 3
    overview = selectors.compliance_overview(user=manager_user, now=after)
    assert overview.counted == row.counted and overview.on_time == 1
    # Someone who sees no engagement sees no figure.
    assert selectors.compliance_overview(user=no_role_user).percent is None


def test_checklist_for_engagement_groups_by_stage(public_engagement, django_assert_num_queries):
    with django_assert_num_queries(2):
        checklist = selectors.checklist_for_engagement(public_engagement)
        stages = [s.stage for s in checklist.stages]
    assert stages == ["before", "during", "after"]
    assert checklist.resolved == 0 and checklist.total > 10
    assert selectors.checklist_for_engagement(EngagementFactory()) is None


def test_finished_engagements_leave_my_tasks_and_show_nothing_overdue(make_user):
    owner = make_user(Role.PROGRAMME_STAFF)
    _seed(owner, count=4, engagements=2)
    running, finished = Engagement.objects.filter(owner=owner).order_by("pk")
    Engagement.objects.filter(pk=finished.pk).update(status=Engagement.Status.CLOSED)
    later = running.start + datetime.timedelta(days=30)  # every item is past due

    tasks = list(selectors.my_tasks(user=owner, now=later))
    assert {task.checklist.engagement_id for task in tasks} == {running.pk}
    finished.refresh_from_db()
    closed_checklist = selectors.checklist_for_engagement(finished, now=later)
    assert closed_checklist.overdue_count == 0
    assert selectors.checklist_for_engagement(running, now=later).overdue_count == 2
