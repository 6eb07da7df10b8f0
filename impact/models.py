"""What the consultants' voices changed: contributions, their outcomes,
partners' feedback through a one-time link, and the works they co-created.

* ``Contribution``: one thing the consultants of an engagement gave (a
  recommendation, a review, a testimony option proposed, content written),
  linked to the consultants who gave it. Its ``summary`` is the
  recommendation itself, the words a partner and the consultants read, so
  it is written as a recommendation, never as anyone's story (the form
  says so); it is plain text. ``status`` is the latest outcome's, kept in
  step by ``impact.services`` (lists and reminders read one column).
* ``Outcome``: what became of a contribution, append-only: a correction is
  a new outcome. Its ``note`` is the team's own (it may name partners'
  people or politics): encrypted, shown on the contribution page only
  (recorded view); the consultants read the status in plain words and
  ``shared_note``, written for them.
* ``FeedbackRequest`` / ``PartnerFeedback`` / ``FollowUpAnswer``: the
  partner's one-time link (only the SHA-256 of its random token is kept;
  the partner's address is used to send it and never stored) and what the
  partner answered.
* ``Work`` / ``WorkCredit``: the register of works consultants helped make.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultants.models import Consultant
from consultants.validators import evidence_kind, validate_evidence
from core.encryption import EncryptedTextField
from core.files import get_private_storage
from core.records import AppendOnlyModel
from engagements.models import Engagement


class OutcomeStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    UNDER_CONSIDERATION = "considering", _("Under consideration")
    ADOPTED = "adopted", _("Adopted")
    PARTLY_ADOPTED = "partly", _("Partly adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


# What a consultant reads for each status (the portal's "What your voice
# changed"): plain words, no jargon.
PLAIN_STATUS = {
    OutcomeStatus.UNKNOWN: _("We do not know yet what became of it."),
    OutcomeStatus.UNDER_CONSIDERATION: _("They are still thinking about it."),
    OutcomeStatus.ADOPTED: _("They took it up: your voice changed something."),
    OutcomeStatus.PARTLY_ADOPTED: _("They took up part of it."),
    OutcomeStatus.NOT_ADOPTED: _("They did not take it up this time."),
}

BADGE_TONES = {
    OutcomeStatus.UNKNOWN: "",
    OutcomeStatus.UNDER_CONSIDERATION: "info",
    OutcomeStatus.ADOPTED: "success",
    OutcomeStatus.PARTLY_ADOPTED: "success",
    OutcomeStatus.NOT_ADOPTED: "warning",
}


class Contribution(models.Model):
    class Kind(models.TextChoices):
        RECOMMENDATION = "recommendation", _("Recommendation")
        REVIEW = "review", _("Review")
        TESTIMONY_OPTION = "testimony_option", _("Testimony option proposed")
        CONTENT = "content", _("Content written")

    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="contributions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    summary = models.TextField(
        _("what they proposed"),
        max_length=1000,
        help_text=_(
            "The recommendation or the work itself, in a few lines. Partners and the "
            "consultants read it: never write anyone's story here."
        ),
    )
    consultants = models.ManyToManyField(
        Consultant,
        related_name="contributions",
        verbose_name=_("consultants who gave it"),
    )
    status = models.CharField(
        _("outcome"),
        max_length=12,
        choices=OutcomeStatus.choices,
        default=OutcomeStatus.UNKNOWN,
        editable=False,
    )
    status_changed_at = models.DateTimeField(_("outcome changed at"), null=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["engagement", "created_at"], name="impact_contrib_eng_idx"),
            models.Index(fields=["status", "engagement"], name="impact_contrib_status_idx"),
        ]

    def __str__(self):
        return str(_("Contribution #%(pk)s") % {"pk": self.pk})

    @property
    def badge_tone(self) -> str:
        return BADGE_TONES.get(self.status, "")

    @property
    def plain_status(self) -> str:
        return str(PLAIN_STATUS[OutcomeStatus(self.status)])


def outcome_evidence_upload_to(outcome: Outcome, filename: str) -> str:
    # A random name with the extension of what the content is: the
    # uploader's file name is never kept.
    kind = evidence_kind(outcome.evidence_file) or "bin"
    return f"impact-evidence/{uuid.uuid4().hex}.{kind}"


class Outcome(AppendOnlyModel):
    """What became of a contribution, as known on ``decided_on``."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.PROTECT, related_name="outcomes"
    )
    status = models.CharField(_("outcome"), max_length=12, choices=OutcomeStatus.choices)
    decided_on = models.DateField(_("as of"), default=timezone.localdate)
    # The team's own note: may name a partner's people or politics.
    note = EncryptedTextField(_("note for the team"), max_length=4000, blank=True)
    shared_note = models.TextField(
        _("what to tell the consultants"),
        max_length=1000,
        blank=True,
        help_text=_("Shown in the portal of the consultants who gave it, in these words."),
    )
    evidence_link = models.URLField(_("evidence link"), max_length=500, blank=True)
    evidence_file = models.FileField(
        _("evidence file"),
        storage=get_private_storage,
        upload_to=outcome_evidence_upload_to,
        max_length=200,
        blank=True,
        validators=[validate_evidence],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["contribution", "-recorded_at"], name="impact_outcome_idx"),
        ]

    def __str__(self):
        return str(_("Outcome #%(pk)s") % {"pk": self.pk})


