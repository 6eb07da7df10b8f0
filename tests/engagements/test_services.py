"""The services: invitations, answers, the right to stop, confirmation,
attendance, story choice, debrief and feedback; each refusal changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from accounts.roles import Role
from consultants import access as consultants_access
from consultants.models import ConsentScope, Consultant
from engagements import matching, services
from engagements.models import Engagement, Participation, PrivacyPlan
from engagements.signals import engagement_dates_changed
from tests.engagements.factories import (
    MONDAY,
    EngagementFactory,
    ParticipationFactory,
    at,
)

pytestmark = pytest.mark.django_db
S = Engagement.Status
P = Participation.Status
AFTER = at(MONDAY, 13)
DURING = at(MONDAY, 11)


def _data(**overrides):
    data = {
        "title": "Module review",
        "purpose": "Review the module.",
        "expected_contribution": "Advice.",
        "type": "content",
        "start": at(MONDAY, 10),
        "end": at(MONDAY, 12),
        "mode": "online",
        "audience": "internal",
        "consultants_wanted": 2,
        "languages": ["fil"],
        "preparation_hours": Decimal("1.50"),
    }
    data.update(overrides)
    return data


# --- Engagements -------------------------------------------------------------------------


def test_create_a_draft_with_its_first_history_line(owner):
    engagement = services.engagement_create(by=owner, data=_data())
    assert engagement.status == S.DRAFT
    assert engagement.owner == owner
    assert list(engagement.transitions.values_list("name", "to_status")) == [("create", "draft")]


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.FINANCE_OFFICER, Role.WELLBEING_LEAD, None])
def test_only_staff_and_managers_create(role, make_user):
    with pytest.raises(PermissionDenied):
        services.engagement_create(by=make_user(role), data=_data())
    assert not Engagement.objects.exists()


def test_end_before_start_is_refused_clearly(owner):
    with pytest.raises(ValidationError) as error:
        services.engagement_create(by=owner, data=_data(end=at(MONDAY, 9)))
    assert error.value.message_dict["end"] == ["The engagement must end after it starts."]
    assert not Engagement.objects.exists()


def test_owner_must_be_programme_staff(owner, finance_user):
    with pytest.raises(ValidationError):
        services.engagement_create(by=owner, data=_data(owner=finance_user))


def test_changing_dates_moves_every_participation(owner, staffing):
    participation = ParticipationFactory(engagement=staffing, status=P.ACCEPTED)
    received = []

    def receiver(**kwargs):
        received.append(kwargs["old_start"])

    engagement_dates_changed.connect(receiver)
    try:
        services.engagement_update(
            engagement=staffing, by=owner, data={"start": at(MONDAY, 14), "end": at(MONDAY, 16)}
        )
    finally:
        engagement_dates_changed.disconnect(receiver)
    participation.refresh_from_db()
    assert (participation.period.lower, participation.period.upper) == (
        at(MONDAY, 14),
        at(MONDAY, 16),
    )
    assert received == [at(MONDAY, 10)]


def test_changing_dates_into_a_double_booking_is_refused_and_changes_nothing(owner, staffing):
    consultant = ParticipationFactory(engagement=staffing, status=P.CONFIRMED).consultant
    consultant.pseudonym = "Dalisay"
    consultant.save()
    other = EngagementFactory(start=at(MONDAY, 14), end=at(MONDAY, 16))
    ParticipationFactory(engagement=other, consultant=consultant, status=P.CONFIRMED)
    with pytest.raises(services.DoubleBooking) as error:
        services.engagement_update(
            engagement=staffing, by=owner, data={"start": at(MONDAY, 15), "end": at(MONDAY, 17)}
        )
    assert "Dalisay" in error.value.messages[0]
    staffing.refresh_from_db()
    assert staffing.start == at(MONDAY, 10)


def test_closed_engagements_cannot_change(owner):
    engagement = EngagementFactory(owner=owner, status=S.CLOSED)
    with pytest.raises(ValidationError):
        services.engagement_update(engagement=engagement, by=owner, data={"title": "New"})


def test_outsiders_cannot_change(staffing, make_user):
    with pytest.raises(PermissionDenied):
        services.engagement_update(
            engagement=staffing, by=make_user(Role.PROGRAMME_STAFF), data={"title": "New"}
        )


def test_assigned_staff_see_consultants_already_on_the_engagement(owner, staffing, make_user):
    participation = ParticipationFactory(engagement=staffing, status=P.CONFIRMED)
    colleague = make_user(Role.PROGRAMME_STAFF)
    services.engagement_assign_staff(engagement=staffing, staff_member=colleague, by=owner)
    assert consultants_access.can_view(colleague, participation.consultant)
    assert consultants_access.can_reveal_identity(colleague, participation.consultant)
    with pytest.raises(ValidationError):
        services.engagement_assign_staff(
            engagement=staffing, staff_member=make_user(Role.FINANCE_OFFICER), by=owner
        )


# --- Privacy plan -----------------------------------------------------------------------------


def test_privacy_plan_saved_then_approved_and_a_change_needs_approval_again(
    owner, staffing, manager_user
):
    plan = services.privacy_plan_save(
        engagement=staffing, by=owner, data={"photo": "protected", "support_person_present": "X"}
    )
    with pytest.raises(PermissionDenied):
        services.privacy_plan_approve(plan=plan, by=owner)
    plan = services.privacy_plan_approve(plan=plan, by=manager_user)
    assert plan.is_approved
    plan = services.privacy_plan_save(engagement=staffing, by=owner, data={"audio": "allowed"})
    assert not plan.is_approved
    assert PrivacyPlan.objects.get().recording_scopes() == {"photo", "audio"}


# --- Invitations ------------------------------------------------------------------------------


def test_invite_a_free_consultant_grants_the_owner_a_view(owner, staffing, make_consultant):
    consultant = make_consultant(story_sharing_default=Consultant.StorySharing.GENERAL)
    assert not consultants_access.can_view(owner, consultant)
    participation = services.participation_invite(
        engagement=staffing, consultant=consultant, role="speaker", by=owner
    )
    assert participation.status == P.INVITED
    assert participation.story_sharing == Consultant.StorySharing.GENERAL
    assert participation.period.lower == staffing.start
    assert consultants_access.can_view(owner, consultant)
    assert not consultants_access.can_reveal_identity(owner, consultant)
    assert list(participation.changes.values_list("to_status", flat=True)) == [P.INVITED]


def test_inviting_an_excluded_consultant_is_refused_with_the_reasons(
    owner, staffing, make_consultant
):
    consultant = make_consultant(status=Consultant.Status.ALUMNI)
    with pytest.raises(services.ConsultantExcluded) as error:
        services.participation_invite(
            engagement=staffing, consultant=consultant, role="speaker", by=owner
        )
    assert [e.code for e in error.value.exclusions] == [matching.NOT_ACTIVE]
    assert error.value.messages == ["Alumni: no longer takes engagements."]
    assert not Participation.objects.exists()


def test_inviting_twice_is_refused(owner, staffing, make_consultant):
    consultant = make_consultant()
    services.participation_invite(
        engagement=staffing, consultant=consultant, role="speaker", by=owner
    )
    with pytest.raises(services.ConsultantExcluded) as error:
        services.participation_invite(
            engagement=staffing, consultant=consultant, role="speaker", by=owner
        )
    assert [e.code for e in error.value.exclusions] == [matching.ALREADY_INVITED]


@pytest.mark.parametrize("status", [S.DRAFT, S.APPROVED, S.CONFIRMED, S.CANCELLED])
def test_invitations_only_while_staffing(owner, make_consultant, status):
    engagement = EngagementFactory(owner=owner, status=status)
    with pytest.raises(ValidationError):
        services.participation_invite(
            engagement=engagement, consultant=make_consultant(), role="speaker", by=owner
        )


def test_outsiders_cannot_invite(staffing, make_consultant, make_user):
    for role in (Role.PROGRAMME_STAFF, Role.FINANCE_OFFICER, Role.CONSULTANT):
        with pytest.raises(PermissionDenied):
            services.participation_invite(
                engagement=staffing,
                consultant=make_consultant(),
                role="speaker",
                by=make_user(role),
            )


# --- Answers -------------------------------------------------------------------------------


@pytest.fixture
def invitation(owner, staffing, own_consultant):
    return services.participation_invite(
        engagement=staffing, consultant=own_consultant, role="speaker", by=owner
    )


def test_accept(invitation, consultant_user):
    participation = services.participation_accept(participation=invitation, by=consultant_user)
    assert participation.status == P.ACCEPTED
    assert participation.responded_at is not None


def test_accepting_someone_elses_invitation_is_refused(invitation, make_user, owner):
    for user in (make_user(Role.CONSULTANT), owner):
        with pytest.raises(PermissionDenied):
            services.participation_accept(participation=invitation, by=user)
    invitation.refresh_from_db()
    assert invitation.status == P.INVITED


def test_staff_may_record_an_answer_given_by_phone(invitation, owner, make_user):
    participation = services.participation_accept(
        participation=invitation, by=owner, on_behalf=True
    )
    assert participation.status == P.ACCEPTED
    assert participation.changes.last().by == owner
    with pytest.raises(PermissionDenied):
        services.participation_decline(
            participation=invitation, by=make_user(Role.PROGRAMME_STAFF), on_behalf=True
        )


def test_accepting_a_withdrawn_invitation_is_refused(invitation, owner, consultant_user):
    services.participation_revoke(participation=invitation, by=owner)
    with pytest.raises(services.ParticipationStateError) as error:
        services.participation_accept(participation=invitation, by=consultant_user)
    assert "Invitation withdrawn" in error.value.messages[0]
    invitation.refresh_from_db()
    assert invitation.status == P.REVOKED


def test_accepting_an_overlapping_engagement_is_refused_clearly(
    invitation, consultant_user, own_consultant
):
    other = EngagementFactory(start=at(MONDAY, 11), end=at(MONDAY, 13))
    ParticipationFactory(engagement=other, consultant=own_consultant, status=P.CONFIRMED)
    with pytest.raises(services.DoubleBooking) as error:
        services.participation_accept(participation=invitation, by=consultant_user)
    assert error.value.messages == [
        "This consultant already takes part in another engagement at that time."
    ]
    invitation.refresh_from_db()
    assert invitation.status == P.INVITED
    assert invitation.changes.count() == 1


def test_accepting_after_the_start_is_refused(invitation, consultant_user):
    with pytest.raises(services.ParticipationStateError):
        services.participation_accept(participation=invitation, by=consultant_user, now=DURING)


def test_decline_with_or_without_a_reason(
    invitation, consultant_user, owner, staffing, make_consultant
):
    participation = services.participation_decline(participation=invitation, by=consultant_user)
    assert participation.status == P.DECLINED
    assert participation.decline_reason == ""
    with pytest.raises(services.ParticipationStateError):
        services.participation_decline(participation=invitation, by=consultant_user)
    # Saying no is hers: staff may not ask her again for this engagement.
    with pytest.raises(services.ParticipationStateError) as refused:
        services.participation_invite(
            engagement=staffing, consultant=invitation.consultant, role="speaker", by=owner
        )
    assert refused.value.code == "turned_away"
    # Invited to another one, and this time a reason is given (stored encrypted).
    other = EngagementFactory(owner=owner, status=Engagement.Status.STAFFING)
    again = services.participation_invite(
        engagement=other, consultant=invitation.consultant, role="speaker", by=owner
    )
    services.participation_decline(participation=again, by=consultant_user, reason="Exams")
    again.refresh_from_db()
    assert again.decline_reason == "Exams"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT decline_reason FROM engagements_participation WHERE id = %s", [again.pk]
        )
        raw = cursor.fetchone()[0]
    assert raw and "Exams" not in raw


# --- The right to stop --------------------------------------------------------------------------


@pytest.fixture
def confirmed(invitation, consultant_user, owner, texts):
    services.participation_accept(participation=invitation, by=consultant_user)
    return services.participation_confirm(participation=invitation, by=owner)


@pytest.mark.parametrize("when", [None, DURING], ids=["before", "during"])
def test_withdraw_any_time_without_a_reason(confirmed, consultant_user, owner, when):
    mail.outbox.clear()
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        participation = services.participation_withdraw(
            participation=confirmed, by=consultant_user, hours_given=Decimal("2.5"), now=when
        )
    assert participation.status == P.WITHDRAWN
    assert participation.withdrawn_at is not None
    participation.refresh_from_db()
    assert participation.hours_given == Decimal("2.50")
    assert participation.confirmed_at is not None  # the record of what was agreed stays
    assert [c.to_status for c in participation.changes.all()] == [
        P.INVITED,
        P.ACCEPTED,
        P.CONFIRMED,
        P.WITHDRAWN,
    ]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email]
    body = message.subject + message.body + message.alternatives[0][0]
    engagement = confirmed.engagement
    assert "Tala" in body
    for secret in (engagement.title, engagement.purpose, "roundtable", "Roundtable"):
        assert secret not in body
    assert f"/staff/engagements/{engagement.pk}/" in message.body


def test_withdraw_after_the_end_is_refused(confirmed, consultant_user):
    with pytest.raises(services.ParticipationStateError):
        services.participation_withdraw(participation=confirmed, by=consultant_user, now=AFTER)


def test_withdraw_from_an_unanswered_invitation_declines_it(invitation, consultant_user):
    participation = services.participation_withdraw(participation=invitation, by=consultant_user)
    assert participation.status == P.DECLINED


def test_only_the_consultant_steps_back(confirmed, make_user):
    with pytest.raises(PermissionDenied):
        services.participation_withdraw(participation=confirmed, by=make_user(Role.CONSULTANT))


def test_withdrawal_frees_the_time(confirmed, own_consultant):
    other = EngagementFactory(start=at(MONDAY, 11), end=at(MONDAY, 13))
    with pytest.raises(IntegrityError), transaction.atomic():  # booked: the time is taken
        ParticipationFactory(engagement=other, consultant=own_consultant, status=P.CONFIRMED)

    services.participation_withdraw(participation=confirmed, by=own_consultant.user)
    booked = ParticipationFactory(engagement=other, consultant=own_consultant, status=P.CONFIRMED)

    confirmed.refresh_from_db()
    assert (confirmed.status, booked.status) == (P.WITHDRAWN, P.CONFIRMED)


# --- Confirmation and attendance ----------------------------------------------------------------


def test_confirm_twice_is_refused_and_grants_reveal(confirmed, owner, own_consultant):
    assert confirmed.status == P.CONFIRMED
    assert consultants_access.can_reveal_identity(owner, own_consultant)
    with pytest.raises(services.ParticipationStateError) as error:
        services.participation_confirm(participation=confirmed, by=owner)
    assert error.value.messages == ["This consultant is already confirmed."]
    assert confirmed.changes.filter(to_status=P.CONFIRMED).count() == 1


def test_confirm_refused_when_consent_was_withdrawn(
    invitation, consultant_user, owner, manager_user
):
    from consultants import services as consultant_services

    services.participation_accept(participation=invitation, by=consultant_user)
    consultant_services.consent_withdraw(
        consultant=invitation.consultant, scope=ConsentScope.PARTICIPATION, by=manager_user
    )
    with pytest.raises(services.ParticipationStateError) as error:
        services.participation_confirm(participation=invitation, by=owner)
    assert "Programme participation" in error.value.messages[0]


def test_confirm_needs_acceptance(invitation, owner):
    with pytest.raises(services.ParticipationStateError):
        services.participation_confirm(participation=invitation, by=owner)


def test_revoke_refused_once_confirmed(confirmed, owner):
    with pytest.raises(services.ParticipationStateError):
        services.participation_revoke(participation=confirmed, by=owner)


def test_mark_attendance_after_the_start_and_correct_it(confirmed, owner):
    with pytest.raises(services.ParticipationStateError):
        services.participation_mark_attendance(participation=confirmed, by=owner, attended=True)
    Engagement.objects.filter(pk=confirmed.engagement_id).update(status=S.CONFIRMED)
    participation = services.participation_mark_attendance(
        participation=confirmed, by=owner, attended=False, now=AFTER
    )
    assert participation.status == P.NO_SHOW
    participation = services.participation_mark_attendance(
        participation=confirmed, by=owner, attended=True, now=AFTER
    )
    assert participation.status == P.ATTENDED
    assert participation.attendance_marked_by == owner


# --- Story choice, debrief, feedback ---------------------------------------------------------


def test_story_choice_is_the_consultants(invitation, consultant_user, owner):
    participation = services.participation_set_story_sharing(
        participation=invitation, by=consultant_user, choice="chosen", note="Only my school years"
    )
    assert participation.story_sharing == "chosen"
    participation = services.participation_set_story_sharing(
        participation=invitation, by=consultant_user, choice="general", note="ignored"
    )
    assert participation.story_sharing_note == ""
    with pytest.raises(PermissionDenied):
        services.participation_set_story_sharing(
            participation=invitation, by=owner, choice="chosen"
        )
    with pytest.raises(ValidationError):
        services.participation_set_story_sharing(
            participation=invitation, by=consultant_user, choice="everything"
        )


def test_debrief_only_once_completed(owner, staffing, make_user):
    with pytest.raises(ValidationError):
        services.debrief_add(engagement=staffing, by=owner, note="x")
    Engagement.objects.filter(pk=staffing.pk).update(status=S.COMPLETED)
    debrief = services.debrief_add(engagement=staffing, by=owner, note="It went well")
    assert debrief.note == "It went well"
    with pytest.raises(PermissionDenied):
        services.debrief_add(engagement=staffing, by=make_user(Role.PROGRAMME_STAFF), note="x")
    with pytest.raises(ValidationError):
        services.debrief_add(engagement=staffing, by=owner, note="  ")


SCORES = {
    "felt_safe": 5,
    "felt_respected": 4,
    "was_prepared": 3,
    "paid_fairly": 5,
    "would_again": 5,
}


def test_feedback_once_after_attending(confirmed, consultant_user, owner):
    with pytest.raises(services.ParticipationStateError):
        services.feedback_submit(participation=confirmed, by=consultant_user, data=SCORES)
    Engagement.objects.filter(pk=confirmed.engagement_id).update(status=S.COMPLETED)
    services.participation_mark_attendance(
        participation=confirmed, by=owner, attended=True, now=AFTER
    )
    feedback = services.feedback_submit(
        participation=confirmed, by=consultant_user, data={**SCORES, "anonymous": True}
    )
    assert feedback.anonymous
    with pytest.raises(services.ParticipationStateError):
        services.feedback_submit(participation=confirmed, by=consultant_user, data=SCORES)
    with pytest.raises(PermissionDenied):
        services.feedback_submit(participation=confirmed, by=owner, data=SCORES)


def test_feedback_scores_are_validated(confirmed, consultant_user, owner):
    Engagement.objects.filter(pk=confirmed.engagement_id).update(status=S.COMPLETED)
    services.participation_mark_attendance(
        participation=confirmed, by=owner, attended=True, now=AFTER
    )
    with pytest.raises(ValidationError):
        services.feedback_submit(
            participation=confirmed, by=consultant_user, data={**SCORES, "felt_safe": 9}
        )


def test_a_later_week_is_free_again(own_consultant, owner, consultant_user, texts):
    # Sanity: two engagements a week apart, both accepted.
    first = EngagementFactory(owner=owner, status=S.STAFFING)
    second = EngagementFactory(
        owner=owner,
        status=S.STAFFING,
        start=at(MONDAY + datetime.timedelta(days=7), 10),
    )
    for engagement in (first, second):
        participation = services.participation_invite(
            engagement=engagement, consultant=own_consultant, role="adviser", by=owner
        )
        services.participation_accept(participation=participation, by=consultant_user)
    assert Participation.objects.filter(status=P.ACCEPTED).count() == 2


def test_the_audit_trail_never_holds_a_reason(confirmed, consultant_user):
    from auditlog.models import LogEntry

    services.participation_withdraw(
        participation=confirmed, by=consultant_user, reason="My mother is ill"
    )
    entries = LogEntry.objects.filter(object_pk=str(confirmed.pk))
    assert entries.exists()
    for entry in entries:
        assert "My mother is ill" not in str(entry.changes)
