"""The checklist templates ask the item what its status means
(``is_open``, ``is_done``, ``is_not_applicable``) and render, for every
status, the badge, the reason and the buttons they rendered before."""

import datetime
from types import SimpleNamespace

import pytest

from accounts.models import User
from checklists.models import Checklist, ChecklistItem
from engagements.models import Engagement
from tests.rendering import render_page

S = ChecklistItem.Status
DUE = datetime.datetime(2025, 3, 4, 1, 30, tzinfo=datetime.UTC)

# (status, overdue): the badge in the status column.
BADGES = {
    (S.OPEN, False): '<span class="badge badge-warning">To do</span>',
    (S.OPEN, True): '<span class="badge badge-danger">Overdue</span>',
    (S.DONE, False): '<span class="badge badge-success">Done</span>',
    (S.DONE, True): '<span class="badge badge-success">Done</span>',
    (S.NOT_APPLICABLE, False): '<span class="badge">Not applicable</span>',
    (S.NOT_APPLICABLE, True): '<span class="badge">Not applicable</span>',
}


def _item(status: str, **extra) -> ChecklistItem:
    checklist = Checklist(engagement=Engagement(pk=1, title="Listening session"))
    return ChecklistItem(
        pk=9,
        checklist=checklist,
        status=status,
        title="Brief the consultant",
        owner_role="programme_staff",
        due_at=DUE,
        done_at=DUE,
        waivable=True,
        justification="Online only",
        **extra,
    )


@pytest.mark.parametrize(("status", "overdue"), list(BADGES))
def test_engagement_checklist_row(db, status, overdue):
    item = _item(status)
    item.overdue = overdue
    stage = SimpleNamespace(
        stage="before", label="Before", resolved=0, total=1, percent=0, items=[item]
    )
    checklist = SimpleNamespace(
        resolved=0,
        total=1,
        overdue_count=0,
        template=SimpleNamespace(name="Survivor engagement", version=1),
        stages=[stage],
    )
    manager = User(pk=1, is_superuser=True, is_active=True)  # may tick any item
    html = render_page(
        "checklists/partials/engagement_checklist.html", {"checklist": checklist}, user=manager
    )
    assert BADGES[status, overdue] in html
    other_badges = {badge for badge in BADGES.values() if badge != BADGES[status, overdue]}
    assert not any(badge in html for badge in other_badges)
    assert ("Why not applicable: Online only" in html) == (status == S.NOT_APPLICABLE)
    assert ('href="/staff/checklists/items/9/done/"' in html) == (status == S.OPEN)
    assert ("/not-applicable/" in html) == (status == S.OPEN)
    assert ("/reopen/" in html) == (status != S.OPEN)


@pytest.mark.parametrize("status", list(S))
def test_portal_item_offers_the_form_only_while_open(db, status):
    from tests.accounts.factories import UserFactory

    item = _item(status, guidance="Read the plan")
    html = render_page("checklists/portal/item.html", {"item": item}, user=UserFactory())
    assert ('<button type="submit" class="button-block">Done</button>' in html) == (
        status == S.OPEN
    )
    label = ChecklistItem.Status(status).label
    assert (f'<span class="badge badge-success">{label}</span>' in html) == (status != S.OPEN)


def test_the_status_questions_cover_every_status():
    assert [(s, _item(s).is_open, _item(s).is_done, _item(s).is_not_applicable) for s in S] == [
        (S.OPEN, True, False, False),
        (S.DONE, False, True, False),
        (S.NOT_APPLICABLE, False, False, True),
    ]