class FeedbackRequest(models.Model):
    """A one-time link sent to a partner's contact. The link carries a random
    token; only its SHA-256 is kept. It works once, until ``expires_at``,
    and only while it is the engagement's newest."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="feedback_requests"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner feedback link")
        verbose_name_plural = _("partner feedback links")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True),
                name="impact_one_open_link_per_engagement",
            ),
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(revoked_at__isnull=True),
                name="impact_link_used_or_revoked_not_both",
            ),
        ]

    def __str__(self):
        return str(_("Partner feedback link #%(pk)s") % {"pk": self.pk})

    def is_open(self, now) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at


class PartnerFeedback(models.Model):
    class Useful(models.TextChoices):
        YES = "yes", _("Yes, very")
        PARTLY = "partly", _("In part")
        NO = "no", _("Not really")

    request = models.OneToOneField(
        FeedbackRequest, on_delete=models.PROTECT, related_name="feedback"
    )
    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="partner_feedback"
    )
    useful = models.CharField(_("was the session useful?"), max_length=8, choices=Useful.choices)
    will_change = models.TextField(_("what will you change?"), max_length=2000, blank=True)
    submitted_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        verbose_name = _("partner feedback")
        verbose_name_plural = _("partner feedback")
        ordering = ["-submitted_at", "-id"]

    def __str__(self):
        return str(_("Partner feedback #%(pk)s") % {"pk": self.pk})


class FollowUpAnswer(models.Model):
    """The partner's answer for one contribution: may we follow up on it?"""

    feedback = models.ForeignKey(
        PartnerFeedback, on_delete=models.CASCADE, related_name="follow_ups"
    )
    contribution = models.ForeignKey(
        Contribution, on_delete=models.PROTECT, related_name="follow_ups"
    )
    may_follow_up = models.BooleanField(_("may we follow up?"))

    class Meta:
        verbose_name = _("follow-up answer")
        verbose_name_plural = _("follow-up answers")
        constraints = [
            models.UniqueConstraint(
                fields=["feedback", "contribution"], name="impact_one_answer_per_contribution"
            ),
        ]

    def __str__(self):
        return str(_("Follow-up answer #%(pk)s") % {"pk": self.pk})


# --- Co-created works -------------------------------------------------------------------


def work_file_upload_to(work: Work, filename: str) -> str:
    kind = evidence_kind(work.file) or "bin"
    return f"impact-works/{uuid.uuid4().hex}.{kind}"


class Work(models.Model):
    """A work consultants helped make (a report, a training module, a
    video, a checklist), linked to the engagements that produced it."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Report")
        TRAINING = "training", _("Training module")
        VIDEO = "video", _("Video")
        CHECKLIST = "checklist", _("Checklist or guide")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    partners = models.CharField(_("partners"), max_length=300, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(
        _("file"),
        storage=get_private_storage,
        upload_to=work_file_upload_to,
        max_length=200,
        blank=True,
        validators=[validate_evidence],
    )
    engagements = models.ManyToManyField(
        Engagement, related_name="works", verbose_name=_("engagements")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("co-created work")
        verbose_name_plural = _("co-created works")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return str(_("Work #%(pk)s") % {"pk": self.pk})


class WorkCredit(models.Model):
    """One consultant on a work, and how she chose to be credited. What is
    shown is her choice while her consent to be quoted stands, and nothing
    once it is withdrawn (``impact.selectors.credit_line``)."""

    class CreditAs(models.TextChoices):
        PSEUDONYM = "pseudonym", _("By my pseudonym")
        CHOSEN_NAME = "chosen_name", _("By a name I choose")
        NONE = "none", _("Not at all")

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="credits")
    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="work_credits"
    )
    credit_as = models.CharField(
        _("credit me"), max_length=12, choices=CreditAs.choices, default=CreditAs.NONE
    )
    chosen_name = models.CharField(_("the name to credit"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("work credit")
        verbose_name_plural = _("work credits")
        constraints = [
            models.UniqueConstraint(fields=["work", "consultant"], name="impact_one_credit_each"),
        ]

    def __str__(self):
        return str(_("Work credit #%(pk)s") % {"pk": self.pk})
