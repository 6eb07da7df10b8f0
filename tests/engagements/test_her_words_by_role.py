"""Her optional words when she declined or stepped back
(``Participation.decline_reason``, ``withdrawal_reason``, encrypted) reach
the staff engagement page for programme managers only, as she was told
("Only you and the programme managers can read it"): each page view that
shows them is one access entry on the engagement. Every other role that
can open the page (its owner, assigned staff, finance, the wellbeing lead
of the consultant, an administrator without the manager's role) sees the
row without her words, and nothing is recorded as shown to them."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import Role
from consultants import access as consultants_access
from engagements.models import Engagement, Participation
from tests.engagements.factories import EngagementFactory, ParticipationFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
P = Participation.Status
WORDS = ("Exams that week", "My mother is ill")


def _both(user):
    """An administrator who is also a programme manager."""
    user.groups.add(Group.objects.get(name=Role.PROGRAMME_MANAGER.value))
    return user


@pytest.fixture
def world(make_user):
    owner = make_user(Role.PROGRAMME_STAFF)
    assigned = make_user(Role.PROGRAMME_STAFF)
    engagement = EngagementFactory(
        owner=owner, status=Engagement.Status.STAFFING, assigned_staff=[assigned]
    )
    declined = ParticipationFactory(
        engagement=engagement, status=P.DECLINED, decline_reason=WORDS[0]
    )
    ParticipationFactory(engagement=engagement, status=P.WITHDRAWN, withdrawal_reason=WORDS[1])
    wellbeing = make_user(Role.WELLBEING_LEAD)
    consultants_access.grant_wellbeing(wellbeing, declined.consultant)
    return {
        "engagement": engagement,
        "owner": owner,
        "assigned": assigned,
        "wellbeing": wellbeing,
        "manager": make_user(Role.PROGRAMME_MANAGER),
        "admin_manager": _both(make_user(Role.ADMINISTRATOR)),
        "finance": make_user(Role.FINANCE_OFFICER),
        "admin": make_user(Role.ADMINISTRATOR),
    }


def _shown_fields(user, engagement):
    entries = LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, actor=user, object_pk=str(engagement.pk)
    )
    return [field for entry in entries for field in entry.additional_data["fields"]]


@pytest.mark.parametrize("who", ["manager", "admin_manager"])
def test_programme_managers_read_her_words_and_it_is_recorded(world, who):
    user = world[who]
    page = client_for(user).get(reverse("engagements:detail", args=[world["engagement"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for words in WORDS:
        assert words in html
    assert _shown_fields(user, world["engagement"]) == [
        "participation.decline_reason",
        "participation.withdrawal_reason",
    ]


@pytest.mark.parametrize("who", ["owner", "assigned", "finance", "wellbeing", "admin"])
def test_nobody_else_reads_them(world, who):
    user = world[who]
    page = client_for(user).get(reverse("engagements:detail", args=[world["engagement"].pk]))
    assert page.status_code == 200  # each of them may open the engagement
    html = page.content.decode()
    for words in WORDS:
        assert words not in html
    assert "managers only" not in html
    assert "participation.decline_reason" not in _shown_fields(user, world["engagement"])
    assert "participation.withdrawal_reason" not in _shown_fields(user, world["engagement"])
