"""The portal's home, built around the next thing: her next engagement
(when, where it stands, its actions), what waits for her with counts, then
the ways in. Step back is one tap from home, then its confirmation page.
Home takes the same number of queries with a little and with a lot."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from checklists import services as checklist_services
from checklists.models import ChecklistItem
from compensation import services as pay_services
from compensation.models import RateCard
from engagements.models import Engagement, Participation
from tests.compensation.factories import AllowancePolicyFactory
from tests.engagements.factories import MONDAY, EngagementFactory, ParticipationFactory, at
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
S = Engagement.Status
P = Participation.Status
HOME = "portal:home"


def home(user) -> str:
    response = client_for(user).get(reverse(HOME))
    assert response.status_code == 200
    return response.content.decode()


def _future(owner, consultant, *, days=0, status=P.ACCEPTED, title="Youth roundtable"):
    start = at(MONDAY + datetime.timedelta(days=days), 10)
    engagement = EngagementFactory(
        owner=owner,
        status=S.STAFFING,
        title=title,
        start=start,
        end=start + datetime.timedelta(hours=2),
    )
    return ParticipationFactory(engagement=engagement, consultant=consultant, status=status)


def _links(page: str) -> dict[str, str]:
    """Each link's text (tags stripped, spaces squeezed) -> its href."""
    found = {}
    for href, inner in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', page, re.S):
        words = " ".join(re.sub(r"<[^>]+>", " ", inner).split())
        found.setdefault(words, href)
    return found


# --- The next engagement ------------------------------------------------------------------


def test_home_leads_with_the_next_engagement_and_where_it_stands(
    own_consultant, consultant_user, owner
):
    booked = _future(owner, own_consultant, days=7, title="Policy roundtable")
    _future(owner, own_consultant, status=P.INVITED, title="An earlier invitation")
    page = home(consultant_user)
    card = page.index("Your next engagement")
    assert card < page.index("Policy roundtable") < page.index("Waiting for you")
    assert "Monday 9 June, 10:00\N{EN DASH}12:00" in page  # Manila, day-month
    # The tracker: the current step in words, not only by colour.
    assert "Step 2 of 6: Accepted." in page
    assert 'aria-current="step"><strong>Accepted</strong> <span class="tracker-now">now</span>' in (
        page
    )
    assert "(done)" in page  # invited, ticked and said
    for step in ("Invited", "Confirmed", "Done", "Time sent", "Paid"):
        assert step in page
    links = _links(page)
    assert links["What you need to know"] == reverse("my_engagements:detail", args=[booked.pk])
    assert links["Step back"] == reverse("my_engagements:step_back", args=[booked.pk])
    # No script but the exit button's (static/js/safety.js); the page works without it.
    assert page.count("<script") == page.count('<script src="/static/js/safety.js" defer>')


def test_an_invitation_leads_when_nothing_is_booked(own_consultant, consultant_user, owner):
    invitation = _future(owner, own_consultant, status=P.INVITED)
    page = home(consultant_user)
    assert "An invitation for you" in page and "Step 1 of 6: Invited." in page
    links = _links(page)
    assert links["Read it and answer"] == reverse("my_engagements:detail", args=[invitation.pk])
    assert "Step back" not in links


def test_nothing_coming_up_is_said_kindly(own_consultant, consultant_user):
    page = home(consultant_user)
    assert "Nothing coming up" in page and "Step 1 of 6" not in page


def test_a_consultant_account_without_a_profile_still_has_a_home(consultant_user):
    page = home(consultant_user)
    assert "Waiting for you" not in page and "Your account" in page


# --- Step back: two taps from home, plus the confirmation ------------------------------------


def test_step_back_is_one_link_from_home_then_the_confirmation(
    own_consultant, consultant_user, owner
):
    booked = _future(owner, own_consultant, status=P.CONFIRMED)
    client = client_for(consultant_user)
    # Tap 1: home's "Step back" goes straight to the confirmation page.
    page = client.get(reverse(HOME)).content.decode()
    step_back = _links(page)["Step back"]
    confirmation = client.get(step_back)
    assert confirmation.status_code == 200
    text = confirmation.content.decode()
    assert "Step back from this engagement?" in text
    assert "You do not need to give a reason" in text
    form = re.search(r'<form method="post"[^>]*>', text).group(0)
    action = re.search(r'action="([^"]+)"', form)
    # Tap 2: confirm (the form posts back to the same page).
    response = client.post(action.group(1) if action else step_back, {})
    assert response.status_code == 302
    assert response["Location"] == reverse("my_engagements:index")
    booked.refresh_from_db()
    assert booked.status == P.WITHDRAWN
    # Home no longer offers it; her engagements page keeps it apart from "Before".
    assert "Youth roundtable" not in home(consultant_user)
    index = client.get(reverse("my_engagements:index")).content.decode()
    assert (
        index.index("You stepped back or said no")
        < index.index("Youth roundtable")
        < index.index("<h2>Before</h2>")
    )


