"""Reminders: the beat sweep over 100,000 engagements.

Seeds 100,000 engagements (one every ten minutes across about two years,
half past, half to come) with one participation each, by bulk_create, then
times the sweep that records what fell due. Reports the sweep's time, how
many reminders it recorded, its batches and its queries per batch (which
tests/reminders/test_sweep_queries.py asserts do not grow with volume).
"""

from __future__ import annotations

import datetime
import time

ENGAGEMENTS = 100_000
CONSULTANTS = 500
BATCH = 500
TITLE_PREFIX = "Bench reminder "


def seed() -> datetime.datetime:
    from django.db import transaction
    from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
    from django.utils import timezone

    from accounts.models import User
    from consultants.models import Consultant
    from engagements.models import Engagement, Participation

    owner, _created = User.objects.get_or_create(
        email="bench-reminders-owner@example.org", defaults={"display_name": "Bench owner"}
    )
    # The base time is the seed's own: the start of its first engagement,
    # stored with it. Only a seed that has not begun takes it from the clock;
    # a partial or a finished one keeps it, so every run (and the rest of a
    # seed cut short) sees the same half past, half to come.
    half = datetime.timedelta(minutes=10 * ENGAGEMENTS // 2)
    base = (
        Engagement.objects.filter(title=f"{TITLE_PREFIX}0").values_list("start", flat=True).first()
    )
    if base is None:
        base = timezone.now().replace(minute=0, second=0, microsecond=0) - half
    now = base + half
    existing = Engagement.objects.filter(title__startswith=TITLE_PREFIX).count()
    if existing >= ENGAGEMENTS:
        return now
    consultants = list(Consultant.objects.filter(pseudonym__startswith="RemBench").order_by("pk"))
    if len(consultants) < CONSULTANTS:
        consultants += Consultant.objects.bulk_create(
            Consultant(
                pseudonym=f"RemBench{n:04d}",
                legal_name=f"Invented Person {n}",
                email=f"rembench{n}@example.net",
                preferred_languages=["fil"],
                status=Consultant.Status.ACTIVE,
            )
            for n in range(len(consultants), CONSULTANTS)
        )
    print(f"bench: seeding {ENGAGEMENTS - existing:,} engagements for reminders")
    S, P = Engagement.Status, Participation.Status
    chunk = 5_000
    for offset in range(existing, ENGAGEMENTS, chunk):
        engagements = []
        for n in range(offset, min(offset + chunk, ENGAGEMENTS)):
            start = base + datetime.timedelta(minutes=10 * n)
            past = start < now
            status = (
                (S.COMPLETED if n % 3 else S.CLOSED)
                if past
                else (S.CONFIRMED if n % 4 else S.STAFFING)
            )
            engagements.append(
                Engagement(
                    title=f"{TITLE_PREFIX}{n}",
                    type="roundtable",
                    owner=owner,
                    start=start,
                    end=start + datetime.timedelta(hours=1),
                    mode="online",
                    online_link="https://meet.example.org/bench",
                    audience="internal",
                    status=status,
                )
            )
        # Engagements and their participations commit together: a seed cut
        # short holds whole chunks, and the next run goes on from there.
        with transaction.atomic():
            created = Engagement.objects.bulk_create(engagements, batch_size=chunk)
            participations = []
            for index, engagement in enumerate(created):
                n = offset + index
                past = engagement.start < now
                status = P.ATTENDED if past else (P.INVITED if n % 5 == 0 else P.CONFIRMED)
                participations.append(
                    Participation(
                        engagement=engagement,
                        consultant=consultants[n % CONSULTANTS],
                        role="participant",
                        status=status,
                        period=DateTimeTZRange(engagement.start, engagement.end, "[)"),
                        story_sharing="nothing",
                        invited_by=owner,
                        invited_at=engagement.start - datetime.timedelta(days=10),
                    )
                )
            Participation.objects.bulk_create(participations, batch_size=chunk)
    return now


def run() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.harness import measure, print_figures
    from engagements.models import Engagement
    from reminders import services
    from reminders.models import ReminderDelivery

    now = seed()
    ReminderDelivery.objects.all().delete()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = services.reminders_sweep(now=now, batch_size=BATCH)
        first_ms = (time.perf_counter() - started) * 1000
    queries = len(captured)
    figures = [
        measure(
            "sweep again, nothing new (idempotent)",
            lambda: services.reminders_sweep(now=now, batch_size=BATCH),
            runs=5,
        ),
        measure(
            "sweep one hour later",
            lambda: services.reminders_sweep(
                now=now + datetime.timedelta(hours=1), batch_size=BATCH
            ),
            runs=5,
        ),
    ]
    volume = (
        f"{Engagement.objects.count():,} engagements, batches of {BATCH}; first sweep "
        f"{first_ms:.0f} ms, {result.recorded:,} reminders recorded in {result.batches} "
        f"batches, {queries} queries ({(queries - 1) / max(result.batches, 1):.1f} per batch "
        f"incl. one empty read per kind)"
    )
    print_figures("Reminders sweep", volume, figures)
    print(f"  recorded per kind: {result.per_kind}")
