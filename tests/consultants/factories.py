import datetime

import factory
from django.db import transaction
from django.utils import timezone

from consultants.models import (
    BusyPeriod,
    ConsentScope,
    ConsentText,
    ConsentTextTranslation,
    Consultant,
    ExpertiseTopic,
    Language,
    Region,
    WeeklyAvailability,
    WellbeingNote,
)
from tests.accounts.factories import UserFactory


class ExpertiseTopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpertiseTopic
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.Sequence(lambda n: f"Topic {n}")


class ConsultantFactory(factory.django.DjangoModelFactory):
    """An active consultant with every identity field filled (invented values)."""

    class Meta:
        model = Consultant
        skip_postgeneration_save = True

    pseudonym = factory.Sequence(lambda n: f"Pseudo{n}")
    legal_name = factory.Sequence(lambda n: f"Legal Name {n}")
    message_name = factory.Sequence(lambda n: f"Given{n}")
    email = factory.Sequence(lambda n: f"consultant{n}@example.net")
    phone = factory.Sequence(lambda n: f"+63917{n % 10_000_000:07d}")
    address = factory.Sequence(lambda n: f"{n} Secret Street")
    support_person_name = factory.Sequence(lambda n: f"Support Person {n}")
    support_person_relation = "Aunt"
    support_person_contact = factory.Sequence(lambda n: f"+63918{n % 10_000_000:07d}")
    preferred_languages = factory.LazyFunction(lambda: [Language.ENGLISH])
    spoken_languages = factory.LazyFunction(lambda: [Language.FILIPINO, Language.ENGLISH])
    region = Region.NCR
    occupation_status = Consultant.Occupation.EMPLOYED
    status = Consultant.Status.ACTIVE
    joined_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=90))

    @factory.post_generation
    def expertise(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.expertise.set(extracted)


class ConsentTextFactory(factory.django.DjangoModelFactory):
    """A published text with its Filipino, as texts are published
    (``published_at=None`` for a draft, which has no Filipino unless
    ``filipino="…"`` is given; ``filipino=""`` for none at all)."""

    class Meta:
        model = ConsentText
        skip_postgeneration_save = True

    scope = ConsentScope.PARTICIPATION
    version = factory.Sequence(lambda n: n + 1)
    body = factory.LazyAttribute(lambda o: f"Text of {o.scope} v{o.version}")
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def filipino(obj, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None and obj.is_published:
            extracted = f"Teksto ng {obj.scope} v{obj.version}"
        if extracted:
            ConsentTextTranslation.objects.create(text=obj, language="fil", body=extracted)


def published_text(
    scope: str, *, version: int = 1, body: str | None = None, filipino: str | None = None
) -> ConsentText:
    """Version ``version`` of a scope's text, published with its Filipino (or
    the one a migration published already). One transaction, so that it
    holds in a test that commits too (PostgreSQL checks the Filipino of a
    published text when the transaction ends, migration 0007)."""
    with transaction.atomic():
        text, _created = ConsentText.objects.get_or_create(
            scope=scope,
            version=version,
            defaults={"body": body or f"Text for {scope}", "published_at": timezone.now()},
        )
        ConsentTextTranslation.objects.get_or_create(
            text=text, language="fil", defaults={"body": filipino or f"Teksto para sa {scope}"}
        )
    return text


class WeeklyAvailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WeeklyAvailability

    consultant = factory.SubFactory(ConsultantFactory)
    weekday = 0
    start_time = datetime.time(9, 0)
    end_time = datetime.time(12, 0)


class BusyPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusyPeriod

    consultant = factory.SubFactory(ConsultantFactory)
    kind = BusyPeriod.Kind.WORK_SHIFT
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=2))


class WellbeingNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WellbeingNote

    consultant = factory.SubFactory(ConsultantFactory)
    kind = WellbeingNote.Kind.CHECK_IN
    body = factory.Sequence(lambda n: f"Private wellbeing note {n}")
    author = factory.SubFactory(UserFactory)
