"""Writing contributions, outcomes and partner feedback. Every function
checks permission through ``impact.access``, runs in one transaction and
leaves change history (``core.audit``: the models are registered).

Outcomes are append-only: recording one adds a row and moves the
contribution's ``status`` to it. A new outcome that is known (not
"unknown") tells each consultant who gave it, discreetly, through the
reminder kind ``outcome_changed`` (``impact.reminders``): its delivery rows
are written in this transaction and sent after the commit.

The partner's link (``feedback_link_send``): a random token of 32 bytes,
only its SHA-256 kept, valid ``LINK_VALIDITY``, single use, and a newer link
revokes the older. The address it goes to is used once and not kept.
``feedback_request_for_token`` returns None for a token that is unknown,
used, revoked or expired alike, so a guess learns nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from checklists import services as checklists_services
from consultants.models import Consultant
from core.audit import record_access, record_event
from core.emails import send_templated
from core.shortcuts import require
from engagements.models import Engagement, Participation
from impact import access
from impact.models import (
    Contribution,
    FeedbackRequest,
    FollowUpAnswer,
    Outcome,
    OutcomeStatus,
    PartnerFeedback,
    Work,
    WorkCredit,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from accounts.models import User

LINK_VALIDITY = datetime.timedelta(days=21)
# Who may be credited with a contribution: the consultants who took part.
TOOK_PART = (
    Participation.Status.ACCEPTED,
    Participation.Status.CONFIRMED,
    Participation.Status.ATTENDED,
)


def credit_candidates(engagement: Engagement) -> list[Consultant]:
    """The consultants of the engagement who may be credited (a few at most:
    an engagement wants at most 50)."""
    return list(
        Consultant.objects.filter(
            participations__engagement=engagement,
            participations__status__in=TOOK_PART,
        )
        .distinct()
        .order_by("pseudonym")
    )


def _check_consultants(engagement: Engagement, consultants: Iterable[Consultant]) -> list[int]:
    allowed = {consultant.pk for consultant in credit_candidates(engagement)}
    chosen = sorted({consultant.pk for consultant in consultants})
    if not chosen:
        raise ValidationError({"consultants": _("Choose at least one consultant.")})
    if not set(chosen) <= allowed:
        raise ValidationError(
            {"consultants": _("Only consultants who took part in this engagement.")}
        )
    return chosen


def contribution_create(
    *, engagement: Engagement, by: User, kind: str, summary: str, consultants: Iterable[Consultant]
) -> Contribution:
    require(access.can_record(by, engagement))
    with transaction.atomic():
        chosen = _check_consultants(engagement, consultants)
        contribution = Contribution(
            engagement=engagement, kind=kind, summary=summary.strip(), created_by=by
        )
        contribution.full_clean()
        contribution.save()
        contribution.consultants.set(chosen)
    return contribution


def contribution_update(
    *,
    contribution: Contribution,
    by: User,
    kind: str,
    summary: str,
    consultants: Iterable[Consultant],
) -> Contribution:
    require(access.can_record(by, contribution.engagement))
    with transaction.atomic():
        locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
        chosen = _check_consultants(locked.engagement, consultants)
        locked.kind = kind
        locked.summary = summary.strip()
        locked.full_clean()
        locked.save()
        locked.consultants.set(chosen)
    return locked


def outcome_earliest_day(engagement: Engagement) -> datetime.date:
    """The first day an outcome may be "as of": the engagement's first day in
    Manila (the site's time zone, whatever the server's)."""
    return timezone.localdate(engagement.start, timezone.get_default_timezone())


def outcome_record(
    *,
    contribution: Contribution,
    by: User,
    status: str,
    decided_on: datetime.date,
    note: str = "",
    shared_note: str = "",
    evidence_link: str = "",
    evidence_file: UploadedFile | None = None,
    now: datetime.datetime | None = None,
) -> Outcome:
    """Add an outcome (months after the engagement closed is fine, before it
    began is not: outcomes are append-only and the programme report counts
    them by the month of ``decided_on``, so a mistyped year would stay)."""
    require(access.can_record(by, contribution.engagement))
    now = now or timezone.now()
    if decided_on > timezone.localdate(now):
        raise ValidationError({"decided_on": _("This date is in the future.")})
    began = outcome_earliest_day(contribution.engagement)
    if decided_on < began:
        raise ValidationError(
            {
                "decided_on": _(
                    "This date is before the engagement began (%(day)s). "
                    "Give the date the outcome became known."
                )
                % {"day": date_format(began, "DATE_FORMAT")}
            }
        )
    with transaction.atomic():
        locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
        outcome = Outcome(
            contribution=locked,
            status=status,
            decided_on=decided_on,
            note=note.strip(),
            shared_note=shared_note.strip(),
            evidence_link=evidence_link.strip(),
            recorded_by=by,
            recorded_at=now,
        )
        if evidence_file:
            outcome.evidence_file = evidence_file
        outcome.full_clean()
        outcome.save()
        changed = locked.status != status
        locked.status = status
        locked.status_changed_at = now
        locked.save(update_fields=["status", "status_changed_at", "updated_at"])
        if status != OutcomeStatus.UNKNOWN and (changed or outcome.shared_note):
            from impact import reminders

            reminders.tell_consultants(
                outcome, consultant_ids=locked.consultants.values_list("pk", flat=True)
            )
            # Telling them is what the default checklist's last practice asks.
            checklists_services.item_mark_done_because(
                engagement=locked.engagement,
                key=checklists_services.INPUT_CHANGED_SHARED,
                by=by,
                now=now,
            )
    return outcome


def outcome_evidence_open(*, outcome: Outcome, by: User, request=None):
    """The evidence file, opened for reading, after writing the access to
    the audit trail."""
    require(access.can_view(by, outcome.contribution.engagement))
    if not outcome.evidence_file:
        raise ValidationError(_("This outcome has no evidence file."))
    with transaction.atomic():
        record_access(
            actor=by,
            instance=outcome,
            fields=["evidence_file"],
            reason=gettext_noop("Opened the evidence of an outcome"),
            request=request,
        )
    outcome.evidence_file.open("rb")
    return outcome.evidence_file


# --- The partner's one-time link -------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def feedback_link_send(
    *, engagement: Engagement, by: User, address: str, language: str | None = None, now=None
) -> FeedbackRequest:
    """A new link for the engagement's partner (an older open one stops
    working), sent to ``address`` after the commit; the address is not kept."""
    require(access.can_record(by, engagement))
    from allauth.utils import build_absolute_uri

    now = now or timezone.now()
    if engagement.status not in access.TOOK_PLACE:
        raise ValidationError(_("Ask the partner once the engagement has taken place."))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        Engagement.objects.select_for_update().filter(pk=engagement.pk).first()
        FeedbackRequest.objects.filter(engagement=engagement, used_at=None, revoked_at=None).update(
            revoked_at=now
        )
        link = FeedbackRequest(
            engagement=engagement,
            token_hash=_token_hash(token),
            created_by=by,
            created_at=now,
            expires_at=now + LINK_VALIDITY,
        )
        link.full_clean()
        link.save()
        record_event(link, actor=by, event="partner_link_sent")
        url = build_absolute_uri(None, reverse("partner_feedback:form", args=[token]))
        context = {"url": url, "expires": link.expires_at}
        transaction.on_commit(
            lambda: send_templated(
                "impact/emails/partner_link", to=[address], context=context, language=language
            )
        )
    return link


def feedback_request_for_token(token: str, *, now=None) -> FeedbackRequest | None:
    """The link this token opens, if it may still be used; None for every
    other case alike (unknown, altered, used, revoked, expired)."""
    now = now or timezone.now()
    if not token or len(token) > 100:
        return None
    link = (
        FeedbackRequest.objects.select_related("engagement")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if link is None or not link.is_open(now):
        return None
    return link


def feedback_submit(
    *,
    token: str,
    useful: str,
    will_change: str,
    follow_ups: Mapping[int, bool],
    now=None,
) -> PartnerFeedback | None:
    """Record the partner's answers and close the link, once: a second
    submission (a replay, two tabs) finds the link used and returns None."""
    now = now or timezone.now()
    with transaction.atomic():
        link = (
            FeedbackRequest.objects.select_for_update()
            .filter(token_hash=_token_hash(token))
            .first()
        )
        if link is None or not link.is_open(now):
            return None
        feedback = PartnerFeedback(
            request=link,
            engagement_id=link.engagement_id,
            useful=useful,
            will_change=will_change.strip(),
            submitted_at=now,
        )
        feedback.full_clean()
        feedback.save()
        known = set(
            Contribution.objects.filter(engagement_id=link.engagement_id).values_list(
                "pk", flat=True
            )
        )
        FollowUpAnswer.objects.bulk_create(
            FollowUpAnswer(feedback=feedback, contribution_id=pk, may_follow_up=answer)
            for pk, answer in follow_ups.items()
            if pk in known
        )
        link.used_at = now
        link.save(update_fields=["used_at"])
    return feedback


# --- Co-created works -------------------------------------------------------------------


def work_create(
    *,
    engagement: Engagement,
    by: User,
    title: str,
    kind: str,
    consultants: Iterable[Consultant],
    published_on: datetime.date | None = None,
    partners: str = "",
    link: str = "",
    file: UploadedFile | None = None,
) -> Work:
    """A work the engagement produced, with the consultants who helped make
    it. Each is credited "not at all" until she chooses otherwise."""
    require(access.can_record(by, engagement))
    with transaction.atomic():
        chosen = _check_consultants(engagement, consultants)
        work = Work(
            title=title.strip(),
            kind=kind,
            published_on=published_on,
            partners=partners.strip(),
            link=link.strip(),
            created_by=by,
        )
        if file:
            work.file = file
        work.full_clean()
        work.save()
        work.engagements.add(engagement)
        WorkCredit.objects.bulk_create(
            WorkCredit(work=work, consultant_id=pk, credit_as=WorkCredit.CreditAs.NONE)
            for pk in chosen
        )
    return work


def credit_choose(
    *, credit: WorkCredit, by: User, credit_as: str, chosen_name: str = ""
) -> WorkCredit:
    """Her own choice of how a work credits her (from the portal)."""
    consultant = access.consultant_of(by)
    require(consultant is not None and credit.consultant_id == consultant.pk)
    chosen_name = chosen_name.strip()
    if credit_as == WorkCredit.CreditAs.CHOSEN_NAME and not chosen_name:
        raise ValidationError({"chosen_name": _("Please write the name to credit.")})
    with transaction.atomic():
        locked = WorkCredit.objects.select_for_update().get(pk=credit.pk)
        locked.credit_as = credit_as
        locked.chosen_name = chosen_name if credit_as == WorkCredit.CreditAs.CHOSEN_NAME else ""
        locked.full_clean()
        locked.save()
    return locked
