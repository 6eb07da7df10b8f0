"""Checklist pages stay bounded as checklists grow (issue #16): the compliance
page and "my tasks" make the same number of queries, and one page of rows at
most, with 5 checklists and with 60; the compliance page's figures, now from
SQL, are those of the per-engagement computation."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from checklists import selectors, services
from checklists.models import ChecklistItem
from engagements.models import Engagement
from tests.engagements.factories import EngagementFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
PER_PAGE = 50  # my tasks
COMPLIANCE_PER_PAGE = 25


def _seed(owner, count: int) -> list[Engagement]:
    """``count`` approved engagements of ``owner``, a few days apart, each
    with its checklist; some items done, on time or late."""
    template = services.template_current()
    engagements = []
    base = timezone.now() - datetime.timedelta(days=30)
    for n in range(count):
        engagement = EngagementFactory(
            owner=owner,
            status=Engagement.Status.APPROVED,
            start=base + datetime.timedelta(days=n),
            end=base + datetime.timedelta(days=n, hours=2),
        )
        services.checklist_instantiate(engagement=engagement, template=template)
        engagements.append(engagement)
    items = list(
        ChecklistItem.objects.filter(
            checklist__engagement__in=engagements, key__in=["schedule-checked", "consent-recording"]
        )
    )
    for index, item in enumerate(items):
        done_at = item.due_at + datetime.timedelta(days=1 if index % 3 else -1)
        ChecklistItem.objects.filter(pk=item.pk).update(status="done", done_at=done_at)
    return engagements


def _get(user, url) -> tuple[int, str]:
    client = client_for(user)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def _rows(html: str) -> int:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    return body.group(1).count("<tr") if body else 0


@pytest.mark.parametrize("role", [Role.PROGRAMME_MANAGER, Role.PROGRAMME_STAFF])
def test_compliance_page_is_bounded_at_5_and_60(make_user, role):
    small_owner, large_owner = make_user(Role.PROGRAMME_STAFF), make_user(Role.PROGRAMME_STAFF)
    _seed(small_owner, 5)
    if role == Role.PROGRAMME_MANAGER:
        small_user = make_user(role)
        small_queries, small_html = _get(small_user, reverse("checklists:compliance"))
        _seed(large_owner, 55)
        large_user = small_user
    else:
        small_user, large_user = small_owner, large_owner
        _seed(large_owner, 60)
        small_queries, small_html = _get(small_user, reverse("checklists:compliance"))
    large_queries, large_html = _get(large_user, reverse("checklists:compliance"))

    assert small_queries == large_queries
    assert (_rows(small_html), _rows(large_html)) == (5, COMPLIANCE_PER_PAGE)
    # The HTML grows by the rows of one page, nothing else.
    row_size = max(len(row) for row in re.findall(r"<tr>.*?</tr>", small_html, re.S))
    assert len(large_html) - len(small_html) <= (COMPLIANCE_PER_PAGE - 5) * (row_size + 40)
    _queries, third = _get(large_user, reverse("checklists:compliance") + "?page=3")
    assert _rows(third) == 10


def test_compliance_page_figures_are_those_of_each_engagement(make_user, manager_user):
    owner = make_user(Role.PROGRAMME_STAFF)
    engagements = _seed(owner, 7)
    now = timezone.now()
    page = selectors.compliance_page(user=manager_user, now=now, per_page=5)
    assert [row.engagement.pk for row in page.rows] == [e.pk for e in engagements[::-1][:5]]
    for row in page.rows:
        alone = selectors.compliance_for_engagement(row.engagement, now=now)
        assert (row.counted, row.on_time, row.open_overdue) == (
            alone.counted,
            alone.on_time,
            alone.open_overdue,
        )
        assert (
            row.open_items
            == ChecklistItem.objects.filter(
                checklist__engagement=row.engagement, status="open"
            ).count()
        )
    overview = selectors.compliance_overview(user=manager_user, now=now)
    assert (page.counted, page.on_time, page.percent) == (
        overview.counted,
        overview.on_time,
        overview.percent,
    )
    # The filter: only checklists with an open item past due.
    later = now + datetime.timedelta(days=400)
    Engagement.objects.filter(pk=engagements[0].pk).update(status=Engagement.Status.CLOSED)
    ChecklistItem.objects.filter(checklist__engagement__in=engagements[1:]).update(
        status="done", done_at=now
    )
    overdue = selectors.compliance_page(user=manager_user, now=later, overdue_only=True)
    assert [row.engagement.pk for row in overdue.rows] == [engagements[0].pk]
    # Someone who sees nothing sees no figure, and a bad page number is page 1.
    nobody = selectors.compliance_page(user=make_user(None), page_number="x")
    assert nobody.rows == [] and nobody.percent is None


def test_compliance_page_filter_and_hostile_page_numbers(make_user, manager_user):
    _seed(make_user(Role.PROGRAMME_STAFF), 3)
    client = client_for(manager_user)
    url = reverse("checklists:compliance")
    for query in ("?page=999", "?page=-1", "?page=%27;DROP", "?overdue=<script>", "?overdue=1"):
        response = client.get(url + query)
        assert response.status_code == 200
        assert "<script>" not in response.content.decode()


def test_my_tasks_page_is_bounded_at_3_and_60(make_user):
    small, large = make_user(Role.PROGRAMME_STAFF), make_user(Role.PROGRAMME_STAFF)
    _seed(small, 3)  # fewer items than a page
    _seed(large, 60)
    small_queries, small_html = _get(small, reverse("checklists:my_tasks"))
    large_queries, large_html = _get(large, reverse("checklists:my_tasks"))
    assert small_queries == large_queries
    assert _rows(large_html) == PER_PAGE
    assert _rows(small_html) == ChecklistItem.objects.filter(assignee=small, status="open").count()
    assert _rows(small_html) < PER_PAGE
    # The whole count is said, the rows are one page.
    total = ChecklistItem.objects.filter(assignee=large, status="open").count()
    assert f"{total} items to do" in large_html


def test_my_tasks_for_every_role_is_the_same_rows_as_before(make_user, manager_user):
    """The union of indexed branches finds what the single condition found."""
    owner = make_user(Role.PROGRAMME_STAFF)
    assigned = make_user(Role.PROGRAMME_STAFF)
    engagements = _seed(owner, 4)
    engagements[1].assigned_staff.add(assigned)
    from checklists import access

    for user in (owner, assigned, manager_user, make_user(Role.FINANCE_OFFICER), make_user(None)):
        expected = list(
            ChecklistItem.objects.filter(access.tasks_condition(user), status="open")
            .exclude(checklist__engagement__status__in=selectors.FINISHED)
            .order_by("due_at", "id")
            .values_list("pk", flat=True)
        )
        got = [item.pk for item in selectors.my_tasks(user=user)]
        assert got == expected
    assert [i.checklist.engagement_id for i in selectors.my_tasks(user=assigned)] and {
        i.checklist.engagement_id for i in selectors.my_tasks(user=assigned)
    } == {engagements[1].pk}


@pytest.mark.parametrize("per_page", [1, 7, 50])
def test_my_tasks_pages_are_my_tasks_in_order(make_user, manager_user, per_page):
    """Paged over ids first (each branch's first ids, then the page's rows
    with their joins): every page together is ``my_tasks``, in its order,
    for every way an item is someone's; two queries a page."""
    owner = make_user(Role.PROGRAMME_STAFF)
    assigned = make_user(Role.PROGRAMME_STAFF)
    engagements = _seed(owner, 4)
    engagements[1].assigned_staff.add(assigned)
    item = ChecklistItem.objects.filter(
        checklist__engagement=engagements[2], status="open", consultant__isnull=True
    ).first()
    ChecklistItem.objects.filter(pk=item.pk).update(assignee=assigned)  # two branches, one item
    for user in (owner, assigned, manager_user, make_user(Role.FINANCE_OFFICER)):
        expected = [task.pk for task in selectors.my_tasks(user=user)]
        paginator = selectors.my_tasks_paginator(user=user, per_page=per_page)
        assert paginator.count == len(expected)
        got = []
        for number in paginator.page_range:
            with CaptureQueriesContext(connection) as captured:
                page = paginator.page(number)
                rows = [(task.pk, task.checklist.engagement.title) for task in page.object_list]
            # One query a page (the count was asked once, before); none when empty.
            assert len(captured) == (1 if expected else 0)
            assert len(rows) <= per_page
            got += [pk for pk, _title in rows]
        assert got == expected


def test_my_tasks_page_out_of_range_and_nobody(make_user):
    owner = make_user(Role.PROGRAMME_STAFF)
    _seed(owner, 2)
    paginator = selectors.my_tasks_paginator(user=owner, per_page=5)
    last = paginator.get_page("999")
    assert last.number == paginator.num_pages
    assert paginator.get_page("<script>").number == 1
    nobody = selectors.my_tasks_paginator(user=make_user(None), per_page=5)
    assert nobody.count == 0
    assert list(nobody.get_page(1).object_list) == []
