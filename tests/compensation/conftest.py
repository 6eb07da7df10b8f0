"""Compensation fixtures: a past engagement run by ``owner`` with a booked
participation of ``own_consultant`` (the ``consultant_user`` persona),
rates and allowance policies, and helpers to walk the money through."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from compensation import services
from engagements.models import Engagement, Participation
from tests.compensation.factories import AllowancePolicyFactory, RateCardFactory
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import EngagementFactory, ParticipationFactory

P = Participation.Status


@pytest.fixture
def owner(programme_staff_user):
    return programme_staff_user


@pytest.fixture
def rates(db):
    return {
        "hour": RateCardFactory(role="participant", unit="hour", amount=Decimal("500.00")),
        "fixed": RateCardFactory(role="speaker", unit="fixed", amount=Decimal("5000.00")),
        "half_day": RateCardFactory(role="panelist", unit="half_day", amount=Decimal("2000.00")),
    }


@pytest.fixture
def policies(db):
    return {
        "meal": AllowancePolicyFactory(kind="meal", default_amount=Decimal("350.00")),
        "communication": AllowancePolicyFactory(
            kind="communication", default_amount=Decimal("300.00")
        ),
        "transport": AllowancePolicyFactory(
            kind="transport", default_amount=Decimal("500.00"), in_person_only=True
        ),
        "lodging": AllowancePolicyFactory(
            kind="lodging",
            default_amount=Decimal("2500.00"),
            paid_in_advance=False,
            in_person_only=True,
            receipt_required_above=Decimal("0.00"),
        ),
    }


@pytest.fixture
def own_consultant(consultant_user):
    return ConsultantFactory(user=consultant_user, pseudonym="Tala")


@pytest.fixture
def other_consultant(make_user):
    return ConsultantFactory(user=make_user(Role.CONSULTANT), pseudonym="Bituin")


def past_engagement(owner, *, days_ago=10, **kwargs):
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(days=days_ago)
    return EngagementFactory(
        owner=owner,
        status=kwargs.pop("status", Engagement.Status.COMPLETED),
        start=start,
        end=start + datetime.timedelta(hours=3),
        **kwargs,
    )


@pytest.fixture
def engagement(owner):
    return past_engagement(owner)


@pytest.fixture
def participation(engagement, own_consultant):
    return ParticipationFactory(
        engagement=engagement,
        consultant=own_consultant,
        status=P.ATTENDED,
        role="participant",
        responded_at=engagement.start - datetime.timedelta(days=20),
    )


@pytest.fixture
def agreement(participation, owner, rates, policies):
    """Version 1, acknowledged (the consultant accepted)."""
    agreement = services.agreement_propose(participation=participation, by=owner)
    return services.agreement_acknowledge(agreement=agreement, by=owner, on_behalf=True)


def approved_time(participation, *, by, approver, hours="2.00", day=None, kind="engagement"):
    day = day or timezone.localtime(participation.engagement.start).date()
    entry = services.time_entry_add(
        participation=participation, by=by, on_behalf=True, kind=kind, date=day, hours=hours
    )
    return services.time_entry_approve(entry=entry, by=approver)
