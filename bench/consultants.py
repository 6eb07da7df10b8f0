"""Consultants: the staff directory at the scale of a large programme.

A real programme has dozens of consultants; 2,000 is far beyond it, so a
figure that holds here holds in practice.
"""

from __future__ import annotations

import datetime
import random

CONSULTANTS = 2_000


def seed() -> None:
    from django.utils import timezone

    from consultants.models import Consultant, ExpertiseTopic, Language, Region, WeeklyAvailability

    existing = Consultant.objects.filter(pseudonym__startswith="Bench").count()
    if existing >= CONSULTANTS:
        return
    rng = random.Random(7)
    topics = list(ExpertiseTopic.objects.all())
    statuses = [choice for choice, _label in Consultant.Status.choices]
    regions = [choice for choice, _label in Region.choices]
    languages = [choice for choice, _label in Language.choices]
    today = timezone.localdate()

    def make(n: int) -> Consultant:
        status = rng.choice(statuses)
        on_break = status == Consultant.Status.ON_BREAK
        return Consultant(
            pseudonym=f"Bench{n:05d}",
            legal_name=f"Invented Person {n}",
            email=f"bench{n}@example.net",
            phone=f"+63917{n:07d}",
            preferred_languages=[rng.choice(languages)],
            spoken_languages=rng.sample(languages, k=2),
            region=rng.choice(regions),
            occupation_status=Consultant.Occupation.EMPLOYED,
            status=status,
            break_until=today + datetime.timedelta(days=30) if on_break else None,
            joined_on=today - datetime.timedelta(days=rng.randint(30, 900)),
        )

    consultants = Consultant.objects.bulk_create(make(n) for n in range(existing, CONSULTANTS))
    Through = Consultant.expertise.through
    Through.objects.bulk_create(
        Through(consultant_id=consultant.pk, expertisetopic_id=topic.pk)
        for consultant in consultants
        for topic in rng.sample(topics, k=min(3, len(topics)))
    )
    WeeklyAvailability.objects.bulk_create(
        WeeklyAvailability(
            consultant=consultant,
            weekday=weekday,
            start_time=datetime.time(9),
            end_time=datetime.time(17),
        )
        for consultant in consultants
        for weekday in range(5)
    )


def run() -> None:
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from accounts.roles import Role
    from bench.harness import measure, print_figures, staff_client
    from consultants.models import Consultant
    from consultants.selectors import consultant_directory

    seed()
    client, manager = staff_client(Role.PROGRAMME_MANAGER)
    today = timezone.localdate()

    def first_page(**filters):
        return lambda: list(consultant_directory(user=manager, **filters)[:25])

    figures = [
        measure("directory selector, first page, no filter", first_page()),
        measure("directory selector, search 'bench01'", first_page(search="bench01")),
        measure("directory selector, available on a date", first_page(available_on=today)),
    ]
    try:
        directory_url = reverse("consultants:directory")
    except NoReverseMatch:
        directory_url = None
    if directory_url:
        figures += [
            measure("directory page (manager, rendered)", lambda: client.get(directory_url)),
            measure(
                "directory page, page 40 (manager, rendered)",
                lambda: client.get(directory_url, {"page": 40}),
            ),
        ]
        sample = Consultant.objects.filter(pseudonym__startswith="Bench").first()
        try:
            detail_url = reverse("consultants:detail", args=[sample.pk])
        except NoReverseMatch:
            detail_url = None
        if detail_url:
            figures.append(
                measure("detail page (manager, rendered)", lambda: client.get(detail_url))
            )
    volume = f"{Consultant.objects.count():,} consultants"
    print_figures("Consultants", volume, figures)
