"""What an invitation pays (``selectors.offer_for``), shown on her
invitation before she answers (``compensation.panels``), and the portal
home's counts of time to send and payments on their way."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from compensation import selectors, services
from compensation.models import Payment
from engagements.models import Engagement, Mode, Participation
from engagements.panels import registered_invitation_panels
from tests.engagements.factories import MONDAY, EngagementFactory, ParticipationFactory
from tests.helpers import approved_time, client_for, past_engagement

pytestmark = pytest.mark.django_db
P = Participation.Status
D = Decimal


@pytest.fixture
def future(owner):
    """Staffing, Monday 10:00-12:00 Manila, online, 1.5 hours of preparation."""
    return EngagementFactory(
        owner=owner,
        status=Engagement.Status.STAFFING,
        title="Youth roundtable",
        preparation_hours=D("1.50"),
    )


def _invite(engagement, consultant, role="participant"):
    return ParticipationFactory(engagement=engagement, consultant=consultant, role=role)


# --- offer_for ------------------------------------------------------------------------


def test_offer_from_the_agreement_in_front_of_her(
    future, own_consultant, owner, rates, policies, django_assert_max_num_queries
):
    invitation = _invite(future, own_consultant)
    agreement = services.agreement_propose(
        participation=invitation,
        by=owner,
        terms={
            "rate_unit": "hour",
            "rate_amount": "600.00",
            "estimated_preparation_hours": "2.00",
            "advance_amount": "500.00",
        },
        allowances=[{"kind": "meal", "amount": "350.00", "paid_in_advance": True}],
    )
    with django_assert_max_num_queries(2):
        offer = selectors.offer_for(invitation)
    assert offer.source == "agreement" and offer.known and offer.agreement_id == agreement.pk
    assert (offer.rate_amount, offer.rate_unit) == (D("600.00"), "hour")
    # Preparation, the engagement, (no travel online), the debrief: 5 hours.
    assert [(p.kind, p.hours, p.pay) for p in offer.parts] == [
        ("preparation", D("2.00"), D("1200.00")),
        ("engagement", D("2.00"), D("1200.00")),
        ("debrief", D("1.00"), D("600.00")),
    ]
    assert offer.hours == D("5.00") and offer.time_pay == D("3000.00")
    assert [(a.kind, a.amount, a.paid_in_advance) for a in offer.allowances] == [
        ("meal", D("350.00"), True)
    ]
    assert offer.advance == D("500.00") and offer.has_advance_items
    assert offer.total == D("3350.00")
    assert offer.pay_due_on == MONDAY + datetime.timedelta(days=selectors.target_days())
    assert offer.advance_due_on == MONDAY - datetime.timedelta(days=1)
    assert offer.cancellation_minimum == D("1200.00")  # the engagement's 2 hours


def test_offer_from_the_rate_card_for_her_role_and_the_type(owner, own_consultant, rates, policies):
    engagement = EngagementFactory(
        owner=owner,
        status=Engagement.Status.STAFFING,
        mode=Mode.IN_PERSON,
        venue="Community hall",
        online_link="",
        preparation_hours=D("1.50"),
    )
    offer = selectors.offer_for(_invite(engagement, own_consultant))
    assert offer.source == "rate_card" and offer.agreement_id is None
    assert (offer.rate_amount, offer.rate_unit) == (D("500.00"), "hour")
    # In person: two hours of travel; one hour of debrief.
    assert [(p.kind, p.hours, p.pay) for p in offer.parts] == [
        ("preparation", D("1.50"), D("750.00")),
        ("engagement", D("2.00"), D("1000.00")),
        ("travel", D("2.00"), D("1000.00")),
        ("debrief", D("1.00"), D("500.00")),
    ]
    assert offer.time_pay == D("3250.00")
    # Every active policy in person: meals, communication, transport, lodging.
    assert {a.kind for a in offer.allowances} == {"meal", "communication", "transport", "lodging"}
    assert offer.total == D("3250.00") + D("350.00") + D("300.00") + D("500.00") + D("2500.00")
    assert offer.advance == 0 and offer.cancellation_minimum is None


def test_offer_online_leaves_out_travel_transport_and_lodging(
    future, own_consultant, rates, policies
):
    offer = selectors.offer_for(_invite(future, own_consultant))
    assert "travel" not in [p.kind for p in offer.parts]
    assert {a.kind for a in offer.allowances} == {"meal", "communication"}


def test_a_fixed_honorarium_pays_no_hours_separately(future, own_consultant, rates, policies):
    offer = selectors.offer_for(_invite(future, own_consultant, role="speaker"))
    assert offer.is_fixed and offer.time_pay == D("5000.00")
    assert all(part.pay is None for part in offer.parts)
    assert offer.total == D("5000.00") + D("350.00") + D("300.00")


def test_no_rate_known_is_said_plainly_never_zero(future, own_consultant, rates, policies):
    offer = selectors.offer_for(_invite(future, own_consultant, role="adviser"))
    assert offer.source == "none" and not offer.known
    assert offer.rate_amount is None and offer.time_pay is None and offer.total is None
    assert all(part.pay is None for part in offer.parts)
    assert [p.kind for p in offer.parts] == ["preparation", "engagement", "debrief"]


def test_the_agreement_in_force_wins_over_a_change_not_yet_acknowledged(agreement, owner):
    services.agreement_change(
        agreement=agreement, by=owner, change_note="More", terms={"rate_amount": "900.00"}
    )
    offer = selectors.offer_for(agreement.participation)
    assert offer.agreement_id == agreement.pk and offer.rate_amount == D("500.00")


# --- The invitation page -----------------------------------------------------------------


def _page(user, participation) -> str:
    response = client_for(user).get(reverse("my_engagements:detail", args=[participation.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_pay_panel_is_registered_from_ready():
    assert "compensation.pay" in [panel.key for panel in registered_invitation_panels()]


def test_the_offer_in_full_comes_before_the_question(
    future, own_consultant, consultant_user, owner, rates, policies
):
    invitation = _invite(future, own_consultant)
    services.agreement_propose(
        participation=invitation, by=owner, terms={"advance_amount": "500.00"}
    )
    page = _page(consultant_user, invitation)
    order = [
        "What you would do",
        "How you are protected",
        "What it pays",
        "₱500.00 per hour",
        "Advance",
        "When you are paid",
        "Saying no is always fine",
        "Yes, I will join",
        "No, thank you",
    ]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions), list(zip(order, positions, strict=True))
    assert "your agreement</a>" in page
    assert len(page.encode()) < 60_000


def test_the_rate_card_offer_says_the_team_confirms_it(
    future, own_consultant, consultant_user, rates, policies
):
    page = _page(consultant_user, _invite(future, own_consultant))
    assert "₱500.00 per hour" in page and "In all, about" in page
    assert "the team confirms them in your agreement" in page


def test_no_rate_says_the_team_will_tell_her(future, own_consultant, consultant_user, policies):
    page = _page(consultant_user, _invite(future, own_consultant, role="adviser"))
    assert "The team will tell you the pay before you decide" in page
    assert "₱0" not in page and "In all, about" not in page
    assert page.index("What it pays") < page.index("Yes, I will join")


def test_no_offer_once_she_said_no(future, own_consultant, consultant_user, rates):
    declined = ParticipationFactory(engagement=future, consultant=own_consultant, status=P.DECLINED)
    assert "What it pays" not in _page(consultant_user, declined)


# --- Counts on the portal home ----------------------------------------------------------------


def test_time_to_send_counts_attended_engagements_without_time(
    agreement, own_consultant, owner, manager_user, django_assert_num_queries
):
    participation = agreement.participation
    with django_assert_num_queries(1):
        assert selectors.consultant_time_to_send(own_consultant) == 1
    entry = services.time_entry_add(
        participation=participation,
        by=owner,
        on_behalf=True,
        kind="engagement",
        date=timezone.localtime(participation.engagement.start).date(),
        hours="2.00",
    )
    assert selectors.consultant_time_to_send(own_consultant) == 0
    # Not approved: hers to send again.
    services.time_entry_reject(entry=entry, by=manager_user, reason="Wrong day")
    assert selectors.consultant_time_to_send(own_consultant) == 1
    approved_time(participation, by=owner, approver=manager_user)
    assert selectors.consultant_time_to_send(own_consultant) == 0


def test_time_to_send_leaves_out_honoraria_and_the_long_past(
    owner, own_consultant, rates, policies
):
    def attended(engagement, role):
        participation = ParticipationFactory(
            engagement=engagement, consultant=own_consultant, status=P.ATTENDED, role=role
        )
        agreement = services.agreement_propose(participation=participation, by=owner)
        services.agreement_acknowledge(agreement=agreement, by=owner, on_behalf=True)

    attended(past_engagement(owner, days_ago=5), "speaker")  # a fixed honorarium
    attended(past_engagement(owner, days_ago=120), "participant")  # too long ago to enter
    ParticipationFactory(  # invited, not attended
        engagement=past_engagement(owner, days_ago=3), consultant=own_consultant, status=P.INVITED
    )
    assert selectors.consultant_time_to_send(own_consultant) == 0
    attended(past_engagement(owner, days_ago=6), "participant")
    assert selectors.consultant_time_to_send(own_consultant) == 1


def test_payments_on_the_way_are_approved_and_not_paid(
    agreement,
    own_consultant,
    owner,
    manager_user,
    finance_user,
    django_assert_num_queries,
    finance_colleague,
):
    with django_assert_num_queries(1):
        nothing = selectors.consultant_payments_on_the_way(own_consultant)
    assert (nothing.count, nothing.total) == (0, D("0.00"))
    approved_time(agreement.participation, by=owner, approver=manager_user)
    payment = services.payment_group(consultant=own_consultant, by=finance_user)
    assert selectors.consultant_payments_on_the_way(own_consultant).count == 0  # a draft
    services.payment_approve(payment=payment, by=finance_colleague)
    on_the_way = selectors.consultant_payments_on_the_way(own_consultant)
    assert on_the_way.count == 1
    assert on_the_way.total == Payment.objects.get(pk=payment.pk).total > 0
    services.payment_mark_paid(payment=payment, by=finance_user, method="cash")
    assert selectors.consultant_payments_on_the_way(own_consultant).count == 0
