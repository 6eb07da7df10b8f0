"""Demo data: what the consultants of two past demo engagements proposed,
and what became of it (one adopted, one under consideration, one still
unknown). Invented; never real data. Safe to re-run: an engagement that
has contributions is left as it is. One co-created work, from the
co-design review, on which Amihan chose to be credited by pseudonym.
Outcomes are dated in the past, so nobody is told of them as news."""

from __future__ import annotations

import datetime

from django.utils import timezone

from engagements.models import Engagement
from impact import services
from impact.models import Contribution, OutcomeStatus, Work, WorkCredit

DEMO = {
    "Programme co-design review": [
        (
            "recommendation",
            "DEMO. Hold peer-support circles in small groups, with a survivor leader "
            "co-facilitating.",
            OutcomeStatus.ADOPTED,
            "The programme now runs its circles this way.",
        ),
        (
            "testimony_option",
            "DEMO. Offer recorded or written input for anyone who would rather not "
            "speak in the room.",
            OutcomeStatus.UNDER_CONSIDERATION,
            "The team is trying it in two regions first.",
        ),
    ],
    "Training design session": [
        (
            "content",
            "DEMO. Rewrote the module's case examples so that no survivor's story is retold.",
            OutcomeStatus.UNKNOWN,
            "",
        ),
    ],
}


def seed() -> list[str]:
    created: list[str] = []
    engagements = Engagement.objects.filter(
        title__in=list(DEMO), purpose__startswith="DEMO"
    ).select_related("owner")
    for engagement in engagements:
        if Contribution.objects.filter(engagement=engagement).exists():
            continue
        candidates = services.credit_candidates(engagement)
        if not candidates:
            continue
        for kind, summary, status, shared in DEMO[engagement.title]:
            contribution = services.contribution_create(
                engagement=engagement,
                by=engagement.owner,
                kind=kind,
                summary=summary,
                consultants=candidates,
            )
            created.append(f"{engagement.title}: {contribution}")
            if status != OutcomeStatus.UNKNOWN:
                recorded = min(
                    timezone.now() - datetime.timedelta(days=1),
                    engagement.end + datetime.timedelta(days=30),
                )
                services.outcome_record(
                    contribution=contribution,
                    by=engagement.owner,
                    status=status,
                    decided_on=timezone.localdate(recorded),
                    shared_note=shared,
                    note="DEMO. Heard from the partner's programme lead.",
                    now=recorded,
                )
    created += _seed_work()
    return created


WORK_TITLE = "DEMO. Peer-support circle guide"


def _seed_work() -> list[str]:
    engagement = Engagement.objects.filter(
        title="Programme co-design review", purpose__startswith="DEMO"
    ).first()
    if engagement is None or Work.objects.filter(title=WORK_TITLE).exists():
        return []
    candidates = services.credit_candidates(engagement)
    if not candidates:
        return []
    work = services.work_create(
        engagement=engagement,
        by=engagement.owner,
        title=WORK_TITLE,
        kind=Work.Kind.CHECKLIST,
        consultants=candidates,
        published_on=timezone.localdate(engagement.end + datetime.timedelta(days=20)),
        partners="DEMO partner network",
    )
    WorkCredit.objects.filter(work=work, consultant__pseudonym="Amihan").update(
        credit_as=WorkCredit.CreditAs.PSEUDONYM
    )
    return [f"{engagement.title}: {work}"]
