import datetime

import factory
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from accounts.roles import Role
from consultants.models import Consultant
from engagements.models import (
    Audience,
    Debrief,
    Engagement,
    EngagementType,
    Feedback,
    Mode,
    Participation,
    ParticipationRole,
    PrivacyPlan,
)
from tests.accounts.factories import UserFactory
from tests.consultants.factories import ConsultantFactory

MANILA = timezone.get_default_timezone()
# A Monday far enough ahead that "now" is always before it.
MONDAY = datetime.date(2031, 6, 2)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """An aware datetime, Manila time."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=MANILA)


class EngagementFactory(factory.django.DjangoModelFactory):
    """A complete request (ready to submit), Monday 10:00-12:00 Manila, online,
    internal, one consultant wanted. ``status`` may be set directly."""

    class Meta:
        model = Engagement
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Engagement {n}")
    purpose = "Hear consultants on the new module."
    expected_contribution = "Advice from lived experience."
    type = EngagementType.ROUNDTABLE
    requested_by = "Partner team"
    owner = factory.SubFactory(UserFactory, role=Role.PROGRAMME_STAFF)
    start = factory.LazyFunction(lambda: at(MONDAY, 10))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=2))
    mode = Mode.ONLINE
    online_link = "https://meet.example.org/x"
    audience = Audience.INTERNAL
    consultants_wanted = 1
    languages = factory.LazyFunction(list)

    @factory.post_generation
    def expertise(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.expertise.set(extracted)

    @factory.post_generation
    def assigned_staff(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.assigned_staff.set(extracted)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    engagement = factory.SubFactory(EngagementFactory)
    consultant = factory.SubFactory(ConsultantFactory)
    role = ParticipationRole.PARTICIPANT
    status = Participation.Status.INVITED
    period = factory.LazyAttribute(
        lambda o: DateTimeTZRange(o.engagement.start, o.engagement.end, "[)")
    )
    story_sharing = Consultant.StorySharing.NOTHING
    invited_by = factory.LazyAttribute(lambda o: o.engagement.owner)


class PrivacyPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrivacyPlan

    engagement = factory.SubFactory(EngagementFactory)
    updated_by = factory.LazyAttribute(lambda o: o.engagement.owner)
    seating_and_entry = "Side door."
    support_person_present = "Secret Support Person"


class DebriefFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Debrief

    engagement = factory.SubFactory(EngagementFactory)
    note = "Secret debrief note"
    author = factory.LazyAttribute(lambda o: o.engagement.owner)


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    participation = factory.SubFactory(ParticipationFactory, status=Participation.Status.ATTENDED)
    felt_safe = 5
    felt_respected = 5
    was_prepared = 4
    paid_fairly = 4
    would_again = 5
    comments = "Good."
