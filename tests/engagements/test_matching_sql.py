"""Matching in the database: the same answers as the Python evaluation it
replaced (kept below as the oracle) on randomised seeds, and the same
queries at 20 and at 300 consultants, for ``match`` and for the page."""

import datetime
import random

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce, Lower
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext, ngettext

from consultants.models import (
    BusyPeriod,
    ConsentRecord,
    ConsentScope,
    Consultant,
    ExpertiseTopic,
    Language,
    WeeklyAvailability,
)
from consultants.selectors import consent_current
from core.encryption import encrypted_field_names
from engagements import matching
from engagements.models import Audience, Engagement, EngagementType, Participation
from tests.consultants.factories import ExpertiseTopicFactory, published_text
from tests.engagements.factories import MONDAY, EngagementFactory, PrivacyPlanFactory, at
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
P = Participation.Status
T = datetime.time


# --- A randomised world ------------------------------------------------------------------


def _world(owner, manager, *, consultants: int, seed: int, one_day: bool = False) -> Engagement:
    """``consultants`` consultants in every state matching distinguishes
    (bulk inserts), their load on other engagements, and a staffing
    engagement whose shape (one day or several, audience, recording) the
    seed picks."""
    rng = random.Random(seed)
    topics = [ExpertiseTopicFactory() for _ in range(4)]
    texts = {scope: published_text(scope) for scope in ConsentScope.values}
    statuses = ["active"] * 6 + ["onboarding", "alumni", "on_break"]
    people = Consultant.objects.bulk_create(
        Consultant(
            pseudonym=f"{rng.choice(['Ami', 'ami', 'Bit', 'Ísa', 'Zed'])}{seed:02d}{n:04d}",
            legal_name=f"Invented {n}",
            email=f"sql{seed}-{n}@example.net",
            phone=f"+63917{n:07d}",
            spoken_languages=rng.sample(["fil", "en", "ceb", "ilo"], k=rng.randint(0, 2)),
            region="ncr",
            occupation_status="employed",
            status=(status := rng.choice(statuses)),
            break_until=MONDAY + datetime.timedelta(days=rng.randint(-3, 3))
            if status == "on_break"
            else None,
            monthly_engagement_limit=rng.randint(1, 3),
        )
        for n in range(consultants)
    )
    Through = Consultant.expertise.through
    Through.objects.bulk_create(
        Through(consultant_id=p.pk, expertisetopic_id=t.pk)
        for p in people
        for t in rng.sample(topics, k=rng.randint(0, 3))
    )
    windows = []
    for p in people:
        for weekday in rng.sample(range(7), k=rng.choice([0, 1, 2, 3, 7])):
            shape = rng.choice(["day", "morning+noon", "evening", "late", "short"])
            if shape == "morning+noon":  # touching windows join up
                windows += [(p, weekday, T(8), T(11)), (p, weekday, T(11), T(14))]
            else:
                start, end = {
                    "day": (T(8), T(18)),
                    "evening": (T(18), T(21)),
                    "late": (T(20), T(23, 59)),
                    "short": (T(10, 30), T(11, 30)),
                }[shape]
                windows.append((p, weekday, start, end))
    WeeklyAvailability.objects.bulk_create(
        WeeklyAvailability(consultant=p, weekday=d, start_time=s, end_time=e)
        for p, d, s, e in windows
    )
    records = []
    for n, p in enumerate(people):
        for scope in ConsentScope.values:
            if rng.random() < 0.75:
                moment = at(MONDAY, 0) - datetime.timedelta(days=100, minutes=n)
                records.append((p, scope, "granted", moment))
                if rng.random() < 0.15:
                    later = moment + datetime.timedelta(days=rng.choice([0, 1]))
                    records.append((p, scope, "withdrawn", later))
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            consultant=p,
            scope=s,
            action=a,
            consent_text=texts[s],
            recorded_at=moment,
            recorded_by=manager,
        )
        for p, s, a, moment in records
    )
    BusyPeriod.objects.bulk_create(
        BusyPeriod(
            consultant=p,
            kind=rng.choice(["work", "exams", "travel", "other"]),
            starts_on=MONDAY + datetime.timedelta(days=(d := rng.randint(-6, 6))),
            ends_on=MONDAY + datetime.timedelta(days=d + rng.randint(0, 2)),
        )
        for p in people
        for _ in range(rng.choice([0, 0, 1, 2]))
    )
    # The engagement staffed.
    # Every shape among the seeds: one day, two, more than a week; morning,
    # evening; until midnight (seed 3).
    days = (0, 1, 8)[seed % 3]
    start_hour = (10, 18, 9, 20)[seed % 4]
    start = at(MONDAY, start_hour)
    end = at(MONDAY + datetime.timedelta(days=days), start_hour + rng.choice([1, 2, 3]))
    audience, type_ = rng.choice(
        [
            (Audience.INTERNAL, EngagementType.ROUNDTABLE),
            (Audience.PUBLIC, EngagementType.CONFERENCE),
            (Audience.MEDIA, EngagementType.MEDIA_INTERVIEW),
        ]
    )
    if one_day:  # the same shape at every size: Monday 10:00-12:00, internal
        start, end = at(MONDAY, 10), at(MONDAY, 12)
        audience, type_ = Audience.INTERNAL, EngagementType.ROUNDTABLE
    elif seed == 3:
        end = at(MONDAY + datetime.timedelta(days=days + 1), 0)  # until midnight
    staffing = EngagementFactory(
        owner=owner,
        status=Engagement.Status.STAFFING,
        start=start,
        end=end,
        audience=audience,
        type=type_,
        languages=rng.sample(["ceb", "ilo", "en"], k=rng.randint(0, 2)),
    )
    staffing.expertise.set(rng.sample(topics, k=rng.randint(0, 2)))
    if rng.random() < 0.5 and not one_day:
        PrivacyPlanFactory(engagement=staffing, photo=rng.choice(["not_allowed", "protected"]))
    # Load elsewhere: two engagements a day around it, never overlapping
    # each other (so no booking is refused), some overlapping the staffed one.
    others = Engagement.objects.bulk_create(
        Engagement(
            title=f"Load {n}",
            type="roundtable",
            owner=owner,
            start=(moment := at(MONDAY, 10) + datetime.timedelta(hours=11 * n)),
            end=moment + datetime.timedelta(hours=2),
            mode="online",
            audience="internal",
            status="closed",
        )
        for n in range(-60, 60)
    )
    participations = [
        (other, p, rng.choice([P.ATTENDED, P.CONFIRMED, P.ACCEPTED, P.INVITED, P.DECLINED]))
        for p in people
        for other in rng.sample(others, k=rng.randint(0, 4))
    ]
    # Where they stand on the staffed engagement: live (not booked: that
    # could overlap their load), or turned away (perhaps twice), or turned
    # away and invited again.
    for p in rng.sample(people, k=len(people) // 5):
        for status in rng.choice(
            [
                [P.INVITED],
                [P.NO_SHOW],
                [P.DECLINED],
                [P.WITHDRAWN, P.DECLINED],
                [P.WITHDRAWN, P.INVITED],
            ]
        ):
            participations.append((staffing, p, status))
    Participation.objects.bulk_create(
        Participation(
            engagement=engagement,
            consultant=p,
            role="participant",
            status=status,
            period=DateTimeTZRange(engagement.start, engagement.end, "[)"),
            story_sharing="nothing",
            invited_by=owner,
            invited_at=engagement.start - datetime.timedelta(days=30, minutes=n),
        )
        for n, (engagement, p, status) in enumerate(participations)
    )
    return Engagement.objects.get(pk=staffing.pk)


# --- The oracle: matching as it was evaluated in Python, consultant by consultant --------


def _old_fits(engagement, windows):
    by_day = {}
    for window in windows:
        by_day.setdefault(window.weekday, []).append(window)
    first, last = matching._days(engagement)
    if first == last:
        start, end = matching._local(engagement.start), matching._local(engagement.end)
        start_minute = start.hour * 60 + start.minute
        end_minute = 24 * 60 if end.date() != first else end.hour * 60 + end.minute
        return any(
            low <= start_minute and end_minute <= high
            for low, high in matching._merged(by_day.get(first.weekday(), []))
        )
    day = first
    while day <= last:
        if day.weekday() not in by_day:
            return False
        day += datetime.timedelta(days=1)
    return True


def _old_count(queryset):
    counted = (
        queryset.order_by().values("consultant_id").annotate(total=Count("pk")).values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _old_exclusions(consultant, engagement, first_day, month_label, consents, needed, involved):
    found = []
    if involved is not None:
        if involved == P.WITHDRAWN:
            found.append((matching.STEPPED_BACK, gettext("Stepped back from this engagement.")))
        elif involved == P.DECLINED:
            found.append((matching.SAID_NO, gettext("Said no to this engagement.")))
        else:
            found.append(
                (
                    matching.ALREADY_INVITED,
                    gettext("Already on this engagement (%(status)s).")
                    % {"status": P(involved).label},
                )
            )
    status = consultant.status
    if status == Consultant.Status.ONBOARDING:
        found.append((matching.NOT_ACTIVE, gettext("Still onboarding: not taking engagements.")))
    elif status == Consultant.Status.ALUMNI:
        found.append((matching.NOT_ACTIVE, gettext("Alumni: no longer takes engagements.")))
    elif status == Consultant.Status.ON_BREAK and (
        consultant.break_until is None or consultant.break_until >= first_day
    ):
        found.append(
            (
                matching.ON_BREAK,
                gettext("On a break until %(date)s.")
                % {"date": formats.date_format(consultant.break_until, "DATE_FORMAT")},
            )
        )
    if consultant.month_count >= consultant.monthly_engagement_limit:
        found.append(
            (
                matching.OVER_MONTHLY_LIMIT,
                ngettext(
                    "Already has %(count)s engagement in %(month)s; their limit is %(limit)s.",
                    "Already has %(count)s engagements in %(month)s; their limit is %(limit)s.",
                    consultant.month_count,
                )
                % {
                    "count": consultant.month_count,
                    "month": month_label,
                    "limit": consultant.monthly_engagement_limit,
                },
            )
        )
    if consultant.busy_kind:
        found.append(
            (
                matching.BUSY,
                gettext("Busy on those dates (%(kind)s).")
                % {"kind": BusyPeriod.Kind(consultant.busy_kind).label},
            )
        )
    windows = list(consultant.weekly_windows.all())
    if not windows:
        found.append(
            (matching.OUTSIDE_AVAILABILITY, gettext("Has not given their weekly availability."))
        )
    elif not _old_fits(engagement, windows):
        words = gettext("Not usually available at that time.")
        found.append((matching.OUTSIDE_AVAILABILITY, words))
    if consultant.overlapping:
        found.append(
            (matching.DOUBLE_BOOKED, gettext("Already booked on an overlapping engagement."))
        )
    lacking = matching._lacking(consents, needed)
    if lacking:
        found.append(
            (
                matching.MISSING_CONSENT,
                gettext("No consent for: %(scopes)s.") % {"scopes": matching.scope_labels(lacking)},
            )
        )
    return found


def _oracle(engagement, now):
    """``(suggestions, excluded)``: each a list of (pseudonym, words, codes,
    time only), suggestions ranked, the excluded by pseudonym."""
    first_day, last_day = matching._days(engagement)
    month_start, month_end = matching._month_bounds(engagement)
    booked = Participation.objects.filter(
        consultant=OuterRef("pk"), status__in=Participation.BOOKED
    ).exclude(engagement_id=engagement.pk)
    busy = BusyPeriod.objects.filter(
        consultant=OuterRef("pk"), starts_on__lte=last_day, ends_on__gte=first_day
    ).order_by("starts_on", "ends_on", "id")
    rows = list(
        Consultant.objects.defer(*encrypted_field_names(Consultant))
        .annotate(
            recent_count=_old_count(
                booked.filter(
                    engagement__start__gte=now - datetime.timedelta(days=matching.RECENT_DAYS)
                )
            ),
            month_count=_old_count(
                booked.filter(engagement__start__gte=month_start, engagement__start__lt=month_end)
            ),
            overlapping=Exists(
                booked.filter(
                    period__overlap=DateTimeTZRange(engagement.start, engagement.end, "[)")
                )
            ),
            busy_kind=Subquery(busy.values("kind")[:1]),
        )
        .prefetch_related(
            Prefetch("expertise", queryset=ExpertiseTopic.objects.order_by("name")),
            "weekly_windows",
        )
        .order_by(Lower("pseudonym"))
    )
    plan = matching._plan_of(engagement)
    needed = matching.required_consent_scopes(engagement=engagement, plan=plan)
    consents = consent_current(consultants=Consultant.objects.all())
    involved = {}
    for consultant_id, status in Participation.objects.filter(
        engagement_id=engagement.pk, status__in=Participation.LIVE | Participation.TURNED_AWAY
    ).values_list("consultant_id", "status"):
        if consultant_id in involved and status in Participation.TURNED_AWAY:
            continue
        involved[consultant_id] = status
    wanted_topics = {topic.pk: topic.name for topic in engagement.expertise.all()}
    wanted_languages = list(engagement.languages or [])
    month_label = formats.date_format(first_day, "F Y")
    suggestions, excluded = [], []
    for consultant in rows:
        found = _old_exclusions(
            consultant,
            engagement,
            first_day,
            month_label,
            consents.get(consultant.pk, {}),
            needed,
            involved.get(consultant.pk),
        )
        codes = {code for code, _words in found}
        if found:
            time_only = codes <= matching.TIME_CODES and bool(consultant.weekly_windows.all())
            excluded.append((consultant.pseudonym, [w for _c, w in found], codes, time_only))
            continue
        candidate = matching.Candidate(
            consultant=consultant,
            recent_count=consultant.recent_count,
            month_count=consultant.month_count,
            expertise_matched=[t.name for t in consultant.expertise.all() if t.pk in wanted_topics],
            languages_matched=[
                str(Language(code).label)
                for code in wanted_languages
                if code in (consultant.spoken_languages or [])
            ],
        )
        reasons = matching._reasons(candidate, wanted_topics, wanted_languages)
        key = (
            -len(candidate.expertise_matched),
            -(1 if candidate.languages_matched else 0),
            candidate.recent_count,
            candidate.month_count,
            consultant.pseudonym.lower(),
        )
        suggestions.append((key, (consultant.pseudonym, reasons, set(), False)))
    return [row for _key, row in sorted(suggestions, key=lambda s: s[0])], excluded


def _seen(candidates):
    return [
        (
            c.consultant.pseudonym,
            c.reasons if not c.excluded else [e.message for e in c.exclusions],
            c.exclusion_codes,
            c.by_time,
        )
        for c in candidates
    ]


@pytest.mark.parametrize("seed", range(6))
def test_the_same_answers_as_the_python_evaluation(owner, manager_user, seed):
    engagement = _world(owner, manager_user, consultants=120, seed=seed)
    now = at(MONDAY, 9) - datetime.timedelta(days=rng_days(seed))
    suggestions, excluded = _oracle(engagement, now)
    result = matching.match(
        engagement=engagement, now=now, suggestions=1000, excluded=1000, by_time=1000
    )
    assert _seen(result.suggestions) == suggestions
    assert _seen(result.excluded) == excluded
    assert _seen(result.by_time) == [row for row in excluded if row[3]]
    assert (result.suggestion_count, result.excluded_count, result.by_time_count) == (
        len(suggestions),
        len(excluded),
        sum(1 for row in excluded if row[3]),
    )
    counted = {reason.code: reason.count for reason in result.reasons}
    expected = {
        c.code: n for c in matching.CRITERIA if (n := sum(c.code in r[2] for r in excluded))
    }
    assert counted == expected
    in_order = [c.code for c in matching.CRITERIA if c.code in expected]
    assert [r.code for r in result.reasons] == in_order
    # The pages are the first rows of the lists, and the counts stay whole.
    paged = matching.match(engagement=engagement, now=now, suggestions=3, excluded=5, by_time=2)
    assert _seen(paged.suggestions) == suggestions[:3]
    assert _seen(paged.excluded) == excluded[:5]
    assert _seen(paged.by_time) == [row for row in excluded if row[3]][:2]
    assert paged.excluded_count == len(excluded)
    assert {r.code: r.count for r in paged.reasons} == expected
    # One consultant alone, as the invite service asks.
    for pseudonym, words, _codes, _time in excluded[:3] + suggestions[:3]:
        consultant = Consultant.objects.get(pseudonym=pseudonym)
        assert [
            e.message
            for e in matching.exclusions_for(engagement=engagement, consultant=consultant, now=now)
        ] == (words if _codes else [])


def rng_days(seed: int) -> int:
    return random.Random(seed).choice([0, 20, 60, 100])


def test_nobody_at_all_counts_nothing(staffing):
    result = matching.match(engagement=staffing, excluded=0)
    assert (result.suggestions, result.excluded, result.excluded_count) == ([], [], 0)
    assert result.reasons == []


def test_counts_arrive_when_no_page_is_asked(owner, manager_user):
    engagement = _world(owner, manager_user, consultants=30, seed=11)
    full = matching.match(engagement=engagement, excluded=1000)
    none = matching.match(engagement=engagement, suggestions=0, excluded=0, by_time=0)
    assert (none.suggestions, none.excluded, none.by_time) == ([], [], [])
    assert none.excluded_count == full.excluded_count > 0
    assert none.reasons == full.reasons


# --- The same queries at 20 and at 300 ----------------------------------------------------


def _queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def test_the_same_queries_at_20_and_300_consultants(owner, manager_user, make_consultant):
    counts = []
    for size, seed in ((20, 21), (300, 22)):
        engagement = _world(owner, manager_user, consultants=size, seed=seed, one_day=True)
        # At least one on each list, whatever the seed drew.
        make_consultant()
        make_consultant(windows=((1, T(18), T(21)),))
        client = client_for(owner)
        url = reverse("engagements:matching", args=[engagement.pk])
        client.get(url)  # session, caches
        counts.append(
            (
                _queries(lambda e=engagement: matching.match(engagement=e)),
                _queries(lambda c=client, u=url: c.get(u)),
                _queries(lambda c=client, u=url: c.get(u + "?excluded=1")),
            )
        )
    assert Consultant.objects.count() == 324
    assert counts[0] == counts[1]
    assert counts[0][0] == 4
