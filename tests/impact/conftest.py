"""Impact fixtures: a completed engagement with two consultants who took
part (Amihan agreed to be quoted by pseudonym, Bayani did not), one more
who was invited and declined."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from consultants import services as consultant_services
from consultants.models import ConsentScope
from engagements.models import Participation
from impact import services
from tests.consultants.factories import ConsultantFactory, published_text
from tests.engagements.factories import ParticipationFactory
from tests.helpers import past_engagement


@pytest.fixture
def quiet_off(settings):
    # Whatever the hour the suite runs at: no quiet hours.
    settings.REMINDERS_QUIET_START = settings.REMINDERS_QUIET_END = "00:00"


@pytest.fixture
def world(make_user, manager_user):
    owner = make_user(Role.PROGRAMME_STAFF)
    assigned = make_user(Role.PROGRAMME_STAFF)
    engagement = past_engagement(owner, days_ago=40, assigned_staff=[assigned])
    amihan = ConsultantFactory(pseudonym="Amihan", user=make_user(Role.CONSULTANT))
    bayani = ConsultantFactory(pseudonym="Bayani", user=make_user(Role.CONSULTANT))
    declined = ConsultantFactory(pseudonym="Dalisay", user=make_user(Role.CONSULTANT))
    for consultant, status in [
        (amihan, Participation.Status.ATTENDED),
        (bayani, Participation.Status.ATTENDED),
        (declined, Participation.Status.DECLINED),
    ]:
        ParticipationFactory(engagement=engagement, consultant=consultant, status=status)
    published_text(ConsentScope.QUOTING)
    consultant_services.consent_grant(
        consultant=amihan, scope=ConsentScope.QUOTING, by=manager_user
    )
    return {
        "owner": owner,
        "assigned": assigned,
        "manager": manager_user,
        "engagement": engagement,
        "amihan": amihan,
        "bayani": bayani,
        "declined": declined,
    }


@pytest.fixture
def contribution(world):
    return services.contribution_create(
        engagement=world["engagement"],
        by=world["owner"],
        kind="recommendation",
        summary="Let children testify by video, away from the accused.",
        consultants=[world["amihan"], world["bayani"]],
    )
