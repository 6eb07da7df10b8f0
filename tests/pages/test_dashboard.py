"""The staff dashboard tells the truth: each role's "what needs you today"
lists everything overdue that is theirs (one seeded thing of each kind),
says "Nothing needs you today" only when nothing does, and runs the same
number of queries whatever the data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from compensation.models import ExpenseClaim, Payment, PaymentLine, TimeEntry
from compensation.selectors import manila_today
from consultants import services as consultant_services
from engagements import workflow
from engagements.models import Engagement, Participation, ParticipationChange
from tests.accounts.factories import UserFactory
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import EngagementFactory, ParticipationFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
S = Engagement.Status
P = Participation.Status


@pytest.fixture
def people(make_user):
    return {
        "staff": make_user(Role.PROGRAMME_STAFF),
        "manager": make_user(Role.PROGRAMME_MANAGER),
        "finance": make_user(Role.FINANCE_OFFICER),
        "wellbeing": make_user(Role.WELLBEING_LEAD),
        "admin": make_user(Role.ADMINISTRATOR),
    }


def seed(people, *, n: int = 1, tag: str = "") -> dict:
    """``n`` of each kind of thing that needs someone, on engagements run by
    ``people["staff"]``; returns the titles and amounts to look for."""
    staff, manager = people["staff"], people["manager"]
    now = timezone.now().replace(microsecond=0)
    today = manila_today()
    found: dict[str, list[str]] = {}

    def note(kind, value):
        found.setdefault(kind, []).append(value)

    supported = ConsultantFactory(pseudonym=f"Hiraya{tag}")
    consultant_services.wellbeing_lead_assign(
        consultant=supported, lead=people["wellbeing"], by=manager
    )
    for i in range(n):
        hours = datetime.timedelta(hours=i)
        submitted = EngagementFactory(
            owner=staff,
            status=S.SUBMITTED,
            title=f"Request {tag}{i}",
            start=now + datetime.timedelta(days=40) + hours,
            end=now + datetime.timedelta(days=40, hours=2) + hours,
        )
        note("approvals", submitted.title)

        # Starts in two days, staffing, not confirmable: its checklist's
        # "before" items (made on approval) are overdue for every role.
        soon = EngagementFactory(
            owner=staff,
            status=S.SUBMITTED,
            title=f"Soon {tag}{i}",
            start=now + datetime.timedelta(days=2) + hours,
            end=now + datetime.timedelta(days=2, hours=2) + hours,
        )
        workflow.engagement_transition(engagement=soon, name="approve", by=manager)
        workflow.engagement_transition(engagement=soon, name="start_staffing", by=staff)
        note("unconfirmed", soon.title)
        if i == 0:
            ParticipationFactory(engagement=soon, consultant=supported, status=P.INVITED)

        # Needs people again: someone stepped back, another said yes.
        short = EngagementFactory(
            owner=staff,
            status=S.STAFFING,
            title=f"Short {tag}{i}",
            consultants_wanted=2,
            start=now + datetime.timedelta(days=30) + hours,
            end=now + datetime.timedelta(days=30, hours=2) + hours,
        )
        gone = ParticipationFactory(
            engagement=short,
            consultant=supported if i == 0 else ConsultantFactory(),
            status=P.WITHDRAWN,
        )
        ParticipationChange.objects.create(
            participation=gone,
            from_status=P.ACCEPTED,
            to_status=P.WITHDRAWN,
            by=None,
            at=now - datetime.timedelta(days=1),
        )
        yes = ParticipationFactory(engagement=short, status=P.ACCEPTED)
        note("needs_people", short.title)
        note("said_yes", yes.consultant.pseudonym)
        note("stepped_back", gone.consultant.pseudonym)

        over = EngagementFactory(
            owner=staff,
            status=S.CONFIRMED,
            title=f"Over {tag}{i}",
            start=now - datetime.timedelta(hours=5) - hours,
            end=now - datetime.timedelta(hours=3) - hours,
        )
        note("to_complete", over.title)

        done = EngagementFactory(
            owner=staff,
            status=S.COMPLETED,
            title=f"Done {tag}{i}",
            start=now - datetime.timedelta(days=3) - hours,
            end=now - datetime.timedelta(days=3, hours=-2) - hours,
        )
        note("debriefs", done.title)
        # Her own time, entered by her: every staff member who runs it decides.
        her = UserFactory(role=Role.CONSULTANT)
        attended = ParticipationFactory(
            engagement=done, status=P.ATTENDED, consultant=ConsultantFactory(user=her)
        )
        TimeEntry.objects.create(
            participation=attended,
            kind="engagement",
            date=today - datetime.timedelta(days=3),
            hours=Decimal("2.00"),
            entered_by=her,
        )

        # Money: an overdue line in no payment; an approved payment waiting.
        owed = ConsultantFactory(pseudonym=f"Owed{tag}{i}")
        PaymentLine.objects.create(
            consultant=owed,
            kind="adjustment",
            reason="Owed",
            description="Owed",
            amount=Decimal("675.50"),
            payable_since=today - datetime.timedelta(days=20 + i),
            due_on=today - datetime.timedelta(days=13 + i),
        )
        note("overdue", owed.pseudonym)
        waiting = ConsultantFactory(pseudonym=f"Waiting{tag}{i}")
        payment = Payment.objects.create(consultant=waiting, created_by=people["finance"])
        PaymentLine.objects.create(
            consultant=waiting,
            kind="adjustment",
            reason="Fee",
            description="Fee",
            amount=Decimal("1000.00"),
            payable_since=today - datetime.timedelta(days=2),
            due_on=today + datetime.timedelta(days=5),
            payment=payment,
        )
        Payment.objects.filter(pk=payment.pk).update(
            status=Payment.Status.APPROVED,
            total=Decimal("1000.00"),
            approved_by=people["finance"],
            approved_at=now - datetime.timedelta(days=9),
        )
        note("approved_unpaid", waiting.pseudonym)
    return found


def _page(user) -> str:
    response = client_for(user).get(reverse("staff:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def _card(html: str, card_id: str) -> str:
    start = html.index(f'id="{card_id}"')
    return html[start : html.index("</li>", html.index("</ul>", start))]


NOTHING = "Nothing needs you today."


def test_nothing_is_said_only_when_nothing_needs_anyone(people):
    for user in people.values():
        assert NOTHING in _page(user)


def test_finance_sees_overdue_lines_and_approved_payments_waiting(people):
    found = seed(people)
    html = _page(people["finance"])
    assert NOTHING not in html
    overdue = _card(html, "card-overdue-lines")
    assert found["overdue"][0] in overdue
    assert "1 line overdue, ₱675.50" in overdue
    assert "13 days late" in overdue
    assert reverse("compensation:overdue") in overdue
    waiting = _card(html, "card-approved-unpaid")
    assert found["approved_unpaid"][0] in waiting
    assert "waiting 9 days" in waiting
    assert "₱1,000.00" in waiting
    # The finance officer's own checklist items (food and transport before).
    assert "card-checklist" in html
    # Not finance's work: staffing, approvals.
    assert "card-needing-people" not in html
    assert "card-approvals" not in html


def test_programme_staff_see_their_engagements_and_checklist(people):
    found = seed(people)
    html = _page(people["staff"])
    assert NOTHING not in html
    assert found["needs_people"][0] in _card(html, "card-needing-people")
    assert "Someone stepped back" in _card(html, "card-needing-people")
    unconfirmed = _card(html, "card-unconfirmed-soon")
    assert found["unconfirmed"][0] in unconfirmed
    assert "confirmed consultant" in unconfirmed  # the workflow's reason (singular or plural)
    assert "Checklist: " in unconfirmed  # and the checklist's guard
    assert found["said_yes"][0] in _card(html, "card-said-yes")
    assert found["to_complete"][0] in _card(html, "card-to-complete")
    assert found["debriefs"][0] in _card(html, "card-debriefs")
    assert found["stepped_back"][0] in _card(html, "card-stepped-back")
    assert "1 time entry" in _card(html, "card-time-and-claims")
    assert found["unconfirmed"][0] in _card(html, "card-checklist")
    assert "card-overdue-lines" not in html  # money is finance's
    assert "card-approvals" not in html


def test_manager_sees_approvals_and_everything_across_the_programme(people):
    found = seed(people)
    html = _page(people["manager"])
    assert NOTHING not in html
    assert found["approvals"][0] in _card(html, "card-approvals")
    for card, kind in [
        ("card-needing-people", "needs_people"),
        ("card-unconfirmed-soon", "unconfirmed"),
        ("card-said-yes", "said_yes"),
        ("card-to-complete", "to_complete"),
        ("card-debriefs", "debriefs"),
        ("card-overdue-lines", "overdue"),
        ("card-approved-unpaid", "approved_unpaid"),
        ("card-stepped-back", "stepped_back"),
    ]:
        assert found[kind][0] in _card(html, card), card
    # Every staff item across the programme, not only the manager's own.
    assert "Checklist items overdue" in _card(html, "card-checklist")
    # Managers read totals and the overdue list, not payment pages.
    assert reverse("compensation:payments") not in html


def test_wellbeing_lead_sees_their_items_and_their_consultants_stepping_back(people):
    found = seed(people)
    html = _page(people["wellbeing"])
    assert NOTHING not in html
    assert "Trauma" in _card(html, "card-checklist") or "risk" in _card(html, "card-checklist")
    assert found["stepped_back"][0] in _card(html, "card-stepped-back")
    assert "card-overdue-lines" not in html
    assert "card-needing-people" not in html


def test_nothing_lists_what_was_checked(people):
    html = _page(people["finance"])
    assert NOTHING in html
    assert "Checked for you: overdue payments" in html


def test_more_than_a_card_shows_says_how_many_more(people):
    seed(people, n=7)
    html = _page(people["finance"])
    overdue = _card(html, "card-overdue-lines")
    assert "7 lines overdue, ₱4,728.50" in overdue
    assert "And 2 more." in overdue
    # Oldest first: the line due 19 days ago leads.
    assert overdue.index("Owed6") < overdue.index("Owed2")


def _count_queries(user, django_assert_max_num_queries) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(user)
    client.get(reverse("staff:dashboard"))  # warm the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("staff:dashboard")).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["staff", "manager", "finance", "wellbeing", "admin"])
def test_query_count_is_the_same_at_a_small_and_a_larger_seed(
    people, make_user, role, django_assert_max_num_queries
):
    """A little more than each card shows, then several times more: the same
    number of queries (each card is bounded; the workflow is asked about
    the rows shown only)."""
    seed(people, n=6, tag="a")
    small = _count_queries(people[role], django_assert_max_num_queries)
    seed(people, n=18, tag="b")
    large = _count_queries(people[role], django_assert_max_num_queries)
    assert small == large


def _waiting(participation, *, entered_by, claimed_by, day):
    """A time entry entered by ``entered_by`` and a claim submitted by
    ``claimed_by``, both on the consultant's behalf and waiting."""
    TimeEntry.objects.create(
        participation=participation,
        kind="engagement",
        date=day,
        hours=Decimal("2.00"),
        entered_by=entered_by,
        on_behalf=True,
    )
    ExpenseClaim.objects.create(
        participation=participation,
        consultant=participation.consultant,
        category="meal",
        description="Lunch",
        amount=Decimal("150.00"),
        incurred_on=day,
        submitted_by=claimed_by,
        on_behalf=True,
    )


