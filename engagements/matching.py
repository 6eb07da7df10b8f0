"""Matching: which consultants to suggest for an engagement, and why not the others.

``match(engagement=...)`` looks at every consultant once and sorts them into

* suggestions, ranked by fit (expertise wanted they have, then a language
  wanted they speak) and, at equal fit, fairness: fewer engagements in the
  last 90 days (and already booked ahead) first, then fewer this month;
  each with its reasons in words;
* exclusions, each with every reason that applies: not active, on a break,
  over their monthly limit, busy (a busy period on those dates), outside
  their weekly availability, booked on an overlapping engagement, lacking a
  consent the engagement needs, already on this engagement, or having said
  no to it or stepped back from it (her choice: staff do not ask again;
  she may rejoin from her portal, and no reason of hers is shown here).

It runs a fixed number of queries whatever the number of consultants and
engagements (tests/engagements/test_matching.py): one for the consultants
with their counts and flags computed in PostgreSQL, one each for their
expertise, weekly windows and current consents, one for the engagement's
expertise, its privacy plan and its current participants.

Availability follows the consultants app: busy periods cover whole days
(both ends included), a break ending before the engagement's first day does
not exclude, and weekly windows are in Asia/Manila. An engagement within one
day must fit inside the consultant's windows of that weekday (touching
windows join up); one spanning several days needs a window on each weekday
it touches (nobody is "available" overnight, and multi-day events are
planned with the consultant anyway).

Consents needed (``required_consent_scopes``): programme participation and
data processing always; appearing at public events for a government,
public or media audience (it stood in for by "quoting by pseudonym" until
that scope existed); media contact, and being quoted by pseudonym, for a
media audience or a media interview; photographs, video or audio when the
privacy plan allows them. Consent to share one's story is never required.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext, ngettext

from consultants.models import (
    BusyPeriod,
    ConsentScope,
    Consultant,
    ExpertiseTopic,
    Language,
    WeeklyAvailability,
)
from consultants.selectors import consent_current
from core.encryption import encrypted_field_names
from engagements.models import (
    EXPOSED_AUDIENCES,
    Audience,
    Engagement,
    EngagementType,
    Participation,
    PrivacyPlan,
)

RECENT_DAYS = 90
BASE_SCOPES = (ConsentScope.PARTICIPATION, ConsentScope.DATA_PROCESSING)

# Exclusion codes (stable, for pages and tests).
NOT_ACTIVE = "not_active"
ON_BREAK = "on_break"
OVER_MONTHLY_LIMIT = "over_monthly_limit"
BUSY = "busy"
OUTSIDE_AVAILABILITY = "outside_availability"
DOUBLE_BOOKED = "double_booked"
MISSING_CONSENT = "missing_consent"
ALREADY_INVITED = "already_invited"
STEPPED_BACK = "stepped_back"
SAID_NO = "said_no"


# --- Consent -------------------------------------------------------------------------


def required_consent_scopes(
    *, engagement: Engagement, plan: PrivacyPlan | None = None
) -> list[str]:
    """The consent scopes a consultant needs to take part, in ConsentScope order."""
    scopes = set(BASE_SCOPES)
    if engagement.audience in EXPOSED_AUDIENCES:
        scopes.add(ConsentScope.PUBLIC_EVENTS)
    if engagement.audience == Audience.MEDIA or engagement.type == EngagementType.MEDIA_INTERVIEW:
        # Journalists publish what is said: being quoted comes with media.
        scopes |= {ConsentScope.MEDIA, ConsentScope.QUOTING}
    if plan is not None:
        scopes |= plan.recording_scopes()
    return [scope for scope in ConsentScope.values if scope in scopes]


def scope_labels(scopes: Iterable[str]) -> str:
    return ", ".join(str(ConsentScope(scope).label) for scope in scopes)


def _lacking(state: dict, needed: list[str]) -> list[str]:
    return [scope for scope in needed if not (scope in state and state[scope].is_grant)]


def missing_consents(
    *,
    engagement: Engagement,
    plan: PrivacyPlan | None,
    consultants: Iterable[Consultant] | QuerySet[Consultant],
) -> dict[int, str]:
    """``{consultant_id: "labels of the scopes lacking"}`` for those lacking any
    (one query)."""
    needed = required_consent_scopes(engagement=engagement, plan=plan)
    consultants = list(consultants)
    if not consultants:
        return {}
    state = consent_current(consultants=consultants)
    lacking = {}
    for consultant in consultants:
        scopes = _lacking(state.get(consultant.pk, {}), needed)
        if scopes:
            lacking[consultant.pk] = scope_labels(scopes)
    return lacking


# --- Results -------------------------------------------------------------------------


@dataclass(frozen=True)
class Exclusion:
    code: str
    message: str

    def __str__(self):
        return self.message


@dataclass
class Candidate:
    consultant: Consultant
    expertise_matched: list[str] = field(default_factory=list)
    languages_matched: list[str] = field(default_factory=list)
    recent_count: int = 0
    month_count: int = 0
    reasons: list[str] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)

    @property
    def excluded(self) -> bool:
        return bool(self.exclusions)

    @property
    def exclusion_codes(self) -> set[str]:
        return {exclusion.code for exclusion in self.exclusions}

    @property
    def fit(self) -> tuple[int, int]:
        return (len(self.expertise_matched), 1 if self.languages_matched else 0)

    def rank_key(self):
        expertise, language = self.fit
        return (
            -expertise,
            -language,
            self.recent_count,
            self.month_count,
            self.consultant.pseudonym.lower(),
        )


@dataclass
class MatchResult:
    engagement: Engagement
    required_scopes: list[str]
    suggestions: list[Candidate]
    excluded: list[Candidate]


# --- Time -----------------------------------------------------------------------------


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value, timezone.get_default_timezone())


def _days(engagement: Engagement) -> tuple[datetime.date, datetime.date]:
    """The first and last local day the engagement touches (an end at
    midnight belongs to the day before)."""
    start = _local(engagement.start)
    end = _local(engagement.end - datetime.timedelta(microseconds=1))
    return start.date(), end.date()


def _month_bounds(engagement: Engagement) -> tuple[datetime.datetime, datetime.datetime]:
    start = _local(engagement.start)
    first = start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following


def _minutes(value: datetime.time) -> int:
    return value.hour * 60 + value.minute


def _merged(windows: list[WeeklyAvailability]) -> list[tuple[int, int]]:
    spans = sorted(
        (
            _minutes(w.start_time),
            24 * 60 if w.end_time.hour == 23 and w.end_time.minute == 59 else _minutes(w.end_time),
        )
        for w in windows
    )
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def fits_weekly_windows(engagement: Engagement, windows: list[WeeklyAvailability]) -> bool:
    """Whether the engagement's time falls within these windows (module docstring)."""
    by_day: dict[int, list[WeeklyAvailability]] = {}
    for window in windows:
        by_day.setdefault(window.weekday, []).append(window)
    first, last = _days(engagement)
    if first == last:
        start = _local(engagement.start)
        end = _local(engagement.end)
        start_minute = start.hour * 60 + start.minute
        end_minute = 24 * 60 if end.date() != first else end.hour * 60 + end.minute
        return any(
            low <= start_minute and end_minute <= high
            for low, high in _merged(by_day.get(first.weekday(), []))
        )
    day = first
    while day <= last:
        if day.weekday() not in by_day:
            return False
        day += datetime.timedelta(days=1)
    return True