# --- Counts --------------------------------------------------------------------------------


def _seed(owner, manager, finance, consultant, n: int, *, approver) -> None:
    """``n`` of everything home counts, for ``consultant``; ``finance``
    groups the payments and ``approver`` (another officer) approves them."""
    RateCard.objects.get_or_create(
        engagement_type="roundtable",
        role="participant",
        defaults={
            "unit": "hour",
            "amount": Decimal("500.00"),
            "effective_from": timezone.localdate() - datetime.timedelta(days=365),
        },
    )
    AllowancePolicyFactory(kind="meal", default_amount=Decimal("350.00"), paid_in_advance=False)
    for i in range(n):
        # An invitation waiting, and an accepted engagement with things to tick.
        _future(owner, consultant, days=30 + i, status=P.INVITED, title=f"Invited {i}")
        accepted = _future(owner, consultant, days=60 + i, title=f"Accepted {i}")
        checklist_services.checklist_instantiate(engagement=accepted.engagement)
        checklist_services.checklist_add_consultant(
            engagement=accepted.engagement, consultant=consultant
        )
        # Attended with no time sent yet, and attended with a payment approved.
        for paid in (False, True):
            start = timezone.now() - datetime.timedelta(days=10 + 2 * i + paid)
            engagement = EngagementFactory(
                owner=owner,
                status=S.COMPLETED,
                start=start,
                end=start + datetime.timedelta(hours=2),
            )
            participation = ParticipationFactory(
                engagement=engagement, consultant=consultant, status=P.ATTENDED, role="participant"
            )
            agreement = pay_services.agreement_propose(participation=participation, by=owner)
            pay_services.agreement_acknowledge(agreement=agreement, by=owner, on_behalf=True)
            if paid:
                entry = pay_services.time_entry_add(
                    participation=participation,
                    by=owner,
                    on_behalf=True,
                    kind="engagement",
                    date=timezone.localtime(start).date(),
                    hours="2.00",
                )
                pay_services.time_entry_approve(entry=entry, by=manager)
                payment = pay_services.payment_group(consultant=consultant, by=finance)
                pay_services.payment_approve(payment=payment, by=approver)


def test_home_counts_what_waits_for_her(
    own_consultant, consultant_user, owner, manager_user, finance_user, finance_colleague
):
    _seed(owner, manager_user, finance_user, own_consultant, 2, approver=finance_colleague)
    page = home(consultant_user)
    waiting = page[page.index("Waiting for you") :]
    assert "2 waiting for your answer." in waiting
    items = ChecklistItem.objects.filter(consultant=own_consultant).count()
    assert f"{items} things to tick before an engagement." in waiting
    assert "2 engagements wait for your time" in waiting
    assert "2 payments approved, ₱" in waiting and "in all, on their way to you." in waiting
    links = _links(page)
    assert any(text.startswith("Invitations") for text in links)
    assert any(text.startswith("Before you go") for text in links)
    assert reverse("my_pay:time_add") in page and reverse("my_pay:payments") in page


def test_home_counts_say_none_plainly(own_consultant, consultant_user):
    page = home(consultant_user)
    for text in (
        "None waiting right now.",
        "Nothing to tick right now.",
        "Nothing to send right now.",
        "None on the way right now.",
    ):
        assert text in page


def _home_queries(user) -> tuple[int, int]:
    client = client_for(user)
    client.get(reverse(HOME))  # the session and the user are warm
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(HOME))
    assert response.status_code == 200
    return len(queries), len(response.content)


def test_home_takes_the_same_queries_with_a_little_and_a_lot(
    make_consultant, make_user, owner, manager_user, finance_user, finance_colleague
):
    sizes = {}
    for n in (1, 8):
        user = make_user(Role.CONSULTANT)
        consultant = make_consultant(user=user)
        _seed(owner, manager_user, finance_user, consultant, n, approver=finance_colleague)
        sizes[n] = _home_queries(user)
    (small_queries, small_bytes), (large_queries, large_bytes) = sizes[1], sizes[8]
    # Session, user, roles, profile, the next engagement, four counts, and the
    # session's renewal (idle timeout): nothing grows with what she has.
    assert small_queries == large_queries <= 12, sizes
    assert large_bytes < 60_000 and abs(large_bytes - small_bytes) < 200, sizes
