"""The survivor network: a programme's survivors growing, meeting as peers
and leading, beside the engagements they are booked for.

* ``Network``: the programme's survivor network (e.g. the Philippine
  Survivor Network), with its name and its policies: which audiences need
  a survivor leader's advisory review before approval, whether leaders
  need a second factor, what a review and a circle meeting pay.
* ``Leadership``: a consultant named a survivor leader of a network, from
  a date until a date. The ``survivor_leader`` role (accounts) follows the
  open rows (``network.services.leader_name`` / ``leader_end``).
* ``LearningEvent``: a training, leadership camp, orientation or conference.
  It *is* an engagement (one-to-one), so invitations, attendance, privacy
  plans, checklists, allowances and pay go through the engagement workflow
  unchanged; this row adds its kind, the skills it builds and the staff who
  facilitate it (consultants facilitate as participations with the role
  facilitator or co-facilitator, and are paid like any part).
* ``SkillEvidence``: a skill (an ``ExpertiseTopic``) a consultant has
  gained, with where it came from (a learning event she attended, an
  engagement, a mentor's sign-off, staff). Matching reads it as evidence
  beside the tags staff set. Withdrawn, never deleted.
* ``Pathway`` / ``PathwayStep`` / ``StepReached``: the growth pathways the
  programme defines (consultant → co-facilitator → trainer → survivor
  leader) and the steps a consultant has reached.
* ``Reflection``: what she has done, learned and led, in her own words
  (encrypted; hers, shared with the team only if she says so).
* ``PeerCircle`` / ``CircleMembership`` / ``CircleMeeting`` /
  ``CircleAttendance``: small groups with a facilitator. No messages or
  files live in Tinig: they meet elsewhere; Tinig keeps who, when and the
  allowance.
* ``AdvisoryReview``: a survivor leader's advice on an incoming request
  (recommend / with changes / do not recommend), seen by staff before
  approval and required for the audiences the network names.
* ``NetworkLedEngagement`` / ``NetworkLedWork``: engagements and works the
  network led, for the programme report.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultants.models import Consultant, ExpertiseTopic
from core.encryption import EncryptedTextField
from engagements.models import Audience, Engagement, Mode
from impact.models import Work


def _money(verbose_name, **kwargs):
    return models.DecimalField(
        verbose_name,
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000000"))],
        **kwargs,
    )


class Network(models.Model):
    name = models.CharField(_("name"), max_length=160, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    description = models.TextField(_("what it is"), max_length=2000, blank=True)
    review_required_audiences = ArrayField(
        models.CharField(max_length=12, choices=Audience.choices),
        verbose_name=_("audiences that need a leader's review before approval"),
        default=list,
        blank=True,
    )
    leaders_need_mfa = models.BooleanField(
        _("leaders sign in with a second factor"),
        default=True,
        help_text=_("Their area shows requests before they are public."),
    )
    review_fee = _money(_("honorarium for an advisory review (PHP)"), default=Decimal("500.00"))
    circle_allowance = _money(
        _("allowance for attending a paid peer circle meeting (PHP)"), default=Decimal("300.00")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("survivor network")
        verbose_name_plural = _("survivor networks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name


class Leadership(models.Model):
    """A consultant named a survivor leader of a network, for a time."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="leaderships")
    consultant = models.ForeignKey(Consultant, on_delete=models.PROTECT, related_name="leaderships")
    since = models.DateField(_("leader since"), default=timezone.localdate)
    until = models.DateField(_("leader until"), null=True, blank=True)
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("survivor leader")
        verbose_name_plural = _("survivor leaders")
        ordering = ["-since", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "consultant"],
                condition=Q(until__isnull=True),
                name="network_one_open_leadership",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="network_leadership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultant} ({self.network})"


