"""The participations' table (``engagements.workflow.PARTICIPATION_ACTIONS``):
what each person may do from each status, and why not; the one writer of a
participation's status; and what the pages ask of it."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied

from accounts.roles import Role
from engagements import workflow
from engagements.models import Engagement, Participation, ParticipationChange
from engagements.signals import participation_status_changed
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import (
    MONDAY,
    EngagementFactory,
    FeedbackFactory,
    ParticipationFactory,
    at,
)

pytestmark = pytest.mark.django_db
S = Engagement.Status
P = Participation.Status
BEFORE = at(MONDAY - datetime.timedelta(days=7), 9)  # a week before 10:00-12:00
AFTER = at(MONDAY, 13)
FORBIDDEN = "You may not do this."

STAFF_ONLY = {"revoke", "confirm", "mark_attended", "mark_no_show"}

# While staffing, a week before: what each may do from each status.
STAFFING_ALLOWED = {
    "consultant": {
        P.INVITED: {"accept", "decline", "share"},
        P.ACCEPTED: {"step_back", "share"},
        P.CONFIRMED: {"step_back", "share"},
        # Coming back is hers, while a place is free.
        P.DECLINED: {"rejoin"},
        P.WITHDRAWN: {"rejoin"},
        P.FULL: {"rejoin"},
    },
    "owner": {
        P.INVITED: {"revoke", "accept", "decline", "share"},
        P.ACCEPTED: {"revoke", "confirm", "step_back", "share"},
        P.CONFIRMED: {"step_back", "share"},
    },
}

# Completed, after the end (declining an invitation and the choice of what
# to share have no condition of time).
COMPLETED_ALLOWED = {
    "consultant": {
        P.INVITED: {"decline", "share"},
        P.ACCEPTED: {"share"},
        P.CONFIRMED: {"share"},
        P.ATTENDED: {"feedback"},
    },
    "owner": {
        P.INVITED: {"revoke", "decline", "share"},
        P.ACCEPTED: {"revoke", "share"},
        P.CONFIRMED: {"mark_attended", "mark_no_show", "share"},
        P.ATTENDED: {"mark_no_show", "feedback"},
        P.NO_SHOW: {"mark_attended"},
    },
}

# Why not, for some (status, action) pairs while staffing: the same words
# the services give when refusing.
STAFFING_REASONS = {
    (
        P.INVITED,
        "step_back",
    ): "This participation is “Invited”: there is nothing to step back from.",
    (P.ACCEPTED, "accept"): "This invitation is “Accepted”: it can no longer be accepted.",
    (P.DECLINED, "decline"): "This invitation is “Declined”: it can no longer be declined.",
    (P.WITHDRAWN, "share"): "This choice can no longer be changed.",
    (P.CONFIRMED, "confirm"): "This consultant is already confirmed.",
    (P.INVITED, "confirm"): "Only an accepted invitation can be confirmed; this one is “Invited”.",
    (P.CONFIRMED, "revoke"): (
        "Only an invitation not yet confirmed can be withdrawn; this one is “Confirmed”."
    ),
    (P.CONFIRMED, "mark_attended"): "Attendance is marked for a confirmed or completed engagement.",
    (P.INVITED, "feedback"): "Feedback opens once the engagement is completed.",
}


@pytest.fixture
def people(make_user):
    consultant_user = make_user(Role.CONSULTANT)
    owner = make_user(Role.PROGRAMME_STAFF)
    return {
        "consultant": consultant_user,
        "profile": ConsultantFactory(user=consultant_user),
        "owner": owner,
        "other_staff": make_user(Role.PROGRAMME_STAFF),
        "other_consultant": make_user(Role.CONSULTANT),
        "finance": make_user(Role.FINANCE_OFFICER),
    }


def _participation(people, *, engagement_status, status) -> Participation:
    engagement = EngagementFactory(owner=people["owner"], status=engagement_status)
    return ParticipationFactory(
        engagement=engagement,
        consultant=people["profile"],
        status=status,
    )


def _allowed(actions) -> set[str]:
    return {name for name, action in actions.items() if action.allowed}


@pytest.mark.parametrize("status", P.values)
@pytest.mark.parametrize("actor", ["consultant", "owner"])
def test_while_staffing_each_status_and_actor(people, actor, status):
    participation = _participation(people, engagement_status=S.STAFFING, status=status)
    actions = workflow.available_actions(participation, user=people[actor], now=BEFORE)
    assert list(actions) == list(workflow.PERSON_ACTIONS)
    assert _allowed(actions) == STAFFING_ALLOWED[actor].get(status, set())
    for name, action in actions.items():
        assert action.name == name
        if action.allowed:
            assert action.reason == "" and action.offered
        else:
            assert action.reason, (name, status)
    if actor == "consultant":
        for name in STAFF_ONLY:
            assert actions[name].reason == FORBIDDEN
            assert not actions[name].offered
    for (reason_status, name), reason in STAFFING_REASONS.items():
        if reason_status == status and not (actor == "consultant" and name in STAFF_ONLY):
            assert actions[name].reason == reason


@pytest.mark.parametrize("status", P.values)
@pytest.mark.parametrize("actor", ["consultant", "owner"])
def test_after_a_completed_engagement_each_status_and_actor(people, actor, status):
    participation = _participation(people, engagement_status=S.COMPLETED, status=status)
    actions = workflow.available_actions(participation, user=people[actor], now=AFTER)
    assert _allowed(actions) == COMPLETED_ALLOWED[actor].get(status, set())
    assert all(action.reason for action in actions.values() if not action.allowed)


@pytest.mark.parametrize("status", P.values)
@pytest.mark.parametrize("actor", ["other_staff", "other_consultant", "finance"])
def test_outsiders_may_do_nothing(people, actor, status):
    participation = _participation(people, engagement_status=S.STAFFING, status=status)
    actions = workflow.available_actions(participation, user=people[actor], now=BEFORE)
    assert {a.reason for a in actions.values()} == {FORBIDDEN}
    assert not any(a.allowed or a.offered for a in actions.values())


def test_a_condition_of_time_keeps_the_action_offered_with_its_reason(people):
    participation = _participation(people, engagement_status=S.STAFFING, status=P.INVITED)
    accept = workflow.participation_action(
        participation=participation, name="accept", user=people["consultant"], now=AFTER
    )
    assert (accept.allowed, accept.offered, accept.code) == (False, True, "started")
    assert accept.reason == "This engagement has already started."

    confirmed = _participation(people, engagement_status=S.CONFIRMED, status=P.CONFIRMED)
    step_back = workflow.participation_action(
        participation=confirmed, name="step_back", user=people["consultant"], now=AFTER
    )
    assert (step_back.allowed, step_back.offered) == (False, True)
    assert step_back.reason == "This engagement has already ended."


def test_attendance_waits_for_the_start_and_is_not_marked_twice(people):
    participation = _participation(people, engagement_status=S.CONFIRMED, status=P.CONFIRMED)
    early = workflow.participation_action(
        participation=participation, name="mark_attended", user=people["owner"], now=BEFORE
    )
    assert early.reason == "The engagement has not started yet."
    participation.status = P.ATTENDED
    again = workflow.participation_action(
        participation=participation, name="mark_attended", user=people["owner"], now=AFTER
    )
    assert (again.allowed, again.offered, again.code) == (False, False, "unchanged")


def test_feedback_only_once(people):
    participation = _participation(people, engagement_status=S.COMPLETED, status=P.ATTENDED)
    FeedbackFactory(participation=participation)
    action = workflow.participation_action(
        participation=participation, name="feedback", user=people["consultant"], now=AFTER
    )
    assert action.reason == "You have already given feedback on this engagement."


@pytest.mark.parametrize(
    ("engagement_status", "now", "allowed", "reason"),
    [
        (S.STAFFING, BEFORE, True, ""),
        (S.STAFFING, AFTER, False, "The engagement has already started."),
        (
            S.APPROVED,
            BEFORE,
            False,
            "Consultants are invited while the engagement is staffing; it is “Approved”.",
        ),
    ],
)
def test_invite_action(people, engagement_status, now, allowed, reason):
    engagement = EngagementFactory(owner=people["owner"], status=engagement_status)
    action = workflow.invite_action(engagement=engagement, user=people["owner"], now=now)
    assert (action.allowed, action.reason) == (allowed, reason)
    outsider = workflow.invite_action(engagement=engagement, user=people["other_staff"], now=now)
    assert outsider.reason == FORBIDDEN


def test_the_one_writer_records_the_change_and_announces_it(people):
    participation = _participation(people, engagement_status=S.STAFFING, status=P.INVITED)
    heard = []

    def receiver(sender, participation, from_status, to_status, by, **kwargs):
        heard.append((from_status, to_status, by))

    participation_status_changed.connect(receiver, dispatch_uid="test-one-writer")
    try:
        workflow.participation_transition(
            participation=participation, name="accept", by=people["consultant"], now=BEFORE
        )
    finally:
        participation_status_changed.disconnect(dispatch_uid="test-one-writer")
    participation.refresh_from_db()
    assert participation.status == P.ACCEPTED
    change = ParticipationChange.objects.get(participation=participation)
    assert (change.from_status, change.to_status, change.by) == (
        P.INVITED,
        P.ACCEPTED,
        people["consultant"],
    )
    assert heard == [(P.INVITED, P.ACCEPTED, people["consultant"])]


def test_the_one_writer_refuses_what_the_table_refuses(people):
    participation = _participation(people, engagement_status=S.STAFFING, status=P.DECLINED)
    with pytest.raises(workflow.ParticipationStateError) as refused:
        workflow.participation_transition(
            participation=participation, name="accept", by=people["consultant"], now=BEFORE
        )
    assert refused.value.code == "not_invited"
    with pytest.raises(PermissionDenied):
        workflow.participation_transition(
            participation=participation, name="revoke", by=people["consultant"], now=BEFORE
        )
    assert not ParticipationChange.objects.exists()


def test_cancelling_the_engagement_goes_through_the_table(people, manager_user):
    participation = _participation(people, engagement_status=S.STAFFING, status=P.CONFIRMED)
    workflow.engagement_transition(
        engagement=participation.engagement,
        name="cancel",
        by=manager_user,
        reason="Postponed.",
        now=BEFORE,
    )
    change = ParticipationChange.objects.get(participation=participation)
    assert (change.from_status, change.to_status) == (P.CONFIRMED, P.CANCELLED)


def test_templates_never_compare_raw_status_strings():
    root = Path(settings.BASE_DIR) / "engagements" / "templates" / "engagements"
    for name in ("staff/detail.html", "portal/detail.html", "staff/matching.html"):
        text = (root / name).read_text()
        assert "status ==" not in text and "status !=" not in text, name
