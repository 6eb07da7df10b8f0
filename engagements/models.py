"""Engagements: requests, their workflow history, privacy plans, the
participation of consultants, debriefs and feedback.

The status of an engagement, and of a participation, changes only through
``engagements.workflow`` (one place: permissions, conditions, history).

No double booking is a PostgreSQL rule: each participation carries a copy of
its engagement's time range (``Participation.period``, kept in step by the
services under a lock) and an exclusion constraint refuses two booked
participations of one consultant whose ranges overlap, whatever the number
of web processes, tabs or threads trying at once.

Pseudonym first: ``__str__`` of everything here is a neutral label, the
engagement's title or a consultant's pseudonym, never a legal name. Free-text
reasons (declining, stepping back), notes about a consultant's story, debrief
notes and support arrangements are encrypted (``core.encryption``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from consultants.models import Consultant, ExpertiseTopic, Language
from core.encryption import EncryptedTextField
from core.records import AppendOnlyModel

END_AFTER_START_MESSAGE = _("The engagement must end after it starts.")
DOUBLE_BOOKING_MESSAGE = _("This consultant already takes part in another engagement at that time.")
DOUBLE_BOOKING_CODE = "double_booking"
SCORE_MIN = 1
SCORE_MAX = 5
FEEDBACK_SCORES = ("felt_safe", "felt_respected", "was_prepared", "paid_fairly", "would_again")


class EngagementType(models.TextChoices):
    ROUNDTABLE = "roundtable", _("Roundtable")
    CONTENT = "content", _("Content development or review")
    STRATEGIC_PLANNING = "strategic_planning", _("Strategic planning")
    POLICY_CONSULTATION = "policy_consultation", _("Policy consultation")
    CONFERENCE = "conference", _("Conference or speaking")
    TRAINING = "training", _("Training")
    # Learning events (network.LearningEvent adds their kind and skills):
    # trainings and conferences above, and these two.
    LEADERSHIP_CAMP = "leadership_camp", _("Leadership camp")
    ORIENTATION = "orientation", _("Orientation")
    MEDIA_INTERVIEW = "media_interview", _("Media interview")
    LEGISLATIVE_HEARING = "legislative_hearing", _("Legislative hearing")
    PEER_SUPPORT = "peer_support", _("Peer-support session")
    RESEARCH_INTERVIEW = "research_interview", _("Research interview")
    OTHER = "other", _("Other")


class Audience(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    PARTNERS = "partners", _("Partners")
    GOVERNMENT = "government", _("Government")
    PUBLIC = "public", _("Public")
    MEDIA = "media", _("Media")


# Audiences outside the organisation and its partners: a privacy plan is
# required before confirmation, and consent to appear at public events
# (see matching).
EXPOSED_AUDIENCES = frozenset({Audience.GOVERNMENT, Audience.PUBLIC, Audience.MEDIA})


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


class Engagement(models.Model):
    """A request for consultants' expertise, from draft to closed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        STAFFING = "staffing", _("Staffing")
        CONFIRMED = "confirmed", _("Confirmed")
        COMPLETED = "completed", _("Completed")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    # Open: may still change, be cancelled, and have its details edited.
    OPEN_STATUSES = frozenset(
        {Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.STAFFING, Status.CONFIRMED}
    )
    # The badge each status wears on staff pages ("" is a plain badge):
    # engagements/staff/_status_badge.html.
    BADGE_TONES: dict[str, str] = {
        Status.DRAFT: "",
        Status.SUBMITTED: "warning",
        Status.APPROVED: "info",
        Status.DECLINED: "danger",
        Status.STAFFING: "info",
        Status.CONFIRMED: "success",
        Status.COMPLETED: "success",
        Status.CLOSED: "",
        Status.CANCELLED: "danger",
    }

    title = models.CharField(_("title"), max_length=160)
    purpose = models.TextField(_("purpose"), max_length=4000, blank=True)
    expected_contribution = models.TextField(
        _("what is asked of the consultants"), max_length=4000, blank=True
    )
    type = models.CharField(_("type"), max_length=24, choices=EngagementType.choices)
    requested_by = models.CharField(
        _("requesting team or partner organisation"), max_length=200, blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_engagements",
        verbose_name=_("owner"),
    )
    assigned_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="assigned_engagements",
        blank=True,
        verbose_name=_("assigned staff"),
        help_text=_("Programme staff who work on this engagement with its owner."),
    )
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    mode = models.CharField(_("in person or online"), max_length=10, choices=Mode.choices)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    online_link = models.URLField(_("online meeting link"), max_length=500, blank=True)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices)
    consultants_wanted = models.PositiveSmallIntegerField(
        _("consultants wanted"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    expertise = models.ManyToManyField(
        ExpertiseTopic,
        related_name="engagements",
        blank=True,
        verbose_name=_("expertise wanted"),
    )
    languages = ArrayField(
        models.CharField(max_length=8, choices=Language.choices),
        verbose_name=_("languages wanted"),
        default=list,
        blank=True,
    )
    preparation_hours = models.DecimalField(
        _("expected preparation hours"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(200)],
    )
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="engagements_engagement_end_after_start",
                violation_error_message=END_AFTER_START_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(consultants_wanted__gte=1),
                name="engagements_engagement_wants_someone",
            ),
            models.CheckConstraint(
                condition=Q(preparation_hours__gte=0),
                name="engagements_engagement_preparation_not_negative",
            ),
        ]
        indexes = [
            # The list's status filter and "needs me today" (submitted,
            # staffing soon, completed without a debrief), ordered by start.
            models.Index(fields=["status", "start"], name="engagements_status_start_idx"),
            # The staff list's order (start, then id), top-N without a sort.
            models.Index(fields=["start", "id"], name="engagements_list_order_idx"),
            # The calendar month and the list's date filter.
            models.Index(fields=["start", "end"], name="engagements_dates_idx"),
            # "Engagements I own" (staff scope, owner filter).
            models.Index(fields=["owner", "start"], name="engagements_owner_idx"),
            # Reminders' "after the end" kinds (debrief not written) sweep by
            # status and end.
            models.Index(fields=["status", "end"], name="engagements_status_end_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def badge_tone(self) -> str:
        """ "warning", "info", "success", "danger" or "" (see ``BADGE_TONES``)."""
        return self.BADGE_TONES.get(self.status, "")

    @property
    def needs_privacy_plan(self) -> bool:
        return self.audience in EXPOSED_AUDIENCES

    @property
    def period(self) -> tuple:
        return (self.start, self.end)

    def clean(self):
        super().clean()
        self.title = (self.title or "").strip()
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": END_AFTER_START_MESSAGE})
        if self.languages:
            self.languages = list(dict.fromkeys(self.languages))


class EngagementTransition(AppendOnlyModel):
    """One step of an engagement through its workflow: append-only, written
    by ``engagements.workflow`` only (the creation is a step from nothing)."""

    immutable_message = _("The workflow history is append-only.")

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="transitions")
    name = models.CharField(_("action"), max_length=24)
    from_status = models.CharField(
        _("from"), max_length=12, choices=Engagement.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=Engagement.Status.choices)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("engagement transition")
        verbose_name_plural = _("engagement transitions")
        ordering = ["at", "id"]
        indexes = [
            # The detail page's timeline, oldest first.
            models.Index(fields=["engagement", "at"], name="engagements_timeline_idx"),
        ]

    def __str__(self):
        return f"{self.engagement}: {self.from_status or '—'} → {self.to_status}"


class PrivacyPlan(models.Model):
    """How a consultant is protected at an engagement. Required before
    confirmation when the audience is government, public or media."""

    class Recording(models.TextChoices):
        NOT_ALLOWED = "not_allowed", _("Not allowed")
        PROTECTED = "protected", _("Allowed, face or voice protected")
        ALLOWED = "allowed", _("Allowed")

    engagement = models.OneToOneField(
        Engagement, on_delete=models.CASCADE, related_name="privacy_plan"
    )
    pseudonym_only = models.BooleanField(
        _("pseudonym only"),
        default=True,
        help_text=_("Consultants are named by pseudonym only, in person and in any record."),
    )
    photo = models.CharField(
        _("photographs"), max_length=12, choices=Recording.choices, default=Recording.NOT_ALLOWED
    )
    video = models.CharField(
        _("video"), max_length=12, choices=Recording.choices, default=Recording.NOT_ALLOWED
    )
    audio = models.CharField(
        _("audio recording"),
        max_length=12,
        choices=Recording.choices,
        default=Recording.NOT_ALLOWED,
    )
    face_and_voice_protection = models.TextField(
        _("face and voice protection"), max_length=2000, blank=True
    )
    seating_and_entry = models.TextField(
        _("seating and entry arrangements"), max_length=2000, blank=True
    )
    identity_known_to = models.TextField(
        _("who at the event may know a consultant's identity"), max_length=2000, blank=True
    )
    media_briefing = models.TextField(_("how media are briefed"), max_length=2000, blank=True)
    # May name a person: encrypted like the consultant's support person.
    support_person_present = EncryptedTextField(
        _("support person present"), max_length=1000, blank=True
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("privacy plan")
        verbose_name_plural = _("privacy plans")

    def __str__(self):
        return str(_("Privacy plan of %(engagement)s") % {"engagement": self.engagement})

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    def recording_scopes(self) -> set[str]:
        """Consent scopes a participant needs under this plan's recording rules."""
        from consultants.models import ConsentScope

        scopes = set()
        for field, scope in (
            ("photo", ConsentScope.PHOTO),
            ("video", ConsentScope.VIDEO),
            ("audio", ConsentScope.AUDIO),
        ):
            if getattr(self, field) != self.Recording.NOT_ALLOWED:
                scopes.add(scope)
        return scopes


class ParticipationRole(models.TextChoices):
    SPEAKER = "speaker", _("Speaker")
    PANELIST = "panelist", _("Panelist")
    ADVISER = "adviser", _("Adviser")
    CO_AUTHOR = "co_author", _("Co-author")
    REVIEWER = "reviewer", _("Reviewer")
    PARTICIPANT = "participant", _("Participant")
    # Leading a learning event or a session: paid like any part.
    FACILITATOR = "facilitator", _("Facilitator")
    CO_FACILITATOR = "co_facilitator", _("Co-facilitator")


class Participation(models.Model):
    """A consultant's invitation to, and part in, one engagement."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Invitation withdrawn")
        WITHDRAWN = "withdrawn", _("Stepped back")
        CONFIRMED = "confirmed", _("Confirmed")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not attend")
        CANCELLED = "cancelled", _("Engagement cancelled")
        # Enough consultants said yes before this invitation was answered:
        # closed by the workflow, never by a person (engagements.workflow).
        FULL = "full", _("Closed: now full")

    # The consultant's time is held: at most one of these per moment.
    BOOKED = frozenset({Status.ACCEPTED, Status.CONFIRMED, Status.ATTENDED})
    # Still part of the engagement (one per consultant and engagement).
    LIVE = frozenset(
        {Status.INVITED, Status.ACCEPTED, Status.CONFIRMED, Status.ATTENDED, Status.NO_SHOW}
    )
    # Waiting for, or holding, the consultant: what cancellation ends.
    PENDING = frozenset({Status.INVITED, Status.ACCEPTED, Status.CONFIRMED})
    # The badge each status wears on staff pages ("" is a plain badge):
    # engagements/staff/_participation_badge.html.
    BADGE_TONES: dict[str, str] = {
        Status.INVITED: "warning",
        Status.ACCEPTED: "info",
        Status.DECLINED: "danger",
        Status.REVOKED: "danger",
        Status.WITHDRAWN: "danger",
        Status.CONFIRMED: "success",
        Status.ATTENDED: "success",
        Status.NO_SHOW: "danger",
        Status.CANCELLED: "",
        Status.FULL: "",
    }
    # What the consultant reads about their part in a portal list
    # (engagements/portal/_item.html). Attended depends on their feedback;
    # any other status reads as its label, in lower case.
    PORTAL_SUMMARIES: dict[str, str | Promise] = {
        Status.INVITED: _("waiting for your answer"),
        Status.ACCEPTED: _("you said yes; the team will confirm"),
        Status.CONFIRMED: _("confirmed"),
        Status.WITHDRAWN: _("you stepped back"),
        Status.FULL: _("now full; thank you for being ready to help"),
    }
    # The places an engagement has filled: counted against
    # ``consultants_wanted`` (engagements.capacity).
    HOLDING_A_PLACE = frozenset({Status.ACCEPTED, Status.CONFIRMED})
    # She said no to this engagement herself: staff may not invite her to it
    # again; only she can change it, by rejoining from her portal.
    TURNED_AWAY = frozenset({Status.DECLINED, Status.WITHDRAWN})

    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="participations"
    )
    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(_("role"), max_length=16, choices=ParticipationRole.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.INVITED
    )
    # A copy of the engagement's [start, end), kept in step by the services:
    # what the no-double-booking constraint compares.
    period = DateTimeRangeField(_("time"))
    story_sharing = models.CharField(
        _("story sharing"), max_length=10, choices=Consultant.StorySharing.choices
    )
    # What the consultant chose to share, and with whom (theirs to write).
    story_sharing_note = EncryptedTextField(
        _("what I choose to share"), max_length=2000, blank=True
    )
    # Optional, never required; encrypted: it may be a health or family matter.
    decline_reason = EncryptedTextField(_("reason for declining"), max_length=2000, blank=True)
    withdrawal_reason = EncryptedTextField(
        _("reason for stepping back"), max_length=2000, blank=True
    )
    hours_given = models.DecimalField(
        _("hours already given"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(500)],
        help_text=_("Time given before stepping back; it is paid."),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    withdrawn_at = models.DateTimeField(_("stepped back at"), null=True, blank=True)
    attendance_marked_at = models.DateTimeField(_("attendance marked at"), null=True, blank=True)
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attendance marked by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["invited_at", "id"]
        constraints = [
            # No double booking. Its GiST index also serves matching's
            # "booked on an overlapping engagement" (consultant, period &&).
            ExclusionConstraint(
                name="engagements_no_double_booking",
                expressions=[
                    ("consultant", RangeOperators.EQUAL),
                    ("period", RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=["accepted", "confirmed", "attended"]),
                violation_error_code=DOUBLE_BOOKING_CODE,
                violation_error_message=DOUBLE_BOOKING_MESSAGE,
            ),
            # One live participation per consultant and engagement; after a
            # decline or a withdrawal the consultant may be invited again.
            # Also the index behind "participants of an engagement".
            models.UniqueConstraint(
                fields=["engagement", "consultant"],
                condition=Q(status__in=["invited", "accepted", "confirmed", "attended", "no_show"]),
                name="engagements_one_live_participation",
                violation_error_message=_("This consultant is already invited."),
            ),
            models.CheckConstraint(
                condition=Q(hours_given__isnull=True) | Q(hours_given__gte=0),
                name="engagements_participation_hours_not_negative",
            ),
        ]
        indexes = [
            # A consultant's invitations, upcoming and past (portal), and
            # matching's counts per consultant (recent, this month).
            models.Index(fields=["consultant", "status"], name="engagements_part_consultant"),
            # Reminders' "invitation waiting for an answer" sweeps open
            # invitations by age; a partial index keeps it small.
            models.Index(
                fields=["invited_at"],
                condition=Q(status="invited"),
                name="engagements_part_waiting",
            ),
            # Participants of an engagement by status (detail, confirm guard);
            # with the consultant, a period's booked consultants are read from
            # the index alone (the programme report's most engaged).
            models.Index(
                fields=["engagement", "status"],
                include=["consultant"],
                name="engagements_part_booked_who",
            ),
        ]

    def __str__(self):
        return f"{self.consultant}: {self.engagement}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    @property
    def is_booked(self) -> bool:
        return self.status in self.BOOKED

    @property
    def is_invited(self) -> bool:
        """Invited and not yet answered."""
        return self.status == self.Status.INVITED

    @property
    def badge_tone(self) -> str:
        """ "warning", "info", "success", "danger" or "" (see ``BADGE_TONES``)."""
        return self.BADGE_TONES.get(self.status, "")

    @property
    def portal_summary(self) -> str | Promise:
        """Their part in a few words, for the consultant (lazy). Attended
        reads by ``has_feedback``, which the portal selectors annotate."""
        if self.status == self.Status.ATTENDED:
            if getattr(self, "has_feedback", False):
                return _("you took part")
            return _("you took part · tell us how it went")
        if self.status in self.PORTAL_SUMMARIES:
            return self.PORTAL_SUMMARIES[self.status]
        return lazy(lambda: str(self.get_status_display()).lower(), str)()


class ParticipationChange(AppendOnlyModel):
    """One change of a participation's status: append-only, written by
    ``engagements.workflow``. The reason, when one was given, stays on the
    participation (encrypted), never here."""

    immutable_message = _("The participation history is append-only.")

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="changes"
    )
    from_status = models.CharField(
        _("from"), max_length=10, choices=Participation.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=10, choices=Participation.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("participation change")
        verbose_name_plural = _("participation changes")
        ordering = ["at", "id"]
        indexes = [
            # "Recent withdrawals" for staff, and one participation's history.
            models.Index(fields=["to_status", "at"], name="engagements_partchange_idx"),
        ]

    def __str__(self):
        return f"{self.participation}: {self.from_status or '—'} → {self.to_status}"


class Debrief(models.Model):
    """A staff note after the engagement: how it went, what follows."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="debriefs")
    held_on = models.DateField(_("held on"), default=timezone.localdate)
    # May describe how a consultant felt: encrypted.
    note = EncryptedTextField(_("note"), max_length=8000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("debrief")
        verbose_name_plural = _("debriefs")
        ordering = ["-created_at", "-id"]
        indexes = [
            # "Completed without a debrief" and the detail page.
            models.Index(fields=["engagement", "-created_at"], name="engagements_debrief_idx"),
        ]

    def __str__(self):
        return str(_("Debrief of %(engagement)s") % {"engagement": self.engagement})


def _score_field(label):
    return models.PositiveSmallIntegerField(
        label, validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )


class Feedback(models.Model):
    """The consultant's feedback on one engagement, from the portal. Scores
    from 1 (not at all) to 5 (very much). ``anonymous``: reports and staff
    pages show it without the pseudonym."""

    SCORES = FEEDBACK_SCORES

    participation = models.OneToOneField(
        Participation, on_delete=models.PROTECT, related_name="feedback"
    )
    felt_safe = _score_field(_("I felt safe"))
    felt_respected = _score_field(_("I felt respected"))
    was_prepared = _score_field(_("I was well prepared"))
    paid_fairly = _score_field(_("I was paid fairly"))
    would_again = _score_field(_("I would do it again"))
    comments = models.TextField(_("comments"), max_length=4000, blank=True)
    anonymous = models.BooleanField(
        _("anonymous"), default=False, help_text=_("Staff and reports do not see who wrote it.")
    )
    submitted_at = models.DateTimeField(_("given at"), default=timezone.now)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    **{f"{name}__gte": SCORE_MIN for name in FEEDBACK_SCORES},
                    **{f"{name}__lte": SCORE_MAX for name in FEEDBACK_SCORES},
                ),
                name="engagements_feedback_scores_in_range",
                violation_error_message=_("Scores go from 1 to 5."),
            ),
        ]

    def __str__(self):
        return str(_("Feedback #%(pk)s") % {"pk": self.pk})