class LearningEvent(models.Model):
    """A training, leadership camp, orientation or conference: an engagement
    with the skills it builds (see the module docstring for why)."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("Training")
        LEADERSHIP_CAMP = "leadership_camp", _("Leadership camp")
        ORIENTATION = "orientation", _("Orientation")
        CONFERENCE = "conference", _("Conference")

    engagement = models.OneToOneField(
        Engagement, on_delete=models.PROTECT, related_name="learning_event"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    skills = models.ManyToManyField(
        ExpertiseTopic, related_name="learning_events", verbose_name=_("skills it builds")
    )
    staff_facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="+",
        blank=True,
        verbose_name=_("staff who facilitate"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("learning event")
        verbose_name_plural = _("learning events")
        ordering = ["-engagement__start", "id"]

    def __str__(self) -> str:
        return str(self.engagement)


class SkillEvidence(models.Model):
    """A skill a consultant has gained, and where it came from."""

    class Source(models.TextChoices):
        LEARNING_EVENT = "learning_event", _("A learning event she attended")
        ENGAGEMENT = "engagement", _("An engagement")
        MENTOR = "mentor", _("A mentor's sign-off")
        STAFF = "staff", _("Recorded by staff")

    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="skill_evidence"
    )
    skill = models.ForeignKey(
        ExpertiseTopic, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("skill")
    )
    source = models.CharField(_("where it came from"), max_length=16, choices=Source.choices)
    engagement = models.ForeignKey(
        Engagement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="skill_evidence",
        verbose_name=_("learning event or engagement"),
    )
    mentor = models.ForeignKey(
        Consultant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="skills_signed_off",
        verbose_name=_("mentor"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    gained_on = models.DateField(_("gained on"), default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.CharField(_("why it was withdrawn"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("skill gained")
        verbose_name_plural = _("skills gained")
        ordering = ["-gained_on", "-id"]
        indexes = [
            models.Index(
                fields=["consultant", "skill"],
                condition=Q(withdrawn_at__isnull=True),
                name="network_skill_current_idx",
            )
        ]
        constraints = [
            # One piece of evidence per skill and event or engagement.
            models.UniqueConstraint(
                fields=["consultant", "skill", "engagement"],
                condition=Q(withdrawn_at__isnull=True, engagement__isnull=False),
                name="network_one_skill_per_engagement",
            ),
            models.CheckConstraint(
                condition=(
                    Q(source__in=["learning_event", "engagement"], engagement__isnull=False)
                    | Q(source="mentor", mentor__isnull=False)
                    | Q(source="staff")
                ),
                name="network_skill_source_named",
            ),
            models.CheckConstraint(
                condition=Q(mentor__isnull=True) | ~Q(mentor=F("consultant")),
                name="network_skill_not_own_mentor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ({self.get_source_display()})"


class Pathway(models.Model):
    """A way to grow that the programme defines, as ordered steps."""

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, null=True, blank=True, related_name="pathways"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PathwayStep(models.Model):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("what it means"), max_length=1000, blank=True)
    skills = models.ManyToManyField(
        ExpertiseTopic, related_name="pathway_steps", blank=True, verbose_name=_("skills it needs")
    )

    class Meta:
        verbose_name = _("pathway step")
        verbose_name_plural = _("pathway steps")
        ordering = ["pathway", "order"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "order"], name="network_step_order_unique")
        ]

    def __str__(self) -> str:
        return self.title


class StepReached(models.Model):
    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="steps_reached"
    )
    step = models.ForeignKey(PathwayStep, on_delete=models.PROTECT, related_name="reached")
    reached_on = models.DateField(_("reached on"), default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("pathway step reached")
        verbose_name_plural = _("pathway steps reached")
        ordering = ["-reached_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["consultant", "step"], name="network_step_reached_once")
        ]

    def __str__(self) -> str:
        return f"{self.consultant}: {self.step}"


class Reflection(models.Model):
    """What she has done, learned and led, in her words (her growth page)."""

    consultant = models.ForeignKey(Consultant, on_delete=models.CASCADE, related_name="reflections")
    body = EncryptedTextField(_("in your words"))
    shared_with_team = models.BooleanField(_("the team may read this"), default=False)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.consultant} ({self.created_at:%Y-%m-%d})"


class PeerCircle(models.Model):
    """A small group that meets with a facilitator. Tinig keeps who, when
    and the allowance; no messages or files."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="circles")
    name = models.CharField(_("name"), max_length=120)
    facilitator = models.ForeignKey(
        Consultant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="circles_facilitated",
        verbose_name=_("facilitator"),
    )
    co_facilitator = models.ForeignKey(
        Consultant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="circles_co_facilitated",
        verbose_name=_("co-facilitator"),
    )
    staff_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff contact"),
    )
    paid = models.BooleanField(
        _("attending is paid"),
        default=True,
        help_text=_("Each member present at a meeting gets the network's circle allowance."),
    )
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("peer circle")
        verbose_name_plural = _("peer circles")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class CircleMembership(models.Model):
    circle = models.ForeignKey(PeerCircle, on_delete=models.PROTECT, related_name="memberships")
    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="circle_memberships"
    )
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("circle member")
        verbose_name_plural = _("circle members")
        ordering = ["joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "consultant"],
                condition=Q(left_on__isnull=True),
                name="network_one_open_membership",
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultant} ({self.circle})"


