"""The staff dashboard costs the same whatever the number of rows its cards
show: one row in every card, then five (a full card) in every card, the same
number of queries, for a programme manager and for programme staff. The
"unconfirmed soon" card's reasons (privacy plans, confirmed participants,
their consents, the checklist's open items) are fetched for all its rows at
once (``workflow.refusal_reasons_many``), and say the same as the workflow
asked about each engagement alone."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from consultants.models import ConsentScope
from engagements import workflow
from engagements.models import Audience, Engagement, Participation
from engagements.selectors import DASHBOARD_ROWS
from pages.views import staff_today
from tests.engagements.factories import ParticipationFactory, PrivacyPlanFactory
from tests.helpers import client_for
from tests.pages.test_dashboard import seed

pytestmark = pytest.mark.django_db
P = Participation.Status

# Cards every programme manager / programme staff member has work in once
# ``seed`` ran (the money cards are finance's, approvals the manager's).
CARDS = {
    "staff": [
        "unconfirmed_soon",
        "needing_people",
        "said_yes",
        "to_complete",
        "debriefs",
        "checklist",
        "stepped_back",
        "time_and_claims",
    ],
    "manager": [
        "approvals",
        "overdue_lines",
        "approved_unpaid",
        "unconfirmed_soon",
        "needing_people",
        "said_yes",
        "to_complete",
        "debriefs",
        "checklist",
        "stepped_back",
        "time_and_claims",
    ],
}


@pytest.fixture
def people(make_user):
    """As in test_dashboard.py (``seed`` needs each of them)."""
    return {
        "staff": make_user(Role.PROGRAMME_STAFF),
        "manager": make_user(Role.PROGRAMME_MANAGER),
        "finance": make_user(Role.FINANCE_OFFICER),
        "wellbeing": make_user(Role.WELLBEING_LEAD),
        "admin": make_user(Role.ADMINISTRATOR),
    }


def seed_rows(people, make_consultant, *, n: int, tag: str) -> None:
    """``seed``, and on each "starting soon" engagement what its reasons read:
    a confirmed consultant (every other one without the consents needed, and
    every third engagement for the public without its privacy plan)."""
    seed(people, n=n, tag=tag)
    for i, engagement in enumerate(Engagement.objects.filter(title__startswith=f"Soon {tag}")):
        if i % 3 == 0:
            Engagement.objects.filter(pk=engagement.pk).update(audience=Audience.PUBLIC)
        elif i % 3 == 1:
            PrivacyPlanFactory(engagement=engagement)
        scopes = [ConsentScope.PARTICIPATION] if i % 2 else None
        consultant = make_consultant(**({"scopes": scopes} if scopes else {}))
        ParticipationFactory(engagement=engagement, consultant=consultant, status=P.CONFIRMED)
        ParticipationFactory(engagement=engagement, status=P.CONFIRMED)


def _queries(user) -> int:
    client = client_for(user)
    client.get(reverse("staff:dashboard"))  # warm the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("staff:dashboard")).status_code == 200
    return len(captured)


def _rows(user) -> dict[str, int]:
    cards = staff_today(user).cards
    return {
        name: (len(card.rows) if hasattr(card, "rows") else card.time_entries)
        for name, card in cards.items()
        if card is not None
    }


@pytest.mark.parametrize("role", ["staff", "manager"])
def test_one_row_or_five_in_every_card_costs_the_same(people, make_consultant, role):
    user = people[role]
    seed_rows(people, make_consultant, n=1, tag="a")
    rows = _rows(user)
    for name in CARDS[role]:
        assert rows[name] >= 1, name
    assert rows["unconfirmed_soon"] == 1
    one = _queries(user)

    seed_rows(people, make_consultant, n=DASHBOARD_ROWS, tag="b")
    rows = _rows(user)
    for name in CARDS[role]:
        if name != "time_and_claims":  # counts, not rows
            assert rows[name] == DASHBOARD_ROWS, name
    assert _queries(user) == one


@pytest.mark.parametrize("role", ["finance", "wellbeing", "admin"])
def test_one_row_or_five_costs_the_same_for_the_other_roles(people, make_consultant, role):
    user = people[role]
    seed_rows(people, make_consultant, n=1, tag="a")
    one = _queries(user)
    seed_rows(people, make_consultant, n=DASHBOARD_ROWS, tag="b")
    assert _queries(user) == one


@pytest.mark.parametrize("role", ["staff", "manager"])
def test_the_card_says_what_the_workflow_says_of_each(people, make_consultant, role):
    user = people[role]
    seed_rows(people, make_consultant, n=DASHBOARD_ROWS, tag="c")
    now = timezone.now()
    card = staff_today(user).cards["unconfirmed_soon"]
    assert len(card.rows) == DASHBOARD_ROWS
    for engagement in card.rows:
        alone = workflow.refusal_reasons(
            engagement=engagement, name="confirm", by=user, now=now, check_permission=False
        )
        assert engagement.blocked_by == alone
    # The rows cover a missing plan, missing consents and the checklist.
    text = " ".join(" ".join(e.blocked_by) for e in card.rows)
    assert "needs a privacy plan first" in text
    assert "has not given consent for" in text
    assert "Checklist: " in text


@pytest.mark.parametrize("name", ["confirm", "close", "cancel"])
def test_many_reasons_are_those_of_each_alone(people, name):
    """Every engagement, in any status, for a transition with a form for many
    (confirm), one whose guard has one (close) and one that needs a reason."""
    seed(people, n=2, tag="d")
    user = people["manager"]
    engagements = list(Engagement.objects.all())
    many = workflow.refusal_reasons_many(engagements=engagements, name=name, by=user)
    for engagement in engagements:
        assert many[engagement.pk] == workflow.refusal_reasons(
            engagement=engagement, name=name, by=user, check_permission=False
        )
    assert workflow.refusal_reasons_many(engagements=[], name="confirm", by=user) == {}
