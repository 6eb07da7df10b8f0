"""The workflow: every transition allowed and refused (permission, status,
conditions), its history, its side effects, and the registry of guards."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.roles import Role
from engagements import workflow
from engagements.models import Audience, Engagement, EngagementTransition, Participation
from engagements.signals import engagement_transitioned
from engagements.workflow import TransitionForbidden, TransitionRefused
from tests.engagements.factories import (
    MONDAY,
    DebriefFactory,
    EngagementFactory,
    ParticipationFactory,
    PrivacyPlanFactory,
    at,
)

pytestmark = pytest.mark.django_db
S = Engagement.Status
P = Participation.Status
AFTER = at(MONDAY, 13)  # after the engagement (10:00-12:00)

# name: (a status it starts from, the status it leads to)
PATHS = {
    "submit": (S.DRAFT, S.SUBMITTED),
    "approve": (S.SUBMITTED, S.APPROVED),
    "decline": (S.SUBMITTED, S.DECLINED),
    "start_staffing": (S.APPROVED, S.STAFFING),
    "confirm": (S.STAFFING, S.CONFIRMED),
    "reopen_staffing": (S.CONFIRMED, S.STAFFING),
    "complete": (S.CONFIRMED, S.COMPLETED),
    "close": (S.COMPLETED, S.CLOSED),
    "cancel": (S.STAFFING, S.CANCELLED),
}
assert set(PATHS) == set(workflow.TRANSITIONS)


def _ready(name, owner, status=None):
    """An engagement where transition ``name`` meets every condition."""
    engagement = EngagementFactory(owner=owner, status=status or PATHS[name][0])
    if name in ("confirm", "complete", "close", "reopen_staffing"):
        ParticipationFactory(engagement=engagement, status=P.CONFIRMED)
    if name == "close":
        Participation.objects.filter(engagement=engagement).update(status=P.ATTENDED)
        DebriefFactory(engagement=engagement)
    return engagement


def _now(name):
    return AFTER if name in ("complete", "close") else None


def _run(engagement, name, by, reason="A reason", now=None):
    return workflow.engagement_transition(
        engagement=engagement, name=name, by=by, reason=reason, now=now
    )


@pytest.fixture
def texts_for_confirm(texts):
    return texts


@pytest.mark.parametrize("name", list(PATHS))
def test_every_transition_is_allowed_when_its_conditions_are_met(name, owner, manager_user, texts):
    from consultants import services as consultant_services

    engagement = _ready(name, owner)
    for participation in engagement.participations.all():
        for scope in ("participation", "data_processing"):
            consultant_services.consent_grant(
                consultant=participation.consultant, scope=scope, by=manager_user
            )
    by = manager_user if name in ("approve", "decline") else owner
    result = _run(engagement, name, by, now=_now(name))
    assert result.status == PATHS[name][1]
    engagement.refresh_from_db()
    assert engagement.status == PATHS[name][1]
    record = EngagementTransition.objects.get(engagement=engagement, name=name)
    assert (record.from_status, record.to_status, record.by) == (
        PATHS[name][0],
        PATHS[name][1],
        by,
    )
    assert record.at is not None


@pytest.mark.parametrize("name", list(PATHS))
def test_every_transition_is_refused_from_a_status_it_does_not_start_from(name, owner, admin_user):
    sources = workflow.TRANSITIONS[name].sources
    wrong = next(status for status in S.values if status not in sources)
    engagement = _ready(name, owner, status=wrong)
    with pytest.raises(TransitionRefused) as error:
        _run(engagement, name, admin_user, now=_now(name))
    assert "not possible while the engagement is" in error.value.reasons[0]
    engagement.refresh_from_db()
    assert engagement.status == wrong
    assert not EngagementTransition.objects.filter(engagement=engagement).exists()


# Who may make each transition on someone else's engagement.
MAY = {
    "owner": set(PATHS) - {"approve", "decline"},
    "assigned": set(PATHS) - {"approve", "decline", "submit", "cancel"},
    Role.PROGRAMME_MANAGER: set(PATHS),
    Role.ADMINISTRATOR: set(PATHS),
    Role.PROGRAMME_STAFF: set(),  # staff who neither own nor are assigned
    Role.FINANCE_OFFICER: set(),
    Role.WELLBEING_LEAD: set(),
    Role.CONSULTANT: set(),
    None: set(),
}


@pytest.mark.parametrize("who", list(MAY), ids=str)
@pytest.mark.parametrize("name", list(PATHS))
def test_permission_matrix(name, who, owner, make_user, manager_user, texts):
    engagement = _ready(name, owner)
    if who == "owner":
        user = owner
    elif who == "assigned":
        user = make_user(Role.PROGRAMME_STAFF)
        engagement.assigned_staff.add(user)
    else:
        user = make_user(who)
    allowed = name in MAY[who]
    reasons = workflow.refusal_reasons(
        engagement=engagement, name=name, by=user, reason="r", now=_now(name)
    )
    if allowed:
        assert "You may not do this." not in reasons
    else:
        with pytest.raises(TransitionForbidden) as error:
            _run(engagement, name, user, now=_now(name))
        assert isinstance(error.value, PermissionDenied)
        engagement.refresh_from_db()
        assert engagement.status == PATHS[name][0]


def test_anonymous_may_not_transition(owner):
    from django.contrib.auth.models import AnonymousUser

    engagement = _ready("submit", owner)
    with pytest.raises(TransitionForbidden):
        _run(engagement, "submit", AnonymousUser())


# --- Conditions ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["decline", "cancel"])
def test_decline_and_cancel_need_a_reason(name, owner, manager_user):
    engagement = _ready(name, owner)
    with pytest.raises(TransitionRefused) as error:
        _run(engagement, name, manager_user, reason="  ")
    assert error.value.reasons == ["Give a reason."]
    _run(engagement, name, manager_user, reason="The partner postponed.")
    assert engagement.transitions.get(name=name).reason == "The partner postponed."


def test_submit_needs_a_complete_request_in_the_future(owner):
    engagement = EngagementFactory(
        owner=owner, purpose="", expected_contribution="", mode="in_person", venue=""
    )
    with pytest.raises(TransitionRefused) as error:
        _run(engagement, "submit", owner, now=AFTER)
    assert len(error.value.reasons) == 4
    text = " ".join(error.value.reasons)
    for words in ("start has passed", "purpose", "asked of the consultants", "venue"):
        assert words in text


def test_approve_refused_once_the_start_has_passed(owner, manager_user):
    engagement = _ready("approve", owner)
    with pytest.raises(TransitionRefused):
        _run(engagement, "approve", manager_user, now=AFTER)


@pytest.mark.parametrize("audience", [Audience.GOVERNMENT, Audience.PUBLIC, Audience.MEDIA])
def test_confirm_needs_a_privacy_plan_for_exposed_audiences(audience, owner, texts, manager_user):
    from consultants import services as consultant_services

    engagement = EngagementFactory(owner=owner, status=S.STAFFING, audience=audience)
    participation = ParticipationFactory(engagement=engagement, status=P.CONFIRMED)
    for scope in ("participation", "data_processing", "quoting", "media", "public_events"):
        consultant_services.consent_grant(
            consultant=participation.consultant, scope=scope, by=manager_user
        )
    with pytest.raises(TransitionRefused) as error:
        _run(engagement, "confirm", owner)
    assert error.value.reasons == [
        f"An engagement with a “{engagement.get_audience_display()}” audience needs a "
        "privacy plan first."
    ]
    engagement.refresh_from_db()
    assert engagement.status == S.STAFFING
    PrivacyPlanFactory(engagement=engagement)
    assert _run(engagement, "confirm", owner).status == S.CONFIRMED


def test_confirm_needs_enough_confirmed_consultants(owner, texts):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING, consultants_wanted=2)
    ParticipationFactory(engagement=engagement, status=P.CONFIRMED)
    ParticipationFactory(engagement=engagement, status=P.ACCEPTED)
    with pytest.raises(TransitionRefused) as error:
        _run(engagement, "confirm", owner)
    assert "2 confirmed consultants are wanted; 1 so far." in error.value.reasons


def test_confirm_rechecks_consent_of_confirmed_consultants(owner, texts):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING)
    participation = ParticipationFactory(engagement=engagement, status=P.CONFIRMED)
    with pytest.raises(TransitionRefused) as error:
        _run(engagement, "confirm", owner)
    assert error.value.reasons == [
        f"{participation.consultant.pseudonym} has not given consent for: "
        "Programme participation, Processing of my personal data."
    ]


def test_complete_refused_before_the_start(owner):
    engagement = _ready("complete", owner)
    with pytest.raises(TransitionRefused) as error:
        _run(engagement, "complete", owner, now=at(MONDAY, 9))
    assert error.value.reasons == ["The engagement has not started yet."]


def test_close_needs_attendance_and_a_debrief(owner):
    engagement = EngagementFactory(owner=owner, status=S.COMPLETED)
    participation = ParticipationFactory(engagement=engagement, status=P.CONFIRMED)
    with pytest.raises(TransitionRefused) as error:
        _run(engagement, "close", owner, now=AFTER)
    assert error.value.reasons == [
        f"Mark the attendance of: {participation.consultant.pseudonym}.",
        "Write the debrief first.",
    ]


def test_cancel_is_possible_from_every_open_state_only(owner, manager_user):
    for status in S.values:
        engagement = EngagementFactory(owner=owner, status=status)
        reasons = workflow.refusal_reasons(
            engagement=engagement, name="cancel", by=manager_user, reason="r"
        )
        assert (not reasons) == (status in Engagement.OPEN_STATUSES), status


def test_cancel_frees_the_consultants_and_keeps_their_record(owner):
    engagement = EngagementFactory(owner=owner, status=S.CONFIRMED)
    confirmed = ParticipationFactory(engagement=engagement, status=P.CONFIRMED)
    invited = ParticipationFactory(engagement=engagement, status=P.INVITED)
    declined = ParticipationFactory(engagement=engagement, status=P.DECLINED)
    _run(engagement, "cancel", owner, reason="Postponed")
    for participation, expected in ((confirmed, P.CANCELLED), (invited, P.CANCELLED)):
        participation.refresh_from_db()
        assert participation.status == expected
        assert participation.changes.get().from_status in (P.CONFIRMED, P.INVITED)
    declined.refresh_from_db()
    assert declined.status == P.DECLINED
    # The consultant's time is free again.
    other = EngagementFactory()
    ParticipationFactory(engagement=other, consultant=confirmed.consultant, status=P.CONFIRMED)


def test_unknown_transition(owner):
    with pytest.raises(TransitionRefused):
        _run(_ready("submit", owner), "teleport", owner)


# --- The registry of guards and the signal -----------------------------------------------


def test_a_registered_guard_adds_its_reasons_and_can_be_removed(owner, texts, manager_user):
    from consultants import services as consultant_services

    def checklist_gate(*, engagement, by, now):
        yield f"Checklist item missing for {engagement.title}"

    engagement = _ready("confirm", owner)
    consultant = engagement.participations.get().consultant
    for scope in ("participation", "data_processing"):
        consultant_services.consent_grant(consultant=consultant, scope=scope, by=manager_user)
    workflow.register_guard("confirm", checklist_gate)
    workflow.register_guard("confirm", checklist_gate)  # twice: still one
    try:
        assert workflow.registered_guards("confirm").count(checklist_gate) == 1
        with pytest.raises(TransitionRefused) as error:
            _run(engagement, "confirm", owner)
        assert error.value.reasons == [f"Checklist item missing for {engagement.title}"]
        options = {o.name: o for o in workflow.transitions_for(engagement=engagement, user=owner)}
        assert not options["confirm"].available
        assert options["confirm"].blocked_by == error.value.reasons
    finally:
        workflow.unregister_guard("confirm", checklist_gate)
    assert _run(engagement, "confirm", owner).status == S.CONFIRMED


def test_register_guard_for_an_unknown_transition():
    with pytest.raises(KeyError):
        workflow.register_guard("teleport", lambda **kwargs: [])


def test_the_signal_is_sent_inside_the_transaction(owner):
    received = []

    def receiver(sender, engagement, transition, from_status, to_status, by, record, **kwargs):
        received.append((transition, from_status, to_status, record.pk))

    engagement_transitioned.connect(receiver)
    try:
        _run(_ready("submit", owner), "submit", owner)
    finally:
        engagement_transitioned.disconnect(receiver)
    assert received[0][:3] == ("submit", S.DRAFT, S.SUBMITTED)


def test_a_failing_receiver_undoes_the_transition(owner):
    def receiver(**kwargs):
        raise RuntimeError("checklist could not be created")

    engagement = _ready("submit", owner)
    engagement_transitioned.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            _run(engagement, "submit", owner)
    finally:
        engagement_transitioned.disconnect(receiver)
    engagement.refresh_from_db()
    assert engagement.status == S.DRAFT
    assert not engagement.transitions.exists()


def test_transitions_for_offers_what_the_user_may_do(owner, manager_user):
    engagement = _ready("approve", owner)
    assert [o.name for o in workflow.transitions_for(engagement=engagement, user=owner)] == [
        "cancel"
    ]
    manager_options = workflow.transitions_for(engagement=engagement, user=manager_user)
    assert [o.name for o in manager_options] == ["approve", "decline", "cancel"]
    assert manager_options[0].available
    assert manager_options[1].needs_reason
    late = workflow.transitions_for(
        engagement=engagement, user=manager_user, now=timezone.now() + datetime.timedelta(days=9000)
    )
    assert not late[0].available


def test_other_apps_guards_are_set_aside_only_inside_the_block():
    def refuse(**kwargs):
        return ["Not yet."]

    workflow.register_guard("confirm", refuse, key="test.refuse")
    try:
        with workflow.other_apps_guards_set_aside():
            assert workflow.registered_guards("confirm") == []
        assert refuse in workflow.registered_guards("confirm")
    finally:
        workflow.unregister_guard("confirm", key="test.refuse")
