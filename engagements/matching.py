"""Matching: which consultants to suggest for an engagement, and why not the others.

``match(engagement=...)`` asks PostgreSQL, in one statement (``_SQL``), for

* the first page of suggestions, ranked by fit (expertise wanted they have,
  by staff's tags or by evidence an app above registered, e.g. a skill
  gained at a training: ``register_skill_evidence``; then a language wanted
  they speak) and, at equal fit, fairness: fewer
  engagements in the last 90 days (and already booked ahead) first, then fewer
  this month, then pseudonym;
* the first page of those excluded (by pseudonym), each with every reason that
  applies: not active, on a break, over their monthly limit, busy (a busy
  period on those dates), outside their weekly availability, booked on an
  overlapping engagement, lacking a consent the engagement needs, already on
  this engagement, or having said no to it or stepped back from it (her
  choice: staff do not ask again; she may rejoin from her portal, and no
  reason of hers is shown here);
* the first page of those excluded by time only (another time may suit
  them: "When they are free" below);
* how many are suggested, excluded, excluded by time only, and excluded for
  each reason.

Each reason is declared once, in ``CRITERIA``: its code, its SQL condition
over the facts the statement gathers per consultant, and its words. Python
words only the rows shown, so the page costs the same at 20 consultants
and at 10,000: four queries (the privacy plan, the topics wanted, the
statement, the weekly windows of the rows shown; tests/engagements/
test_matching_sql.py, which also holds the Python evaluation this replaced
as an oracle). A new criterion (a fact in ``facts``, a ``Criterion``)
is counted, filtered, ranked around and explained with no other change.

Pairs for those who would rather go with a peer: ``propose_pairs`` (below),
one more query over the suggestions shown.

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
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, ngettext

from consultants.models import (
    BusyPeriod,
    ConsentRecord,
    ConsentScope,
    Consultant,
    Language,
    WeeklyAvailability,
)
from consultants.selectors import consent_current
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
# First pages ``match`` returns unless asked otherwise: suggestions, the
# excluded, and those excluded by time only (the pool time suggestions
# are computed from).
SUGGESTIONS_PAGE = 50
EXCLUDED_PAGE = 200
BY_TIME_PAGE = 200

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
    consultants = list(consultants)
    if not consultants:
        return {}
    state = consent_current(consultants=consultants)
    return _missing(engagement=engagement, plan=plan, consultants=consultants, state=state)


def missing_consents_many(
    *, asked: Iterable[tuple[Engagement, PrivacyPlan | None, list[Consultant]]]
) -> dict[int, dict[int, str]]:
    """``missing_consents`` for many engagements at once (each with its plan
    and its consultants): ``{engagement_id: {consultant_id: "labels"}}``, one
    query whatever their number (none when nobody is asked about)."""
    asked = list(asked)
    everyone = {c.pk: c for _engagement, _plan, consultants in asked for c in consultants}
    state = consent_current(consultants=list(everyone.values())) if everyone else {}
    return {
        engagement.pk: _missing(
            engagement=engagement, plan=plan, consultants=consultants, state=state
        )
        for engagement, plan, consultants in asked
    }


def _missing(
    *,
    engagement: Engagement,
    plan: PrivacyPlan | None,
    consultants: list[Consultant],
    state: dict[int, dict[str, ConsentRecord]],
) -> dict[int, str]:
    needed = required_consent_scopes(engagement=engagement, plan=plan)
    lacking = {}
    for consultant in consultants:
        scopes = _lacking(state.get(consultant.pk, {}), needed)
        if scopes:
            lacking[consultant.pk] = scope_labels(scopes)
    return lacking


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


def _time_asked(engagement: Engagement) -> dict[str, Any]:
    """What the weekly windows must hold (module docstring), as parameters of
    ``_SQL``: the weekday and minutes of a one-day engagement, or the weekdays
    a longer one touches (as bits)."""
    first, last = _days(engagement)
    start, end = _local(engagement.start), _local(engagement.end)
    touched = min((last - first).days + 1, 7)
    weekdays = {(first + datetime.timedelta(days=n)).weekday() for n in range(touched)}
    return {
        "single_day": first == last,
        "weekday": first.weekday(),
        "start_minute": _minutes(start),
        "end_minute": 24 * 60 if end.date() != first else _minutes(end),
        "weekdays": sum(1 << weekday for weekday in weekdays),
    }


# --- Criteria: each reason to exclude, declared once --------------------------------------


@dataclass(frozen=True)
class Exclusion:
    code: str
    message: str

    def __str__(self):
        return self.message


@dataclass(frozen=True)
class Asked:
    """What the engagement asks, for the words of a reason."""

    first_day: datetime.date
    month_label: str
    wanted_topics: dict[int, str]
    wanted_languages: list[str]
    needed: list[str]


@dataclass(frozen=True)
class Criterion:
    """A reason to exclude. ``sql``: true when it applies, over the columns of
    ``facts`` in ``_SQL`` (and its named parameters); ``words``: why, for one
    row shown. ``by_time``: another time may lift it."""

    code: str
    label: Promise
    sql: str
    words: Callable[[dict[str, Any], Asked], str]
    by_time: bool = False


def _on_break(row: dict, asked: Asked) -> str:
    return gettext("On a break until %(date)s.") % {
        "date": formats.date_format(row["break_until"], "DATE_FORMAT")
    }


def _not_active(row: dict, asked: Asked) -> str:
    if row["status"] == Consultant.Status.ONBOARDING:
        return gettext("Still onboarding: not taking engagements.")
    return gettext("Alumni: no longer takes engagements.")


def _over_limit(row: dict, asked: Asked) -> str:
    return ngettext(
        "Already has %(count)s engagement in %(month)s; their limit is %(limit)s.",
        "Already has %(count)s engagements in %(month)s; their limit is %(limit)s.",
        row["month_count"],
    ) % {
        "count": row["month_count"],
        "month": asked.month_label,
        "limit": row["monthly_engagement_limit"],
    }


def _outside(row: dict, asked: Asked) -> str:
    if not row["has_windows"]:
        return gettext("Has not given their weekly availability.")
    return gettext("Not usually available at that time.")


def _already_on(row: dict, asked: Asked) -> str:
    return gettext("Already on this engagement (%(status)s).") % {
        "status": Participation.Status(row["involvement"]).label
    }


# In the order the reasons are given (and counted). Parameters: see ``_params``.
CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        ALREADY_INVITED,
        gettext_lazy("Already on this engagement"),
        "involvement = ANY(%(live)s)",
        _already_on,
    ),
    Criterion(
        STEPPED_BACK,
        gettext_lazy("Stepped back from it"),
        "involvement = %(withdrawn)s",
        lambda row, asked: gettext("Stepped back from this engagement."),
    ),
    Criterion(
        SAID_NO,
        gettext_lazy("Said no to it"),
        "involvement = %(declined)s",
        lambda row, asked: gettext("Said no to this engagement."),
    ),
    Criterion(
        NOT_ACTIVE,
        gettext_lazy("Not active"),
        "status = ANY(%(inactive)s)",
        _not_active,
    ),
    Criterion(
        ON_BREAK,
        gettext_lazy("On a break"),
        "status = %(on_break)s AND (break_until IS NULL OR break_until >= %(first_day)s)",
        _on_break,
    ),
    Criterion(
        OVER_MONTHLY_LIMIT,
        gettext_lazy("At their monthly limit"),
        "month_count >= monthly_engagement_limit",
        _over_limit,
    ),
    Criterion(
        BUSY,
        gettext_lazy("Busy on those dates"),
        "busy_kind IS NOT NULL",
        lambda row, asked: (
            gettext("Busy on those dates (%(kind)s).")
            % {"kind": BusyPeriod.Kind(row["busy_kind"]).label}
        ),
        by_time=True,
    ),
    Criterion(
        OUTSIDE_AVAILABILITY,
        gettext_lazy("Outside their weekly availability"),
        "NOT fits_windows",
        _outside,
        by_time=True,
    ),
    Criterion(
        DOUBLE_BOOKED,
        gettext_lazy("Booked on an overlapping engagement"),
        "overlapping",
        lambda row, asked: gettext("Already booked on an overlapping engagement."),
        by_time=True,
    ),
    Criterion(
        MISSING_CONSENT,
        gettext_lazy("Lacking a consent"),
        "cardinality(lacking_scopes) > 0",
        lambda row, asked: (
            gettext("No consent for: %(scopes)s.") % {"scopes": scope_labels(row["lacking_scopes"])}
        ),
    ),
)
TIME_CODES = frozenset(c.code for c in CRITERIA if c.by_time)


def _any(criteria: Iterable[Criterion]) -> str:
    return " OR ".join(f"x_{c.code}" for c in criteria) or "false"


# --- Skills as evidence: a registry the apps above fill -----------------------------------
# Staff set a consultant's expertise topics; an app above (network: skills
# gained at a training, on an engagement, signed off by a mentor) may know
# more. It registers a source from its ``ready()``: ``sql``, a SELECT of
# ``consultant_id, topic_id, detail`` (``detail`` jsonb: what its words need)
# over the topics wanted, ``%(topics)s`` (it may read the statement's other
# parameters too, e.g. ``%(engagement)s``); ``explain(topic, detail)``, the
# words for one piece of it ("Has Public speaking (from Leadership camp)").
# A topic wanted counts towards fit once, by tag or by evidence; the
# statement stays one query.


@dataclass(frozen=True)
class SkillEvidenceSource:
    sql: str
    explain: Callable[[str, dict[str, Any]], str]


_EVIDENCE_SOURCES: list[SkillEvidenceSource] = []


def register_skill_evidence(*, sql: str, explain: Callable[[str, dict[str, Any]], str]) -> None:
    """Add a source of evidence (see above); registering the same SQL again
    replaces it (``ready()`` may run twice in tests)."""
    source = SkillEvidenceSource(sql=sql, explain=explain)
    _EVIDENCE_SOURCES[:] = [s for s in _EVIDENCE_SOURCES if s.sql != sql] + [source]
    _STATEMENT[0] = None


# --- The statement ------------------------------------------------------------------------
# ``facts``: one row per consultant with what the criteria and the ranking
# read, each gathered by one grouped pass (hash joins, no per-consultant
# subquery); ``flagged``: one boolean per criterion; ``listed``: on which
# list each consultant is; then the pages asked and the counts.

_MINUTE = "(extract(hour FROM {0}) * 60 + extract(minute FROM {0}))::int"

_SQL = """
WITH
-- Booked participations elsewhere: recent load (the last 90 days and ahead)
-- and load in the engagement's month (engagements from the earlier of the two).
load AS (
    SELECT p.consultant_id,
           count(*) FILTER (WHERE e.start >= %(recent_from)s) AS recent_count,
           count(*) FILTER (
               WHERE e.start >= %(month_start)s AND e.start < %(month_end)s
           ) AS month_count
    FROM engagements_engagement e
    JOIN engagements_participation p ON p.engagement_id = e.id
    WHERE e.start >= LEAST(%(recent_from)s, %(month_start)s)
      AND p.status = ANY(%(booked)s) AND p.engagement_id <> %(engagement)s
    GROUP BY p.consultant_id
),
-- Booked on another engagement at an overlapping time (double booking; the
-- GiST index of the no-double-booking constraint holds these periods).
overlap AS (
    SELECT DISTINCT consultant_id
    FROM engagements_participation
    WHERE period && tstzrange(%(start)s, %(end)s, '[)')
      AND status = ANY(%(booked)s) AND engagement_id <> %(engagement)s
),
-- Where each consultant stands on this engagement: a live participation
-- wins over an earlier "no" or step back, else the earliest of those.
involvement AS (
    SELECT DISTINCT ON (consultant_id) consultant_id, status
    FROM engagements_participation
    WHERE engagement_id = %(engagement)s AND status = ANY(%(involved)s)
    ORDER BY consultant_id, status = ANY(%(live)s) DESC, invited_at, id
),
-- The first busy period on those dates (whole days, both ends included).
busy AS (
    SELECT DISTINCT ON (consultant_id) consultant_id, kind
    FROM consultants_busyperiod
    WHERE starts_on <= %(last_day)s AND ends_on >= %(first_day)s
    ORDER BY consultant_id, starts_on, ends_on, id
),
-- Weekly windows: on the engagement's weekday, joined up (range_agg joins
-- touching ranges; a window until 23:59 runs to midnight), and the weekdays
-- with a window, as bits (Monday 1, Tuesday 2, ...; a longer engagement needs
-- every weekday it touches).
windows AS (
    SELECT consultant_id,
           range_agg(int4range({start_minute}, CASE WHEN end_time >= '23:59' THEN 1440
                                               ELSE {end_minute} END))
               FILTER (WHERE weekday = %(weekday)s) AS day_spans,
           bit_or(1 << weekday) AS days_covered
    FROM consultants_weeklyavailability
    GROUP BY consultant_id
),
-- The consents needed that stand (the latest record of the scope is a
-- grant), then those lacking, in the order needed.
granted AS (
    SELECT consultant_id, array_agg(scope) FILTER (WHERE action = %(granted)s) AS scopes
    FROM (
        SELECT DISTINCT ON (consultant_id, scope) consultant_id, scope, action
        FROM consultants_consentrecord
        WHERE scope = ANY(%(needed)s)
        ORDER BY consultant_id, scope, recorded_at DESC, id DESC
    ) latest
    GROUP BY consultant_id
),
consents AS (
    SELECT consultant_id,
           ARRAY(
               SELECT needed.scope
               FROM unnest(%(needed)s::varchar[]) WITH ORDINALITY AS needed(scope, position)
               WHERE NOT needed.scope = ANY(coalesce(granted.scopes, '{{}}'))
               ORDER BY needed.position
           ) AS lacking
    FROM granted
),
-- Evidence of the topics wanted from the apps above (``register_skill_
-- evidence``: skills gained at a training, signed off by a mentor...).
evidence AS (
    {evidence}
),
-- The topics wanted they know: set by staff, or shown by evidence.
expertise AS (
    SELECT consultant_id, array_agg(DISTINCT topic_id) AS topics
    FROM (
        SELECT consultant_id, expertisetopic_id AS topic_id
        FROM consultants_consultant_expertise
        WHERE expertisetopic_id = ANY(%(topics)s)
        UNION ALL
        SELECT consultant_id, topic_id FROM evidence
    ) known
    GROUP BY consultant_id
),
facts AS (
    SELECT c.id, c.pseudonym, c.status, c.break_until, c.monthly_engagement_limit,
           c.spoken_languages, c.prefers_peer,
           coalesce(load.recent_count, 0) AS recent_count,
           coalesce(load.month_count, 0) AS month_count,
           overlap.consultant_id IS NOT NULL AS overlapping,
           involvement.status AS involvement,
           busy.kind AS busy_kind,
           windows.consultant_id IS NOT NULL AS has_windows,
           CASE WHEN %(single_day)s
               THEN coalesce(
                   windows.day_spans @> int4range(%(start_minute)s, %(end_minute)s), false
               )
               ELSE coalesce(windows.days_covered & %(weekdays)s, 0) = %(weekdays)s
           END AS fits_windows,
           coalesce(consents.lacking, %(needed)s::varchar[]) AS lacking_scopes,
           coalesce(expertise.topics, '{{}}') AS topics,
           coalesce(cardinality(expertise.topics), 0) AS expertise_fit,
           c.spoken_languages && %(languages)s::varchar[] AS speaks
    FROM consultants_consultant c
    LEFT JOIN load ON load.consultant_id = c.id
    LEFT JOIN overlap ON overlap.consultant_id = c.id
    LEFT JOIN involvement ON involvement.consultant_id = c.id
    LEFT JOIN busy ON busy.consultant_id = c.id
    LEFT JOIN windows ON windows.consultant_id = c.id
    LEFT JOIN consents ON consents.consultant_id = c.id
    LEFT JOIN expertise ON expertise.consultant_id = c.id
    WHERE %(everyone)s OR c.id = ANY(%(ids)s)
),
flagged AS (
    SELECT facts.*, {flags} FROM facts
),
listed AS (
    SELECT flagged.*,
           ({excluded}) AS excluded,
           ({by_time}) AND NOT ({other}) AND has_windows AS by_time
    FROM flagged
),
-- The pages asked, as ids in their order (a top-N sort each, not a sort of
-- everyone).
pages AS MATERIALIZED (
    SELECT
        ARRAY(
            SELECT id FROM listed WHERE NOT excluded
            ORDER BY expertise_fit DESC, speaks DESC, recent_count, month_count,
                     lower(pseudonym), id
            LIMIT %(suggestions)s
        ) AS suggestion_ids,
        ARRAY(
            SELECT id FROM listed WHERE excluded ORDER BY lower(pseudonym), id
            LIMIT %(excluded)s
        ) AS excluded_ids,
        ARRAY(
            SELECT id FROM listed WHERE by_time ORDER BY lower(pseudonym), id
            LIMIT %(by_time)s
        ) AS by_time_ids
),
-- How many in each list, and excluded for each reason.
counts AS (
    SELECT count(*) FILTER (WHERE NOT excluded) AS suggestion_count,
           count(*) FILTER (WHERE excluded) AS excluded_count,
           count(*) FILTER (WHERE by_time) AS by_time_count,
           {counts}
    FROM listed
)
-- The rows of the pages, each with the pages and the counts (one row with
-- no consultant when every page is empty, so that the counts arrive).
-- Each row shown carries its evidence, for the words.
SELECT pages.*, counts.*, listed.*, shown_evidence.evidence
FROM pages CROSS JOIN counts
LEFT JOIN (
    SELECT DISTINCT shown.id
    FROM pages, unnest(suggestion_ids || excluded_ids || by_time_ids) AS shown(id)
) shown ON true
LEFT JOIN listed ON listed.id = shown.id
LEFT JOIN (
    SELECT consultant_id, jsonb_agg(jsonb_build_array(provider, topic_id, detail)) AS evidence
    FROM evidence GROUP BY consultant_id
) shown_evidence ON shown_evidence.consultant_id = listed.id
""".format(  # noqa: S608 (only this module's own SQL is formatted in, never a value)
    evidence="{evidence}",
    start_minute=_MINUTE.format("start_time"),
    end_minute=_MINUTE.format("end_time"),
    flags=",\n           ".join(f"coalesce({c.sql}, false) AS x_{c.code}" for c in CRITERIA),
    excluded=_any(CRITERIA),
    by_time=_any(c for c in CRITERIA if c.by_time),
    other=_any(c for c in CRITERIA if not c.by_time),
    counts=",\n           ".join(
        f"count(*) FILTER (WHERE x_{c.code}) AS n_{c.code}" for c in CRITERIA
    ),
)


# Without any source of evidence registered: none, with the columns' types.
_NO_EVIDENCE = (
    "SELECT NULL::integer AS provider, NULL::bigint AS consultant_id, "
    "NULL::bigint AS topic_id, NULL::jsonb AS detail WHERE false"
)


def _evidence_sql() -> str:
    if not _EVIDENCE_SOURCES:
        return _NO_EVIDENCE
    return "\n    UNION ALL\n    ".join(
        f"SELECT {n} AS provider, consultant_id, topic_id, detail "  # noqa: S608 (registered SQL)
        f"FROM ({source.sql}) source_{n}"
        for n, source in enumerate(_EVIDENCE_SOURCES)
    )


def _statement() -> str:
    """``_SQL`` with the sources of evidence registered so far (built once
    per registration)."""
    if _STATEMENT[0] is None:
        _STATEMENT[0] = _SQL.replace("{evidence}", _evidence_sql(), 1)
    return _STATEMENT[0]


_STATEMENT: list[str | None] = [None]


def _params(
    engagement: Engagement, *, needed: list[str], topics: list[int], now: datetime.datetime
) -> dict[str, Any]:
    first_day, last_day = _days(engagement)
    month_start, month_end = _month_bounds(engagement)
    P = Participation.Status
    return {
        "engagement": engagement.pk,
        "start": engagement.start,
        "end": engagement.end,
        "first_day": first_day,
        "last_day": last_day,
        "month_start": month_start,
        "month_end": month_end,
        "recent_from": now - datetime.timedelta(days=RECENT_DAYS),
        "booked": sorted(Participation.BOOKED),
        "live": sorted(Participation.LIVE),
        "involved": sorted(Participation.LIVE | Participation.TURNED_AWAY),
        "withdrawn": P.WITHDRAWN.value,
        "declined": P.DECLINED.value,
        "inactive": [Consultant.Status.ONBOARDING.value, Consultant.Status.ALUMNI.value],
        "on_break": Consultant.Status.ON_BREAK.value,
        "granted": ConsentRecord.Action.GRANTED.value,
        "needed": needed,
        "topics": topics,
        "languages": list(engagement.languages or []),
        **_time_asked(engagement),
    }


# --- Results -------------------------------------------------------------------------


@dataclass
class Candidate:
    consultant: Consultant
    expertise_matched: list[str] = field(default_factory=list)
    languages_matched: list[str] = field(default_factory=list)
    recent_count: int = 0
    month_count: int = 0
    reasons: list[str] = field(default_factory=list)
    # The words of each piece of evidence of a topic wanted (by topic).
    evidence: list[str] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)
    # Excluded for reasons of time only, with weekly windows given.
    by_time: bool = False

    @property
    def excluded(self) -> bool:
        return bool(self.exclusions)

    @property
    def exclusion_codes(self) -> set[str]:
        return {exclusion.code for exclusion in self.exclusions}


@dataclass(frozen=True)
class ReasonCount:
    code: str
    label: str
    count: int


@dataclass
class MatchResult:
    """First pages of each list (``suggestions`` ranked, ``excluded`` and
    ``by_time`` by pseudonym) and how many each holds in all."""

    engagement: Engagement
    required_scopes: list[str]
    suggestions: list[Candidate]
    excluded: list[Candidate]
    by_time: list[Candidate] = field(default_factory=list)
    suggestion_count: int = 0
    excluded_count: int = 0
    by_time_count: int = 0
    # Every reason that excludes somebody, in ``CRITERIA`` order.
    reasons: list[ReasonCount] = field(default_factory=list)


def _explain(row: dict[str, Any], asked: Asked) -> Candidate:
    """The words for one row shown."""
    # ``from_db`` takes the values in the model's field order.
    columns = [
        f.attname for f in Consultant._meta.concrete_fields if f.attname in _CONSULTANT_COLUMNS
    ]
    consultant = Consultant.from_db(connection.alias, columns, [row[column] for column in columns])
    candidate = Candidate(
        consultant=consultant,
        recent_count=row["recent_count"],
        month_count=row["month_count"],
        by_time=row["by_time"],
        expertise_matched=sorted(asked.wanted_topics[pk] for pk in row["topics"]),
        languages_matched=[
            str(Language(code).label)
            for code in asked.wanted_languages
            if code in (row["spoken_languages"] or [])
        ],
        evidence=_evidence_words(row["evidence"], asked),
    )
    candidate.exclusions = [
        Exclusion(criterion.code, criterion.words(row, asked))
        for criterion in CRITERIA
        if row[f"x_{criterion.code}"]
    ]
    if not candidate.excluded:
        candidate.reasons = _reasons(candidate, asked.wanted_topics, asked.wanted_languages)
    return candidate


_CONSULTANT_COLUMNS = (
    "id",
    "pseudonym",
    "status",
    "break_until",
    "monthly_engagement_limit",
    "spoken_languages",
    "prefers_peer",
)


def _evidence_words(evidence: str | list[list[Any]] | None, asked: Asked) -> list[str]:
    """The words of each piece of evidence, by topic then as said (Django's
    cursor hands jsonb over as text)."""
    if isinstance(evidence, str):
        evidence = json.loads(evidence)
    words = []
    for provider, topic_id, detail in evidence or []:
        topic = asked.wanted_topics.get(topic_id)
        if topic is None or provider >= len(_EVIDENCE_SOURCES):
            continue
        words.append((topic.lower(), _EVIDENCE_SOURCES[provider].explain(topic, detail or {})))
    return [said for _topic, said in sorted(set(words))]


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
            reasons.extend(candidate.evidence)
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
    consultants: QuerySet[Consultant] | Iterable[int] | None = None,
    now: datetime.datetime | None = None,
    suggestions: int = SUGGESTIONS_PAGE,
    excluded: int = EXCLUDED_PAGE,
    by_time: int = BY_TIME_PAGE,
) -> MatchResult:
    """Every consultant (or those of ``consultants``, a queryset or ids)
    sorted into suggestions and exclusions in SQL; the first ``suggestions``,
    ``excluded`` and ``by_time`` of each list explained, with the counts.
    Four queries, whatever the number of consultants (five with a queryset)."""
    now = now or timezone.now()
    plan = _plan_of(engagement)
    needed = required_consent_scopes(engagement=engagement, plan=plan)
    wanted_topics = {topic.pk: topic.name for topic in engagement.expertise.all()}
    first_day, _last_day = _days(engagement)
    asked = Asked(
        first_day=first_day,
        month_label=formats.date_format(first_day, "F Y"),
        wanted_topics=wanted_topics,
        wanted_languages=list(engagement.languages or []),
        needed=needed,
    )
    params = _params(engagement, needed=needed, topics=list(wanted_topics), now=now)
    if isinstance(consultants, QuerySet):
        consultants = list(consultants.values_list("pk", flat=True))
    params |= {
        "everyone": consultants is None,
        "ids": list(consultants or []),
        "suggestions": suggestions,
        "excluded": excluded,
        "by_time": by_time,
    }
    with connection.cursor() as cursor:
        cursor.execute(_statement(), params)
        columns = [column.name for column in cursor.description]
        rows = [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]

    first = rows[0]  # the pages and the counts ride on every row
    # One candidate per consultant, whichever lists it is on.
    shown = {row["id"]: _explain(row, asked) for row in rows if row["id"] is not None}
    result = MatchResult(
        engagement=engagement,
        required_scopes=needed,
        suggestions=[shown[pk] for pk in first["suggestion_ids"]],
        excluded=[shown[pk] for pk in first["excluded_ids"]],
        by_time=[shown[pk] for pk in first["by_time_ids"]],
        suggestion_count=first["suggestion_count"],
        excluded_count=first["excluded_count"],
        by_time_count=first["by_time_count"],
        reasons=[
            ReasonCount(c.code, str(c.label), first[f"n_{c.code}"])
            for c in CRITERIA
            if first[f"n_{c.code}"]
        ],
    )
    # Their weekly windows, for "usually free" and the times suggested.
    prefetch_related_objects(
        [candidate.consultant for candidate in shown.values()],
        Prefetch("weekly_windows", queryset=WeeklyAvailability.objects.all()),
    )
    return result


def exclusions_for(
    *, engagement: Engagement, consultant: Consultant, now: datetime.datetime | None = None
) -> list[Exclusion]:
    """Why ``consultant`` may not be invited to ``engagement`` (empty: they may)."""
    result = match(engagement=engagement, consultants=[consultant.pk], now=now)
    return result.excluded[0].exclusions if result.excluded else []


# --- When they are free: never a dead end -----------------------------------------------
# For consultants excluded only by time (outside their weekly windows, a
# busy period, another engagement), when they are usually free near the
# requested time, and the nearest start times (same length, within a week
# either side) that would fit the most of them. Computed in Python for the
# first page of them ``match`` returned (``by_time``, at most BY_TIME_PAGE)
# and the suggestions it returned, from the weekly windows it loaded, plus
# two queries (busy periods and bookings in that fortnight), whatever the
# number of consultants (tests/engagements/test_time_suggestions.py).

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
    return candidate.by_time


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
    waiting = result.by_time
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


# --- Going with a peer: pairs among the suggestions ---------------------------------------
# A consultant may say she would rather go with a peer (``prefers_peer``,
# her choice in the portal). For each such consultant among the suggestions
# shown (in their order), a partner from the same suggestions, ranked by:
# they have worked together before (both attended the same engagement), then,
# when she is newer, an experienced one, then fairness (fewer engagements
# lately, then the ranking). Each consultant is in one pair at most, and the
# pairs fit the places left (``consultants_wanted`` less those invited,
# accepted or confirmed): none when fewer than two are left. One query over
# the suggestions shown (never everyone), whatever the data
# (tests/engagements/test_pairs.py).

# Engagements attended: at most this many is "newer", at least that many
# "experienced".
NEWER_AT_MOST = 2
EXPERIENCED_AT_LEAST = 5


@dataclass(frozen=True)
class Pair:
    """``first`` would rather go with a peer; ``second`` is proposed to go
    with her; ``reasons`` say why, in words."""

    first: Candidate
    second: Candidate
    reasons: list[str]


@dataclass(frozen=True)
class _Peer:
    attended: int
    # Other consultant's id: (times they attended the same engagement, the
    # title of the latest one the viewer may see, or None).
    together: dict[int, tuple[int, str | None]]


# Positional parameters: the ids shown, "attended", the viewer's visible
# engagements (a subquery), this engagement, the statuses still on it, the
# ids shown again.
_PEERS_SQL = """
WITH mine AS (
    SELECT consultant_id, engagement_id
    FROM engagements_participation
    WHERE consultant_id = ANY(%s) AND status = %s
),
attended AS (
    SELECT consultant_id, count(*) AS n FROM mine GROUP BY consultant_id
),
together AS (
    SELECT a.consultant_id AS one, b.consultant_id AS other, count(*) AS times,
           (array_agg(e.title ORDER BY e.start DESC, e.id DESC)
               FILTER (WHERE e.id IN ({visible})))[1] AS title
    FROM mine a
    JOIN mine b ON b.engagement_id = a.engagement_id AND b.consultant_id <> a.consultant_id
    JOIN engagements_engagement e ON e.id = a.engagement_id
    GROUP BY a.consultant_id, b.consultant_id
)
SELECT shown.id,
       coalesce(attended.n, 0) AS attended,
       (SELECT jsonb_agg(jsonb_build_array(other, times, title))
        FROM together WHERE together.one = shown.id) AS together,
       (SELECT count(*) FROM engagements_participation
        WHERE engagement_id = %s AND status = ANY(%s)) AS taken
