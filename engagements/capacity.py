"""How many consultants an engagement has, against how many it wants.

A place is held by a participation that is accepted or confirmed
(``Participation.HOLDING_A_PLACE``). An engagement is **full** when the
places held reach ``consultants_wanted``: the workflow then refuses any
further acceptance ("now full") and closes the invitations still open
(``Participation.Status.FULL``); it counts under the engagement's row lock,
so three consultants saying yes at once to two places leave two in and one
told it is full (tests/engagements/test_capacity.py).

An engagement **needs people again** when someone stepped back from it and
the places held are fewer than wanted again, while it is still being
staffed or confirmed: computed in PostgreSQL from the participations
(``with_staffing_state``), so lists and the calendar learn it in the same
one query that reads their rows. The invitations closed as full do not
reopen by themselves: staff invite again, or those consultants rejoin from
their portal.
"""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from engagements.models import Engagement, Participation

E = Engagement.Status
P = Participation.Status

# Engagement statuses in which a place can be taken or given up and filled
# again (the workflow's ``ANSWERABLE``).
STAFFED = (E.STAFFING, E.CONFIRMED)

FULL_MESSAGE_CODE = "full"


def places_taken(engagement: Engagement) -> int:
    """Accepted and confirmed participations of ``engagement`` (one query,
    none when a selector annotated ``places_taken``). Inside a transaction
    that locked the engagement's row, the count cannot change under it."""
    annotated = getattr(engagement, "places_taken", None)
    if isinstance(annotated, int):
        return annotated
    return Participation.objects.filter(
        engagement_id=engagement.pk, status__in=Participation.HOLDING_A_PLACE
    ).count()


def is_full(engagement: Engagement) -> bool:
    return places_taken(engagement) >= engagement.consultants_wanted


def _places_taken_subquery() -> Coalesce:
    counted = (
        Participation.objects.filter(
            engagement_id=OuterRef("pk"), status__in=Participation.HOLDING_A_PLACE
        )
        .order_by()
        .values("engagement_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_staffing_state(queryset: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """Annotate ``places_taken`` and ``needs_people_again`` (a boolean): part
    of the one query that reads the rows, whatever their number. The
    "stepped back" subquery is served by the participations' (engagement,
    status) index."""
    stepped_back = Participation.objects.filter(engagement_id=OuterRef("pk"), status=P.WITHDRAWN)
    return queryset.annotate(
        places_taken=_places_taken_subquery(),
        someone_stepped_back=Exists(stepped_back),
    ).annotate(
        needs_people_again=Case(
            When(
                Q(status__in=STAFFED)
                & Q(someone_stepped_back=True)
                & Q(places_taken__lt=F("consultants_wanted")),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
