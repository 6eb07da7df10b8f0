"""Reads for the consultant pages. Every list is scoped by
``consultants.access.consultants_visible_to`` and runs a fixed number of
queries whatever its length (tests/consultants/test_selectors.py)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultants.access import consultants_visible_to
from consultants.models import (
    BusyPeriod,
    ConsentRecord,
    ConsentScope,
    ConsentText,
    Consultant,
    ExpertiseTopic,
    StatusChange,
    WeeklyAvailability,
)
from core.encryption import encrypted_field_names

if TYPE_CHECKING:
    from accounts.access import AnyUser

# --- This month's load ----------------------------------------------------------------

# How many engagements a consultant takes part in during a month is known to
# the engagements app, which this app may not import. That app registers a
# source here when it loads (its AppConfig.ready): a function of the month's
# first and last day returning a subquery expression (an integer) about
# OuterRef("pk"). Until one is registered every load is 0. An expression, not
# a query per row, so the directory's query count stays fixed.
MonthlyLoadSource = Callable[[datetime.date, datetime.date], models.Expression]
_monthly_load_sources: list[MonthlyLoadSource] = []


def register_monthly_load(source: MonthlyLoadSource) -> None:
    if source not in _monthly_load_sources:
        _monthly_load_sources.append(source)


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def monthly_load_expression(*, day: datetime.date | None = None) -> models.Expression:
    """The number of engagements of the month of ``day`` (default: today), per consultant."""
    first, last = month_bounds(day or timezone.localdate())
    total: models.Expression = Value(0)
    for source in _monthly_load_sources:
        total = total + Coalesce(source(first, last), Value(0))
    return models.ExpressionWrapper(total, output_field=models.IntegerField())


def consultant_month_load(*, consultant: Consultant, day: datetime.date | None = None) -> int:
    """One consultant's engagements in the month of ``day`` (detail page)."""
    return (
        Consultant.objects.filter(pk=consultant.pk)
        .annotate(month_load=monthly_load_expression(day=day))
        .values_list("month_load", flat=True)
        .get()
    )


class Load(models.TextChoices):
    """The directory's "this month's load" filter."""

    NONE = "none", _("No engagements yet")
    ROOM = "room", _("Below their monthly limit")
    FULL = "full", _("At or above their monthly limit")


# --- Directory ---------------------------------------------------------------------


def available_on_q(day: datetime.date) -> Q:
    """Consultants who can be asked for ``day``: active (or on a break that
    ended before it), no busy period covering it, a weekly window on its weekday."""
    busy = BusyPeriod.objects.filter(
        consultant=OuterRef("pk"), starts_on__lte=day, ends_on__gte=day
    )
    window = WeeklyAvailability.objects.filter(consultant=OuterRef("pk"), weekday=day.weekday())
    return (
        (
            Q(status=Consultant.Status.ACTIVE)
            | Q(status=Consultant.Status.ON_BREAK, break_until__lt=day)
        )
        & ~Exists(busy)
        & Exists(window)
    )


def consultant_directory(
    *,
    user,
    search: str = "",
    status: str | None = None,
    expertise: str | None = None,
    language: str | None = None,
    region: str | None = None,
    available_on: datetime.date | None = None,
    load: str | None = None,
) -> QuerySet[Consultant]:
    """The staff directory: what ``user`` may see, searched by pseudonym only
    and filtered; ordered by pseudonym. ``expertise`` is a topic slug,
    ``language`` a ``Language`` value, ``load`` a ``Load`` value; each row
    carries ``month_load``, this month's engagements. Paginate the result:
    the page costs one query for the rows and one for their expertise topics."""
    queryset = consultants_visible_to(user).annotate(month_load=monthly_load_expression())
    if search := search.strip():
        queryset = queryset.filter(pseudonym__icontains=search)
    if status:
        queryset = queryset.filter(status=status)
    if expertise:
        queryset = queryset.filter(expertise__slug=expertise)
    if language:
        queryset = queryset.filter(spoken_languages__contains=[language])
    if region:
        queryset = queryset.filter(region=region)
    if available_on is not None:
        queryset = queryset.filter(available_on_q(available_on))
    if load == Load.NONE:
        queryset = queryset.filter(month_load=0)
    elif load == Load.ROOM:
        queryset = queryset.filter(month_load__lt=F("monthly_engagement_limit"))
    elif load == Load.FULL:
        queryset = queryset.filter(month_load__gte=F("monthly_engagement_limit"))
    # Encrypted fields are not even read: a list never shows them, and a bad
    # key then cannot take the directory down.
    return queryset.defer(*encrypted_field_names(Consultant)).prefetch_related(
        Prefetch("expertise", queryset=ExpertiseTopic.objects.order_by("name"))
    )


def expertise_topics(*, include_retired: bool = False) -> QuerySet[ExpertiseTopic]:
    topics = ExpertiseTopic.objects.all()
    return topics if include_retired else topics.filter(is_active=True)


# --- One consultant ---------------------------------------------------------------------


def consultant_with_details(*, consultant: Consultant) -> Consultant:
    """The consultant with expertise, weekly windows and busy periods still to
    come prefetched (detail page, portal home)."""
    today = timezone.localdate()
    return (
        Consultant.objects.filter(pk=consultant.pk)
        .prefetch_related(
            Prefetch("expertise", queryset=ExpertiseTopic.objects.order_by("name")),
            Prefetch("weekly_windows", queryset=WeeklyAvailability.objects.all()),
            Prefetch(
                "busy_periods",
                queryset=BusyPeriod.objects.filter(ends_on__gte=today),
                to_attr="upcoming_busy_periods",
            ),
        )
        .get()
    )


