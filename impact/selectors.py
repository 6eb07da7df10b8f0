"""Reading contributions and outcomes: a fixed number of queries per page,
whatever an engagement holds (an engagement has a handful of contributions;
a consultant's list pages)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from consultants.models import ConsentScope, Consultant
from consultants.selectors import consultants_with_consent
from engagements.models import Engagement
from impact.models import (
    Contribution,
    FeedbackRequest,
    Outcome,
    OutcomeStatus,
    PartnerFeedback,
    Work,
    WorkCredit,
)


def quotable_ids(consultant_ids) -> set[int]:
    """Of these consultants, those whose consent to be quoted by pseudonym
    stands now (one query)."""
    return set(
        consultants_with_consent(
            scope=ConsentScope.QUOTING,
            queryset=Consultant.objects.filter(pk__in=list(consultant_ids)),
        ).values_list("pk", flat=True)
    )


def contributions_of_engagement(engagement: Engagement) -> list[Contribution]:
    """With their consultants (pseudonym; ``quotable`` marks those who may be
    named outside the team) and their latest outcome. Three queries."""
    contributions = list(
        Contribution.objects.filter(engagement=engagement)
        .prefetch_related(
            Prefetch(
                "consultants",
                queryset=Consultant.objects.only("pk", "pseudonym").order_by("pseudonym"),
            )
        )
        .order_by("created_at", "id")
    )
    ids = {c.pk for contribution in contributions for c in contribution.consultants.all()}
    quotable = quotable_ids(ids) if ids else set()
    for contribution in contributions:
        for consultant in contribution.consultants.all():
            setattr(consultant, "quotable", consultant.pk in quotable)  # noqa: B010
    return contributions


@dataclass(frozen=True)
class EngagementImpact:
    contributions: list[Contribution]
    unknown: int
    feedback: PartnerFeedback | None
    open_link: FeedbackRequest | None


def engagement_impact(engagement: Engagement) -> EngagementImpact:
    contributions = contributions_of_engagement(engagement)
    feedback = (
        PartnerFeedback.objects.filter(engagement=engagement)
        .prefetch_related("follow_ups")
        .order_by("-submitted_at", "-id")
        .first()
    )
    open_link = (
        FeedbackRequest.objects.filter(engagement=engagement, used_at=None, revoked_at=None)
        .order_by("-created_at")
        .first()
    )
    if feedback is not None:
        answers = {answer.contribution_id: answer for answer in feedback.follow_ups.all()}
        for contribution in contributions:
            setattr(contribution, "follow_up", answers.get(contribution.pk))  # noqa: B010
    return EngagementImpact(
        contributions=contributions,
        unknown=sum(1 for c in contributions if c.status == OutcomeStatus.UNKNOWN),
        feedback=feedback,
        open_link=open_link,
    )


def outcomes_of(contribution: Contribution) -> QuerySet[Outcome]:
    return Outcome.objects.filter(contribution=contribution).select_related("recorded_by")


def consultant_contributions(consultant: Consultant) -> QuerySet[Contribution]:
    """Her own contributions, newest engagement first, with their engagement
    and their latest outcome (``latest``: a prefetch of one)."""
    return (
        Contribution.objects.filter(consultants=consultant)
        .select_related("engagement")
        .prefetch_related(
            Prefetch(
                "outcomes",
                queryset=Outcome.objects.only(
                    "pk", "contribution_id", "status", "decided_on", "shared_note", "recorded_at"
                ).order_by("-recorded_at", "-id"),
                to_attr="history",
            )
        )
        .order_by("-engagement__start", "created_at", "id")
    )


def partner_view(engagement: Engagement) -> list[tuple[Contribution, list[str]]]:
    """What the partner's form shows: each contribution with the pseudonyms
    of those of its consultants who agreed to be quoted by pseudonym; the
    others are not named."""
    rows = []
    for contribution in contributions_of_engagement(engagement):
        rows.append(
            (
                contribution,
                [
                    c.pseudonym
                    for c in contribution.consultants.all()
                    if getattr(c, "quotable", False)
                ],
            )
        )
    return rows


# --- Co-created works -------------------------------------------------------------------


def credit_line(credit: WorkCredit, *, quotable: bool) -> str:
    """How the work names her: her choice, while her consent to be quoted
    stands; "" (not named) otherwise, or when she chose not to be."""
    if not quotable:
        return ""
    if credit.credit_as == WorkCredit.CreditAs.PSEUDONYM:
        return credit.consultant.pseudonym
    if credit.credit_as == WorkCredit.CreditAs.CHOSEN_NAME:
        return credit.chosen_name
    return ""


def works_of_engagement(engagement: Engagement) -> list[Work]:
    """The works an engagement produced, each with ``credit_lines`` (the
    names as the work may print them). Three queries."""
    works = list(
        Work.objects.filter(engagements=engagement)
        .prefetch_related(
            Prefetch(
                "credits",
                queryset=WorkCredit.objects.select_related("consultant").order_by(
                    "consultant__pseudonym"
                ),
            )
        )
        .order_by("-created_at", "-id")
    )
    ids = {credit.consultant_id for work in works for credit in work.credits.all()}
    quotable = quotable_ids(ids) if ids else set()
    for work in works:
        lines = []
        for credit in work.credits.all():
            line = credit_line(credit, quotable=credit.consultant_id in quotable)
            setattr(credit, "shown", line)  # noqa: B010
            if line:
                lines.append(line)
        setattr(work, "credit_lines", lines)  # noqa: B010
    return works


def consultant_credits(consultant: Consultant) -> QuerySet[WorkCredit]:
    """The works she is on (her own credits only)."""
    return (
        WorkCredit.objects.filter(consultant=consultant)
        .select_related("work")
        .order_by("-work__created_at", "-id")
    )