# --- The query ------------------------------------------------------------------------


def _count(queryset) -> Coalesce:
    counted = (
        queryset.order_by().values("consultant_id").annotate(total=Count("pk")).values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _candidates(
    engagement: Engagement, queryset: QuerySet[Consultant], now: datetime.datetime
) -> QuerySet[Consultant]:
    first_day, last_day = _days(engagement)
    month_start, month_end = _month_bounds(engagement)
    booked = Participation.objects.filter(
        consultant=OuterRef("pk"), status__in=Participation.BOOKED
    ).exclude(engagement_id=engagement.pk)
    busy = BusyPeriod.objects.filter(
        consultant=OuterRef("pk"), starts_on__lte=last_day, ends_on__gte=first_day
    ).order_by("starts_on")
    return (
        queryset.defer(*encrypted_field_names(Consultant))
        .annotate(
            recent_count=_count(
                booked.filter(engagement__start__gte=now - datetime.timedelta(days=RECENT_DAYS))
            ),
            month_count=_count(
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
            Prefetch("weekly_windows", queryset=WeeklyAvailability.objects.all()),
        )
        .order_by(Lower("pseudonym"))
    )


def _evaluate(
    engagement: Engagement,
    consultants: QuerySet[Consultant],
    *,
    plan: PrivacyPlan | None,
    now: datetime.datetime,
) -> tuple[list[Candidate], list[str]]:
    wanted_topics = {topic.pk: topic.name for topic in engagement.expertise.all()}
    wanted_languages = list(engagement.languages or [])
    needed = required_consent_scopes(engagement=engagement, plan=plan)
    first_day, _last_day = _days(engagement)
    month_label = formats.date_format(first_day, "F Y")

    rows = list(_candidates(engagement, consultants, now))
    consents = consent_current(consultants=consultants) if rows else {}
    involved = _involvement(engagement)

    candidates = []
    for consultant in rows:
        candidate = Candidate(
            consultant=consultant,
            recent_count=consultant.recent_count,
            month_count=consultant.month_count,
        )
        candidate.expertise_matched = [
            topic.name for topic in consultant.expertise.all() if topic.pk in wanted_topics
        ]
        spoken = set(consultant.spoken_languages or [])
        candidate.languages_matched = [
            str(Language(code).label) for code in wanted_languages if code in spoken
        ]
        candidate.exclusions = _exclusions(
            consultant,
            engagement=engagement,
            first_day=first_day,
            month_label=month_label,
            consents=consents.get(consultant.pk, {}),
            needed=needed,
            involved=involved.get(consultant.pk),
        )
        if not candidate.excluded:
            candidate.reasons = _reasons(candidate, wanted_topics, wanted_languages)
        candidates.append(candidate)
    return candidates, needed


def _involvement(engagement: Engagement) -> dict[int, str]:
    """``{consultant_id: status}`` of everyone already on this engagement or
    who said no to it or stepped back from it (one query). A live
    participation wins over an earlier refusal."""
    involved: dict[int, str] = {}
    rows = Participation.objects.filter(
        engagement_id=engagement.pk,
        status__in=Participation.LIVE | Participation.TURNED_AWAY,
    ).values_list("consultant_id", "status")
    for consultant_id, status in rows:
        if consultant_id in involved and status in Participation.TURNED_AWAY:
            continue
        involved[consultant_id] = status
    return involved


def _involvement_exclusion(status: str) -> Exclusion:
    if status == Participation.Status.WITHDRAWN:
        return Exclusion(STEPPED_BACK, gettext("Stepped back from this engagement."))
    if status == Participation.Status.DECLINED:
        return Exclusion(SAID_NO, gettext("Said no to this engagement."))
    return Exclusion(
        ALREADY_INVITED,
        gettext("Already on this engagement (%(status)s).")
        % {"status": Participation.Status(status).label},
    )


def _exclusions(
    consultant: Consultant,
    *,
    engagement: Engagement,
    first_day: datetime.date,
    month_label: str,
    consents: dict,
    needed: list[str],
    involved: str | None,
) -> list[Exclusion]:
    found: list[Exclusion] = []
    if involved is not None:
        found.append(_involvement_exclusion(involved))
    status = consultant.status
    if status == Consultant.Status.ONBOARDING:
        found.append(Exclusion(NOT_ACTIVE, gettext("Still onboarding: not taking engagements.")))
    elif status == Consultant.Status.ALUMNI:
        found.append(Exclusion(NOT_ACTIVE, gettext("Alumni: no longer takes engagements.")))
    elif status == Consultant.Status.ON_BREAK and (
        consultant.break_until is None or consultant.break_until >= first_day
    ):
        found.append(
            Exclusion(
                ON_BREAK,
                gettext("On a break until %(date)s.")
                % {"date": formats.date_format(consultant.break_until, "DATE_FORMAT")},
            )
        )
    if consultant.month_count >= consultant.monthly_engagement_limit:
        found.append(
            Exclusion(
                OVER_MONTHLY_LIMIT,
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
            Exclusion(
                BUSY,
                gettext("Busy on those dates (%(kind)s).")
                % {"kind": BusyPeriod.Kind(consultant.busy_kind).label},
            )
        )
    windows = list(consultant.weekly_windows.all())
    if not windows:
        found.append(
            Exclusion(OUTSIDE_AVAILABILITY, gettext("Has not given their weekly availability."))
        )
    elif not fits_weekly_windows(engagement, windows):
        found.append(
            Exclusion(OUTSIDE_AVAILABILITY, gettext("Not usually available at that time."))
        )
    if consultant.overlapping:
        found.append(
            Exclusion(DOUBLE_BOOKED, gettext("Already booked on an overlapping engagement."))
        )
    lacking = _lacking(consents, needed)
    if lacking:
        found.append(
            Exclusion(
                MISSING_CONSENT,
                gettext("No consent for: %(scopes)s.") % {"scopes": scope_labels(lacking)},
            )
        )
    return found


def _reasons(
    candidate: Candidate, wanted_topics: dict[int, str], wanted_languages: list[str]
) -> list[str]:
    reasons = []
    if wanted_topics:
        if candidate.expertise_matched:
            reasons.append(
                ngettext(
                    "Knows %(topics)s (%(count)s of %(total)s topic wanted).",
                    "Knows %(topics)s (%(count)s of %(total)s topics wanted).",
                    len(wanted_topics),
                )
                % {
                    "topics": ", ".join(candidate.expertise_matched),
                    "count": len(candidate.expertise_matched),
                    "total": len(wanted_topics),
                }
            )
        else:
            reasons.append(gettext("None of the topics wanted."))
    if wanted_languages:
        if candidate.languages_matched:
            reasons.append(
                gettext("Speaks %(languages)s.")
                % {"languages": ", ".join(candidate.languages_matched)}
            )
        else:
            reasons.append(gettext("Speaks none of the languages wanted."))
    reasons.append(gettext("Free at that time."))
    if candidate.recent_count:
        reasons.append(
            ngettext(
                "%(count)s engagement in the last %(days)s days or booked ahead.",
                "%(count)s engagements in the last %(days)s days or booked ahead.",
                candidate.recent_count,
            )
            % {"count": candidate.recent_count, "days": RECENT_DAYS}
        )
    else:
        reasons.append(
            ngettext(
                "No engagements in the last %(days)s day.",
                "No engagements in the last %(days)s days.",
                RECENT_DAYS,
            )
            % {"days": RECENT_DAYS}
        )
    return reasons


def _plan_of(engagement: Engagement) -> PrivacyPlan | None:
    return PrivacyPlan.objects.filter(engagement_id=engagement.pk).first()


def match(
    *,
    engagement: Engagement,
    consultants: QuerySet[Consultant] | None = None,
    now: datetime.datetime | None = None,
) -> MatchResult:
    """Every consultant (or those of ``consultants``) as a ranked suggestion or
    an exclusion with its reasons. A fixed number of queries."""
    now = now or timezone.now()
    queryset = consultants if consultants is not None else Consultant.objects.all()
    plan = _plan_of(engagement)
    candidates, needed = _evaluate(engagement, queryset, plan=plan, now=now)
    suggestions = sorted((c for c in candidates if not c.excluded), key=Candidate.rank_key)
    excluded = [c for c in candidates if c.excluded]
    return MatchResult(
        engagement=engagement, required_scopes=needed, suggestions=suggestions, excluded=excluded
    )


def exclusions_for(
    *, engagement: Engagement, consultant: Consultant, now: datetime.datetime | None = None
) -> list[Exclusion]:
    """Why ``consultant`` may not be invited to ``engagement`` (empty: they may)."""
    result = match(
        engagement=engagement,
        consultants=Consultant.objects.filter(pk=consultant.pk),
        now=now,
    )
    if result.suggestions:
        return []
    return result.excluded[0].exclusions if result.excluded else []


# --- When they are free: never a dead end -----------------------------------------------
# For consultants excluded only by time (outside their weekly windows, a
# busy period, another engagement), when they are usually free near the
# requested time, and the nearest start times (same length, within a week
# either side) that would fit the most of them. Computed in Python from
# the weekly windows ``match`` already loaded, plus two queries (busy
# periods and bookings in that fortnight), whatever the number of
# consultants (tests/engagements/test_time_suggestions.py).

TIME_CODES = frozenset({OUTSIDE_AVAILABILITY, BUSY, DOUBLE_BOOKED})
SUGGEST_DAYS = 7
TIMES_SUGGESTED = 3
WINDOWS_SHOWN = 3
# Start times tried per day: the requested time of day and the most common
# starts of the windows on that weekday.
STARTS_PER_DAY = 8
DAY_MINUTES = 24 * 60
WEEK_MINUTES = 7 * DAY_MINUTES


def _windows_of(consultant: Consultant) -> list[WeeklyAvailability]:
    return list(consultant.weekly_windows.all())


def excluded_only_by_time(candidate: Candidate) -> bool:
    """Excluded, for reasons of time only, and with weekly windows given (so
    another time may suit them)."""
    codes = candidate.exclusion_codes
    return bool(codes) and codes <= TIME_CODES and bool(_windows_of(candidate.consultant))


def _merged_by_weekday(windows: list[WeeklyAvailability]) -> dict[int, list[tuple[int, int]]]:
    by_day: dict[int, list[WeeklyAvailability]] = {}
    for window in windows:
        by_day.setdefault(window.weekday, []).append(window)
    return {weekday: _merged(day_windows) for weekday, day_windows in by_day.items()}


def _clock(minute: int) -> str:
    return "24:00" if minute >= DAY_MINUTES else f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True)
class FreeWindow:
    """A weekly window (joined up with the ones it touches)."""

    weekday: int
    start_minute: int
    end_minute: int

    def __str__(self) -> str:
        return gettext("%(day)s %(from)s–%(until)s") % {  # noqa: RUF001 (xgettext reads no \N{})
            "day": WEEKDAYS_ABBR[self.weekday],
            "from": _clock(self.start_minute),
            "until": _clock(self.end_minute),
        }


def usually_free(
    *, engagement: Engagement, consultant: Consultant, limit: int = WINDOWS_SHOWN
) -> list[FreeWindow]:
    """The consultant's weekly windows nearest the requested time (those
    long enough for the engagement first), at most ``limit``, in week order.
    No query: the windows ``match`` prefetched."""
    start = _local(engagement.start)
    requested = start.weekday() * DAY_MINUTES + start.hour * 60 + start.minute
    length = int((engagement.end - engagement.start).total_seconds() // 60)
    windows = [
        FreeWindow(weekday, low, high)
        for weekday, spans in _merged_by_weekday(_windows_of(consultant)).items()
        for low, high in spans
    ]

    def distance(window: FreeWindow) -> int:
        gap = abs(window.weekday * DAY_MINUTES + window.start_minute - requested)
        return min(gap, WEEK_MINUTES - gap)

    nearest = sorted(windows, key=lambda w: (w.end_minute - w.start_minute < length, distance(w)))[
        :limit
    ]
    return sorted(nearest, key=lambda w: (w.weekday, w.start_minute))


@dataclass(frozen=True)
class TimeSuggestion:
    """Another start (same length) and who would be free then: ``fits`` of
    those excluded only by time, ``still`` of those suggested now."""

    start: datetime.datetime
    end: datetime.datetime
    fits: int
    still: int
    pseudonyms: tuple[str, ...] = ()

    @property
    def start_value(self) -> str:
        """For a ``datetime-local`` field (Manila time)."""
        return _local(self.start).strftime("%Y-%m-%dT%H:%M")

    @property
    def end_value(self) -> str:
        return _local(self.end).strftime("%Y-%m-%dT%H:%M")


@dataclass
class _Calendar:
    """What one consultant's time looks like over the fortnight."""

    windows: dict[int, list[tuple[int, int]]]
    busy: list[tuple[datetime.date, datetime.date]] = field(default_factory=list)
    booked: list[tuple[datetime.datetime, datetime.datetime]] = field(default_factory=list)

    def fits(
        self,
        day: datetime.date,
        low: int,
        high: int,
        start: datetime.datetime,
        end: datetime.datetime,
    ) -> bool:
        if not any(a <= low and high <= b for a, b in self.windows.get(day.weekday(), [])):
            return False
        if any(first <= day <= last for first, last in self.busy):
            return False
        return not any(lower < end and start < upper for lower, upper in self.booked)


def time_suggestions(
    *,
    engagement: Engagement,
    result: MatchResult,
    now: datetime.datetime | None = None,
    days: int = SUGGEST_DAYS,
    limit: int = TIMES_SUGGESTED,
) -> list[TimeSuggestion]:
    """Up to ``limit`` start times within ``days`` days either side of the
    requested one, same length, that would fit the most consultants now
    excluded only by time (then the most of those suggested now, then the
    nearest), each fitting at least one. Engagements over several days get
    none (they are planned with the consultants). Two queries at most."""
    now = now or timezone.now()
    first_day, last_day = _days(engagement)
    if first_day != last_day:
        return []
    waiting = [c for c in result.excluded if excluded_only_by_time(c)]
    if not waiting:
        return []
    start = _local(engagement.start)
    length = int((engagement.end - engagement.start).total_seconds() // 60)
    requested_minute = start.hour * 60 + start.minute
    everyone = waiting + list(result.suggestions)
    calendars = {
        c.consultant.pk: _Calendar(_merged_by_weekday(_windows_of(c.consultant))) for c in everyone
    }
    tz = timezone.get_default_timezone()
    span_first = first_day - datetime.timedelta(days=days)
    span_last = first_day + datetime.timedelta(days=days)
    ids = list(calendars)
    for consultant_id, starts_on, ends_on in BusyPeriod.objects.filter(
        consultant_id__in=ids, starts_on__lte=span_last, ends_on__gte=span_first
    ).values_list("consultant_id", "starts_on", "ends_on"):
        calendars[consultant_id].busy.append((starts_on, ends_on))
    fortnight = DateTimeTZRange(
        datetime.datetime.combine(span_first, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(
            span_last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        ),
        "[)",
    )
    for consultant_id, period in (
        Participation.objects.filter(
            consultant_id__in=ids, status__in=Participation.BOOKED, period__overlap=fortnight
        )
        .exclude(engagement_id=engagement.pk)
        .values_list("consultant_id", "period")
    ):
        calendars[consultant_id].booked.append((period.lower, period.upper))

    # The start times worth trying on each weekday.
    starts_by_weekday: dict[int, list[int]] = {}
    for weekday in range(7):
        counts: dict[int, int] = {}
        for candidate in waiting:
            for low, high in calendars[candidate.consultant.pk].windows.get(weekday, []):
                if high - low >= length:
                    counts[low] = counts.get(low, 0) + 1
        common = sorted(counts, key=lambda minute: (-counts[minute], minute))[: STARTS_PER_DAY - 1]
        starts_by_weekday[weekday] = sorted({requested_minute, *common})

    options: list[tuple[tuple[int, int, float], TimeSuggestion]] = []
    day = span_first
    while day <= span_last:
        for low in starts_by_weekday[day.weekday()]:
            high = low + length
            if high > DAY_MINUTES:
                continue
            moment = datetime.datetime.combine(day, datetime.time(low // 60, low % 60), tzinfo=tz)
            if moment <= now or moment == engagement.start:
                continue
            end = moment + datetime.timedelta(minutes=length)
            fitting = [
                c.consultant.pseudonym
                for c in waiting
                if calendars[c.consultant.pk].fits(day, low, high, moment, end)
            ]
            if not fitting:
                continue
            still = sum(
                1
                for c in result.suggestions
                if calendars[c.consultant.pk].fits(day, low, high, moment, end)
            )
            distance = abs((moment - engagement.start).total_seconds())
            options.append(
                (
                    (-len(fitting), -still, distance),
                    TimeSuggestion(moment, end, len(fitting), still, tuple(sorted(fitting))),
                )
            )
        day += datetime.timedelta(days=1)
    options.sort(key=lambda option: option[0])
    return [suggestion for _key, suggestion in options[:limit]]
