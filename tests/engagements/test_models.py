"""Invariants the models and PostgreSQL keep, whatever the code path."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

from engagements.models import Engagement, EngagementTransition, Feedback, Participation
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import (
    MONDAY,
    EngagementFactory,
    FeedbackFactory,
    ParticipationFactory,
    at,
)

pytestmark = pytest.mark.django_db
P = Participation.Status


def test_end_before_start_is_refused_by_clean_and_by_postgresql():
    engagement = EngagementFactory.build(
        owner=EngagementFactory().owner, start=at(MONDAY, 12), end=at(MONDAY, 10)
    )
    with pytest.raises(ValidationError) as error:
        engagement.full_clean()
    assert "end" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        engagement.save()
    same = EngagementFactory.build(owner=engagement.owner, start=at(MONDAY, 10), end=at(MONDAY, 10))
    with pytest.raises(IntegrityError), transaction.atomic():
        same.save()


def test_dates_are_time_zone_aware_and_kept_in_utc():
    engagement = EngagementFactory()
    engagement.refresh_from_db()
    assert engagement.start.utcoffset() == datetime.timedelta(0)
    assert engagement.start == at(MONDAY, 10)


@pytest.mark.parametrize("booked", [P.ACCEPTED, P.CONFIRMED, P.ATTENDED])
def test_postgresql_refuses_two_booked_overlapping_participations(booked):
    consultant = ConsultantFactory()
    first = EngagementFactory(start=at(MONDAY, 10), end=at(MONDAY, 12))
    second = EngagementFactory(start=at(MONDAY, 11), end=at(MONDAY, 13))
    ParticipationFactory(engagement=first, consultant=consultant, status=P.CONFIRMED)
    with pytest.raises(IntegrityError), transaction.atomic():
        ParticipationFactory(engagement=second, consultant=consultant, status=booked)


@pytest.mark.parametrize("status", [P.INVITED, P.DECLINED, P.WITHDRAWN, P.REVOKED, P.NO_SHOW])
def test_unbooked_participations_may_overlap(status):
    consultant = ConsultantFactory()
    first = EngagementFactory(start=at(MONDAY, 10), end=at(MONDAY, 12))
    second = EngagementFactory(start=at(MONDAY, 11), end=at(MONDAY, 13))
    ParticipationFactory(engagement=first, consultant=consultant, status=P.CONFIRMED)
    unbooked = ParticipationFactory(engagement=second, consultant=consultant, status=status)

    unbooked.full_clean()  # and the model's own check agrees with PostgreSQL
    statuses = Participation.objects.filter(consultant=consultant).values_list("status", flat=True)
    assert sorted(statuses) == sorted([P.CONFIRMED, status])


def test_back_to_back_engagements_do_not_overlap():
    consultant = ConsultantFactory()
    first = EngagementFactory(start=at(MONDAY, 10), end=at(MONDAY, 12))
    second = EngagementFactory(start=at(MONDAY, 12), end=at(MONDAY, 14))
    ParticipationFactory(engagement=first, consultant=consultant, status=P.CONFIRMED)
    later = ParticipationFactory(engagement=second, consultant=consultant, status=P.CONFIRMED)

    later.full_clean()  # and the model's own check agrees with PostgreSQL
    statuses = Participation.objects.filter(consultant=consultant).values_list("status", flat=True)
    assert list(statuses) == [P.CONFIRMED, P.CONFIRMED]


def test_full_clean_names_the_double_booking():
    consultant = ConsultantFactory()
    first = EngagementFactory()
    ParticipationFactory(engagement=first, consultant=consultant, status=P.ACCEPTED)
    second = EngagementFactory()
    clash = ParticipationFactory.build(
        engagement=second,
        consultant=consultant,
        status=P.ACCEPTED,
        period=DateTimeTZRange(second.start, second.end, "[)"),
        invited_by=second.owner,
    )
    with pytest.raises(ValidationError) as error:
        clash.full_clean()
    assert error.value.error_dict["__all__"][0].code == "double_booking"


def test_one_live_participation_per_consultant_and_engagement():
    participation = ParticipationFactory(status=P.DECLINED)
    # After a decline, a new invitation is possible...
    ParticipationFactory(engagement=participation.engagement, consultant=participation.consultant)
    # ...but not two live ones.
    with pytest.raises(IntegrityError), transaction.atomic():
        ParticipationFactory(
            engagement=participation.engagement, consultant=participation.consultant
        )


@pytest.mark.parametrize("score", [0, 6])
def test_feedback_scores_stay_between_1_and_5(score):
    feedback = FeedbackFactory.build(
        participation=ParticipationFactory(status=P.ATTENDED), felt_safe=score
    )
    with pytest.raises(ValidationError):
        feedback.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        feedback.save()


def test_one_feedback_per_participation():
    feedback = FeedbackFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(
            participation=feedback.participation,
            felt_safe=1,
            felt_respected=1,
            was_prepared=1,
            paid_fairly=1,
            would_again=1,
        )


def test_history_is_append_only():
    engagement = EngagementFactory()
    record = EngagementTransition.objects.create(
        engagement=engagement, name="create", to_status="draft"
    )
    record.reason = "changed"
    with pytest.raises(ValidationError):
        record.save()


def test_str_is_neutral():
    participation = ParticipationFactory(consultant=ConsultantFactory(pseudonym="Sinag"))
    text = str(participation)
    assert "Sinag" in text
    assert participation.consultant.legal_name not in text
    assert str(Engagement.Status.DRAFT.label) == "Draft"