FROM unnest(%s::bigint[]) AS shown(id)
LEFT JOIN attended ON attended.consultant_id = shown.id
"""


def _peers(
    *, engagement: Engagement, ids: list[int], visible: QuerySet[Engagement]
) -> tuple[dict[int, _Peer], int]:
    """What pairing reads of the consultants ``ids``, and the places taken
    on ``engagement`` (one query)."""
    try:
        visible_sql, visible_params = visible.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # ``.none()``: no title is named
        visible_sql, visible_params = "SELECT NULL::bigint WHERE false", ()
    params = [
        ids,
        Participation.Status.ATTENDED.value,
        *visible_params,
        engagement.pk,
        sorted(Participation.PENDING),
        ids,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_PEERS_SQL.format(visible=visible_sql), params)
        rows = cursor.fetchall()
    peers: dict[int, _Peer] = {}
    taken = rows[0][3] if rows else 0
    for pk, attended, together, _taken in rows:
        if isinstance(together, str):
            together = json.loads(together)
        peers[pk] = _Peer(
            attended=attended,
            together={other: (times, title) for other, times, title in together or []},
        )
    return peers, taken


def _pair_reasons(first: Candidate, second: Candidate, peers: dict[int, _Peer]) -> list[str]:
    one, other = first.consultant, second.consultant
    reasons = [gettext("%(pseudonym)s would rather go with a peer.") % {"pseudonym": one.pseudonym}]
    times, title = peers[one.pk].together.get(other.pk, (0, None))
    if times and title:
        reasons.append(gettext("They worked together on %(engagement)s.") % {"engagement": title})
    elif times:
        reasons.append(
            ngettext(
                "They have worked together once before.",
                "They have worked together %(count)s times before.",
                times,
            )
            % {"count": times}
        )
    few, many = peers[one.pk].attended, peers[other.pk].attended
    if few <= NEWER_AT_MOST and many >= EXPERIENCED_AT_LEAST:
        reasons.append(
            gettext(
                "Newer with experienced (engagements attended: %(newer)s %(few)s, "
                "%(experienced)s %(many)s)."
            )
            % {"newer": one.pseudonym, "few": few, "experienced": other.pseudonym, "many": many}
        )
    if not times and len(reasons) == 1:
        reasons.append(
            gettext("%(pseudonym)s comes next by fit and fairness.")
            % {"pseudonym": other.pseudonym}
        )
    if other.prefers_peer:
        reasons.append(
            gettext("%(pseudonym)s would rather go with a peer too.")
            % {"pseudonym": other.pseudonym}
        )
    return reasons


def propose_pairs(
    *, engagement: Engagement, result: MatchResult, visible: QuerySet[Engagement]
) -> list[Pair]:
    """Pairs among ``result.suggestions`` (see above). ``visible``: the
    engagements the viewer may see, the only ones a reason names. One
    query."""
    suggested = list(result.suggestions)
    peers, taken = _peers(
        engagement=engagement, ids=[c.consultant.pk for c in suggested], visible=visible
    )
    places = engagement.consultants_wanted - taken
    order = {c.consultant.pk: n for n, c in enumerate(suggested)}
    pairs: list[Pair] = []
    paired: set[int] = set()
    for first in suggested:
        if len(pairs) >= places // 2:
            break
        me = first.consultant.pk
        if not first.consultant.prefers_peer or me in paired:
            continue
        newer = peers[me].attended <= NEWER_AT_MOST
        options = [c for c in suggested if c.consultant.pk not in paired | {me}]
        if not options:
            break

        def rank(option: Candidate, me: int = me, newer: bool = newer) -> tuple:
            pk = option.consultant.pk
            times = peers[me].together.get(pk, (0, None))[0]
            experienced = peers[pk].attended >= EXPERIENCED_AT_LEAST
            return (
                -times,
                not (newer and experienced),
                option.recent_count,
                option.month_count,
                order[pk],
            )

        second = min(options, key=rank)
        pairs.append(Pair(first, second, _pair_reasons(first, second, peers)))
        paired |= {me, second.consultant.pk}
    return pairs