def privacy_choices_of(*, user: AnyUser) -> tuple[bool, str]:
    """(exit signs out, discretion) of a signed-in consultant; the defaults
    for anyone else (no profile, staff). One query, only of two columns."""
    row = (
        Consultant.objects.filter(user_id=user.pk)
        .values_list("exit_signs_out", "discretion")
        .first()
        if user.is_authenticated
        else None
    )
    return row or (True, Consultant.Discretion.SHARED_PHONE.value)


def status_history(*, consultant: Consultant) -> QuerySet[StatusChange]:
    """Newest first. ``reason`` is encrypted: show it to those who may change status."""
    return StatusChange.objects.filter(consultant=consultant).select_related("changed_by")


def weekly_windows(*, consultant: Consultant) -> QuerySet[WeeklyAvailability]:
    return WeeklyAvailability.objects.filter(consultant=consultant)


def busy_periods(
    *, consultant: Consultant, from_date: datetime.date | None = None
) -> QuerySet[BusyPeriod]:
    periods = BusyPeriod.objects.filter(consultant=consultant)
    if from_date is not None:
        periods = periods.filter(ends_on__gte=from_date)
    return periods


# --- Consent ----------------------------------------------------------------------------


def consent_text_current(*, scope: str) -> ConsentText | None:
    """The latest published text of a scope: what a consultant is shown now,
    with its translations (``body_for`` then asks nothing more)."""
    return (
        ConsentText.objects.filter(scope=scope, published_at__isnull=False)
        .prefetch_related("translations")
        .order_by("-version")
        .first()
    )


def consent_texts_current(*, with_words: bool = False) -> dict[str, ConsentText]:
    """The latest published text of every scope that has one (one query;
    ``with_words``: and their translations, for ``body_for``, in a second)."""
    texts = (
        ConsentText.objects.filter(published_at__isnull=False)
        .order_by("scope", "-version")
        .distinct("scope")
    )
    if with_words:
        texts = texts.prefetch_related("translations")
    return {text.scope: text for text in texts}


def consent_latest_records(
    *, consultants: Iterable[Consultant] | QuerySet[Consultant]
) -> QuerySet[ConsentRecord]:
    """The latest record per (consultant, scope): one query, DISTINCT ON."""
    return (
        ConsentRecord.objects.filter(consultant__in=consultants)
        .order_by("consultant_id", "scope", "-recorded_at", "-id")
        .distinct("consultant_id", "scope")
        .select_related("consent_text")
    )


def consent_current(
    *, consultants: Iterable[Consultant] | QuerySet[Consultant]
) -> dict[int, dict[str, ConsentRecord]]:
    """``{consultant_id: {scope: latest record}}`` for many consultants in one
    query. A scope with no record is absent; one whose latest record is a
    withdrawal is present with ``is_grant == False``."""
    state: dict[int, dict[str, ConsentRecord]] = {}
    for record in consent_latest_records(consultants=consultants):
        state.setdefault(record.consultant_id, {})[record.scope] = record
    return state


def consent_state(*, consultant: Consultant) -> dict[str, ConsentRecord | None]:
    """Every scope of one consultant, in the order of ``ConsentScope``, with its
    latest record or None (never asked)."""
    latest = consent_current(consultants=[consultant]).get(consultant.pk, {})
    return {scope: latest.get(scope) for scope in ConsentScope.values}


def consent_grant_standing(*, consultant: Consultant, scope: str) -> ConsentRecord | None:
    """The grant for ``scope`` that stands right now, with its text and the
    text's translations (to show what she agreed to), or None."""
    record = (
        ConsentRecord.objects.filter(consultant=consultant, scope=scope)
        .select_related("consent_text")
        .prefetch_related("consent_text__translations")
        .order_by("-recorded_at", "-id")
        .first()
    )
    return record if record is not None and record.is_grant else None


def consent_is_granted(*, consultant: Consultant, scope: str) -> bool:
    """Whether the consultant's consent for ``scope`` stands right now."""
    record = (
        ConsentRecord.objects.filter(consultant=consultant, scope=scope)
        .order_by("-recorded_at", "-id")
        .only("action")
        .first()
    )
    return record is not None and record.is_grant


def consultants_with_consent(
    *, scope: str, queryset: QuerySet[Consultant] | None = None
) -> QuerySet[Consultant]:
    """Narrow ``queryset`` (every consultant by default) to those whose
    consent for ``scope`` stands (for matching: "only people who agreed to be
    photographed"; for reports: "only people who agreed to be quoted")."""
    if queryset is None:
        queryset = Consultant.objects.all()
    latest = ConsentRecord.objects.filter(consultant=OuterRef("pk"), scope=scope).order_by(
        "-recorded_at", "-id"
    )
    return queryset.annotate(_latest_action=latest.values("action")[:1]).filter(
        _latest_action=ConsentRecord.Action.GRANTED
    )


def consent_history(*, consultant: Consultant) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(consultant=consultant).select_related(
        "consent_text", "recorded_by"
    )


def consultant_search(queryset: QuerySet[Consultant], text: str) -> QuerySet[Consultant]:
    """``queryset`` narrowed to pseudonyms holding every word of ``text``
    (core.search), by pseudonym; primary key and pseudonym only."""
    for word in text.split():
        queryset = queryset.filter(pseudonym__icontains=word)
    return queryset.only("pk", "pseudonym").order_by("pseudonym", "pk")