class CircleMeeting(models.Model):
    circle = models.ForeignKey(PeerCircle, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField(_("starts"))
    mode = models.CharField(_("in person or online"), max_length=10, choices=Mode.choices)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("circle meeting")
        verbose_name_plural = _("circle meetings")
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return f"{self.circle} ({self.starts_at:%Y-%m-%d})"


class CircleAttendance(models.Model):
    meeting = models.ForeignKey(CircleMeeting, on_delete=models.PROTECT, related_name="attendance")
    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="circle_attendance"
    )
    present = models.BooleanField(_("present"))
    # What attending paid, fixed when attendance was marked (0 when unpaid).
    allowance = _money(_("allowance (PHP)"), default=Decimal("0"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        verbose_name = _("circle attendance")
        verbose_name_plural = _("circle attendance")
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "consultant"], name="network_attendance_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultant} ({self.meeting})"


class AdvisoryReview(models.Model):
    """A survivor leader's advice on an incoming request."""

    class Recommendation(models.TextChoices):
        RECOMMEND = "recommend", _("Recommend")
        WITH_CHANGES = "with_changes", _("Recommend with changes")
        DO_NOT_RECOMMEND = "do_not", _("Do not recommend")

    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="advisory_reviews"
    )
    leader = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="advisory_reviews"
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=12, choices=Recommendation.choices
    )
    changes = models.TextField(_("changes to make"), max_length=2000, blank=True)
    notes = models.TextField(_("notes for the team"), max_length=4000, blank=True)
    submitted_at = models.DateTimeField(_("given at"), default=timezone.now)

    class Meta:
        verbose_name = _("advisory review")
        verbose_name_plural = _("advisory reviews")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "leader"], name="network_review_once"),
            models.CheckConstraint(
                condition=~Q(recommendation="with_changes") | ~Q(changes=""),
                name="network_review_changes_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_recommendation_display()} ({self.engagement_id})"


class NetworkLedEngagement(models.Model):
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="led_engagements")
    engagement = models.OneToOneField(
        Engagement, on_delete=models.PROTECT, related_name="network_led"
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        verbose_name = _("network-led engagement")
        verbose_name_plural = _("network-led engagements")

    def __str__(self) -> str:
        return str(self.engagement)


class NetworkLedWork(models.Model):
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="led_works")
    work = models.OneToOneField(Work, on_delete=models.PROTECT, related_name="network_led")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        verbose_name = _("network-led work")
        verbose_name_plural = _("network-led works")

    def __str__(self) -> str:
        return str(self.work)
