"""Who sees and runs which engagement: 404 for outsiders, 403 for those who
see but may not change; consultants reach only their own participations."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.roles import Role
from engagements import access
from tests.engagements.factories import EngagementFactory, ParticipationFactory

pytestmark = pytest.mark.django_db

# persona: (sees, runs)
MATRIX = {
    "owner": (True, True),
    "assigned": (True, True),
    Role.PROGRAMME_MANAGER: (True, True),
    Role.ADMINISTRATOR: (True, True),
    Role.FINANCE_OFFICER: (True, False),
    Role.PROGRAMME_STAFF: (False, False),
    Role.WELLBEING_LEAD: (False, False),
    Role.CONSULTANT: (False, False),
    None: (False, False),
}


@pytest.mark.parametrize("who", list(MATRIX), ids=str)
def test_engagement_matrix(who, owner, make_user):
    engagement = EngagementFactory(owner=owner)
    if who == "owner":
        user = owner
    elif who == "assigned":
        user = make_user(Role.PROGRAMME_STAFF)
        engagement.assigned_staff.add(user)
    else:
        user = make_user(who)
    sees, runs = MATRIX[who]
    assert access.can_view(user, engagement) is sees
    assert access.can_run(user, engagement) is runs
    if not sees:
        with pytest.raises(Http404):
            access.engagement_for_user(user, engagement.pk)
    elif not runs:
        with pytest.raises(PermissionDenied):
            access.engagement_for_user_to_change(user, engagement.pk)
    else:
        assert access.engagement_for_user_to_change(user, engagement.pk) == engagement


@pytest.mark.parametrize("pk", ["x", None, 10**9, "1 OR 1=1"])
def test_hostile_ids_are_404(manager_user, pk):
    with pytest.raises(Http404):
        access.engagement_for_user(manager_user, pk)


def test_consultants_reach_only_their_own_participation(own_consultant, consultant_user, make_user):
    mine = ParticipationFactory(consultant=own_consultant)
    theirs = ParticipationFactory()
    assert access.participation_for_consultant(consultant_user, mine.pk) == mine
    with pytest.raises(Http404):
        access.participation_for_consultant(consultant_user, theirs.pk)
    manager = make_user(Role.PROGRAMME_MANAGER)
    with pytest.raises(Http404):
        access.participation_for_consultant(manager, mine.pk)
    assert access.can_respond(consultant_user, mine)
    assert not access.can_respond(consultant_user, theirs)
    assert not access.can_respond(manager, mine)
    assert access.can_respond(manager, mine, on_behalf=True)


def test_reasons_are_for_the_consultant_and_managers(
    own_consultant, consultant_user, owner, make_user
):
    participation = ParticipationFactory(
        consultant=own_consultant, engagement=EngagementFactory(owner=owner)
    )
    assert access.can_view_reasons(consultant_user, participation)
    assert access.can_view_reasons(make_user(Role.PROGRAMME_MANAGER), participation)
    assert not access.can_view_reasons(owner, participation)


def test_only_managers_approve(owner, manager_user):
    engagement = EngagementFactory(owner=owner)
    assert not access.can_transition(owner, engagement, "approve")
    assert access.can_transition(manager_user, engagement, "approve")
    assert access.can_approve_requests(manager_user)
    assert not access.can_approve_requests(owner)