def test_the_approvals_card_counts_only_what_the_viewer_may_decide(people):
    """Four eyes: what she recorded on a consultant's behalf is decided by
    someone else, so her card neither counts it nor asks her to approve it."""
    staff, manager = people["staff"], people["manager"]
    now = timezone.now().replace(microsecond=0)
    today = manila_today()
    done = EngagementFactory(
        owner=staff,
        status=S.COMPLETED,
        start=now - datetime.timedelta(days=5),
        end=now - datetime.timedelta(days=5, hours=-2),
    )
    participation = ParticipationFactory(engagement=done, status=P.ATTENDED)
    # Only her own records: no card for her, and the others' card counts them.
    _waiting(
        participation,
        entered_by=manager,
        claimed_by=manager,
        day=today - datetime.timedelta(days=5),
    )
    assert "card-time-and-claims" not in _page(manager)
    card = _card(_page(staff), "card-time-and-claims")
    assert "1 time entry" in card and "1 claim" in card
    # One of hers and one of someone else's of each kind: she is asked about
    # the other's only, and the oldest date is of what she may decide.
    _waiting(
        participation,
        entered_by=staff,
        claimed_by=staff,
        day=today - datetime.timedelta(days=4),
    )
    card = _card(_page(manager), "card-time-and-claims")
    assert "1 time entry" in card and "1 claim" in card
    assert "2 time entries" not in card and "2 claims" not in card
    assert reverse("compensation:approvals") in card
    card = _card(_page(staff), "card-time-and-claims")
    assert "1 time entry" in card and "1 claim" in card
    # An administrator who recorded none of them is asked about all four.
    card = _card(_page(people["admin"]), "card-time-and-claims")
    assert "2 time entries" in card and "2 claims" in card
