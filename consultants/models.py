"""Survivor consultants: profile, availability, consent and wellbeing.

Pseudonym first: ``__str__`` of every model here is the pseudonym or a
neutral label, never a legal name or a contact detail. Identity, contacts,
the support person, free-text reasons and wellbeing notes are encrypted
(``core.encryption``) and reach a staff member only through a reveal
(``consultants.services.consultant_reveal``), which is audited.

Consent records and status changes are append-only: corrections are new
entries. ``save()`` and ``delete()`` refuse to touch an existing row, and
for consent (and published consent texts and their translations) PostgreSQL
refuses too (migrations 0002 and 0007), so no page, admin action or stray
script can rewrite consent history.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, IntegerRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.functions import Cast, ExtractHour, ExtractMinute, Lower
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts.language import language_of, supported
from consultants.storage import get_private_storage
from consultants.validators import (
    evidence_kind,
    normalise_ph_mobile,
    validate_evidence,
    validate_ph_mobile,
)
from core.encryption import EncryptedCharField, EncryptedEmailField, EncryptedTextField
from core.languages import active_language, supported_language
from core.records import AppendOnlyModel, RecordIsImmutable

MONTHLY_LIMIT_MIN = 1
MONTHLY_LIMIT_MAX = 10


class InvalidStatusTransition(ValidationError):
    """A consultant was asked to move to a status it cannot reach from its current one."""


class ConsentError(ValidationError):
    """A consent action that makes no sense in the current state (e.g. withdrawing
    a scope that is not granted)."""


# --- Vocabularies -------------------------------------------------------------------


class Language(models.TextChoices):
    """Languages a consultant works in. A fixed list (the languages most
    spoken in the Philippines, plus Other) rather than a table: it changes
    rarely, and a change is a one-line code change reviewed like any other."""

    FILIPINO = "fil", _("Filipino")
    ENGLISH = "en", _("English")
    CEBUANO = "ceb", _("Cebuano")
    ILOCANO = "ilo", _("Ilocano")
    HILIGAYNON = "hil", _("Hiligaynon")
    WARAY = "war", _("Waray")
    BIKOL = "bik", _("Bikol")
    KAPAMPANGAN = "pam", _("Kapampangan")
    PANGASINAN = "pag", _("Pangasinan")
    OTHER = "other", _("Other")


class Region(models.TextChoices):
    """Coarse on purpose: a region, never a town or a province, so the
    profile cannot help anyone find a person."""

    NCR = "ncr", _("National Capital Region")
    CAR = "car", _("Cordillera Administrative Region")
    I = "r01", _("Region I - Ilocos Region")  # noqa: E741
    II = "r02", _("Region II - Cagayan Valley")
    III = "r03", _("Region III - Central Luzon")
    IV_A = "r04a", _("Region IV-A - CALABARZON")
    MIMAROPA = "mimaropa", _("MIMAROPA Region")
    V = "r05", _("Region V - Bicol Region")
    VI = "r06", _("Region VI - Western Visayas")
    NIR = "nir", _("Negros Island Region")
    VII = "r07", _("Region VII - Central Visayas")
    VIII = "r08", _("Region VIII - Eastern Visayas")
    IX = "r09", _("Region IX - Zamboanga Peninsula")
    X = "r10", _("Region X - Northern Mindanao")
    XI = "r11", _("Region XI - Davao Region")
    XII = "r12", _("Region XII - SOCCSKSARGEN")
    XIII = "r13", _("Region XIII - Caraga")
    BARMM = "barmm", _("Bangsamoro (BARMM)")
    ABROAD = "abroad", _("Outside the Philippines")


class Weekday(models.IntegerChoices):
    # Python's date.weekday() numbering, so a date maps straight to a window.
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class ExpertiseTopic(models.Model):
    """A managed vocabulary of what consultants advise on (seeded by migration
    0003; administrators add to it). A topic no longer offered is retired
    (``is_active``), not deleted, so existing profiles keep it."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("expertise topic")
        verbose_name_plural = _("expertise topics")
        ordering = ["name"]

    def __str__(self):
        return self.name


# --- Consultant ---------------------------------------------------------------------


class Consultant(models.Model):
    class Status(models.TextChoices):
        ONBOARDING = "onboarding", _("Onboarding")
        ACTIVE = "active", _("Active")
        ON_BREAK = "on_break", _("On a break")
        ALUMNI = "alumni", _("Alumni")

    # Which status each status may move to. ON_BREAK -> ON_BREAK changes
    # the date the break ends. ALUMNI -> ACTIVE/ONBOARDING: people come back.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.ONBOARDING: frozenset({Status.ACTIVE, Status.ALUMNI}),
        Status.ACTIVE: frozenset({Status.ON_BREAK, Status.ALUMNI}),
        Status.ON_BREAK: frozenset({Status.ON_BREAK, Status.ACTIVE, Status.ALUMNI}),
        Status.ALUMNI: frozenset({Status.ACTIVE, Status.ONBOARDING}),
    }
    # The badge each status wears on staff pages ("" is a plain badge):
    # consultants/staff/_status_badge.html.
    BADGE_TONES: dict[str, str] = {
        Status.ONBOARDING: "warning",
        Status.ACTIVE: "success",
        Status.ON_BREAK: "info",
        Status.ALUMNI: "",
    }

    class Occupation(models.TextChoices):
        EMPLOYED = "employed", _("Employed")
        STUDENT = "student", _("Student")
        BOTH = "both", _("Employed and studying")
        OTHER = "other", _("Other")

    class StorySharing(models.TextChoices):
        NOTHING = "nothing", _("Share nothing of my story")
        GENERAL = "general", _("Share general insights only")
        CHOSEN_AUDIENCES = "chosen", _("Share parts of my story with audiences I choose")

    class Discretion(models.TextChoices):
        """When the portal folds what a glance at the screen could learn most
        from (the privacy plan, amounts, story sharing, consent) behind "Show"."""

        SHARED_PHONE = "shared_phone", _("Only when I sign in on a shared phone")
        ALWAYS = "always", _("Always")
        NEVER = "never", _("Never")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultant_profile",
        verbose_name=_("portal account"),
        help_text=_("Set when the consultant is invited to the portal."),
    )
    pseudonym = models.CharField(
        _("pseudonym"),
        max_length=40,
        help_text=_("The only name shown anywhere by default. Unique, whatever the case."),
    )
    message_name = EncryptedCharField(
        _("name used in messages"),
        max_length=80,
        blank=True,
        help_text=_("How messages greet the consultant. Empty: the pseudonym."),
    )

    # Identity, contacts and support person: encrypted, revealed on request.
    legal_name = EncryptedCharField(_("legal name"), max_length=200, blank=True)
    email = EncryptedEmailField(_("e-mail address"), blank=True)
    phone = EncryptedCharField(
        _("mobile number"), max_length=25, blank=True, validators=[validate_ph_mobile]
    )
    address = EncryptedTextField(_("address"), max_length=500, blank=True)
    support_person_name = EncryptedCharField(_("support person"), max_length=200, blank=True)
    support_person_relation = EncryptedCharField(
        _("relation to the consultant"), max_length=100, blank=True
    )
    support_person_contact = EncryptedCharField(
        _("how to reach the support person"), max_length=200, blank=True
    )

    preferred_languages = ArrayField(
        models.CharField(max_length=8, choices=Language),
        verbose_name=_("preferred languages"),
        default=list,
        blank=True,
    )
    spoken_languages = ArrayField(
        models.CharField(max_length=8, choices=Language),
        verbose_name=_("languages spoken"),
        default=list,
        blank=True,
    )
    region = models.CharField(
        _("region"),
        max_length=10,
        choices=Region,
        blank=True,
        help_text=_("Coarse on purpose. Empty: prefers not to say."),
    )
    occupation_status = models.CharField(
        _("occupation"), max_length=10, choices=Occupation.choices, blank=True
    )
    occupation_constraints = models.TextField(
        _("work or study constraints"),
        max_length=1000,
        blank=True,
        help_text=_(
            "For example: night shifts on weekdays, exams in March. No employer or school names."
        ),
    )
    expertise = models.ManyToManyField(
        ExpertiseTopic, related_name="consultants", blank=True, verbose_name=_("expertise")
    )
    monthly_engagement_limit = models.PositiveSmallIntegerField(
        _("engagements per month, at most"),
        default=2,
        validators=[MinValueValidator(MONTHLY_LIMIT_MIN), MaxValueValidator(MONTHLY_LIMIT_MAX)],
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ONBOARDING
    )
    break_until = models.DateField(
        _("on a break until"),
        null=True,
        blank=True,
        help_text=_("The last day of the break; invitations resume the day after."),
    )
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    public_bio = models.TextField(_("public bio"), max_length=600, blank=True)
    public_bio_approved_at = models.DateTimeField(
        _("bio approved by the consultant at"), null=True, blank=True
    )
    story_sharing_default = models.CharField(
        _("story sharing, by default"),
        max_length=10,
        choices=StorySharing.choices,
        default=StorySharing.NOTHING,
        help_text=_("Each engagement asks again; this is only the starting point."),
    )
    # Staying safe on a shared phone, her choices (/portal/me/privacy/).
    exit_signs_out = models.BooleanField(
        _("leaving quickly signs me out"),
        default=True,
        help_text=_("“Exit this page” also ends the session on this phone."),
    )
    discretion = models.CharField(
        _("fold details away behind “Show”"),
        max_length=12,
        choices=Discretion.choices,
        default=Discretion.SHARED_PHONE,
    )
    # Peers, her choices (/portal/me/): both off until she turns them on.
    # Another consultant on the same engagement sees her pseudonym only
    # when both chose to be visible to peers (engagements' portal page).
    visible_to_peers = models.BooleanField(
        _("other consultants on the same engagement may see my pseudonym"),
        default=False,
        help_text=_("Only consultants who said yes to it and chose the same see it."),
    )
    prefers_peer = models.BooleanField(
        _("I would rather go with a peer"),
        default=False,
        help_text=_("When the team invites people, they try to invite you with someone."),
    )
    identity_erased_at = models.DateTimeField(
        _("identity erased at"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("consultant")
        verbose_name_plural = _("consultants")
        ordering = [Lower("pseudonym")]
        permissions = [
            # Object permissions (django-guardian), granted per consultant in
            # consultants/access.py; global only for roles that have them all.
            ("reveal_identity", _("Can reveal identity, contacts and support person")),
            ("read_wellbeing_notes", _("Can read and write wellbeing notes")),
        ]
        constraints = [
            # Also the index behind the directory's ordering (lower(pseudonym))
            # and the case-insensitive "is this pseudonym taken?" lookup.
            models.UniqueConstraint(
                Lower("pseudonym"),
                name="consultants_consultant_pseudonym_ci_unique",
                violation_error_message=_("This pseudonym is already in use."),
            ),
            models.CheckConstraint(
                condition=Q(monthly_engagement_limit__gte=MONTHLY_LIMIT_MIN)
                & Q(monthly_engagement_limit__lte=MONTHLY_LIMIT_MAX),
                name="consultants_consultant_monthly_limit_range",
                violation_error_message=_("The monthly limit must be between 1 and 10."),
            ),
            # A break always has an end date, and only a break has one.
            models.CheckConstraint(
                condition=(Q(status="on_break") & Q(break_until__isnull=False))
                | (~Q(status="on_break") & Q(break_until__isnull=True)),
                name="consultants_consultant_break_until_iff_on_break",
                violation_error_message=_("A break needs the date it ends, and only a break."),
            ),
            models.CheckConstraint(
                condition=Q(public_bio_approved_at__isnull=True) | ~Q(public_bio=""),
                name="consultants_consultant_approval_needs_bio",
            ),
        ]
        indexes = [
            # Directory and matching filters: "active consultants", "on a break".
            models.Index(fields=["status"], name="consultants_status_idx"),
            # Directory filter by language: spoken_languages @> ARRAY['ceb'].
            GinIndex(fields=["spoken_languages"], name="consultants_languages_gin"),
        ]

    def __str__(self):
        return self.pseudonym

    @property
    def greeting_name(self) -> str:
        return self.message_name or self.pseudonym

    @property
    def is_erased(self) -> bool:
        return self.identity_erased_at is not None

    @property
    def is_on_break(self) -> bool:
        """On a break now (whatever day it ends; see ``is_on_break_on``)."""
        return self.status == self.Status.ON_BREAK

    @property
    def badge_tone(self) -> str:
        """ "success", "info", "warning" or "" (see ``BADGE_TONES``)."""
        return self.BADGE_TONES.get(self.status, "")

    @property
    def interface_language(self) -> str:
        """The language Tinig writes to her in: her account's, or before she
        has one, her first preferred language that Tinig speaks."""
        if self.user_id is not None:
            return language_of(self.user)
        preferred = self.preferred_languages or []
        return next((code for code in preferred if supported(code)), settings.LANGUAGE_CODE)

    def clean(self):
        super().clean()
        self.pseudonym = (self.pseudonym or "").strip()
        self.email = (self.email or "").strip().lower()
        if self.phone:
            self.phone = normalise_ph_mobile(self.phone)
        # A preferred language is spoken: keep the two lists consistent.
        spoken = list(dict.fromkeys([*(self.spoken_languages or []), *self.preferred_languages]))
        self.spoken_languages = spoken
        if not self.is_erased and not (self.legal_name or "").strip():
            raise ValidationError({"legal_name": _("Enter the legal name (it is encrypted).")})

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, frozenset())

    def set_status(self, status: str, *, break_until: datetime.date | None = None) -> None:
        """Move to ``status`` (not saved); raises InvalidStatusTransition."""
        if not self.can_move_to(status):
            raise InvalidStatusTransition(
                _("A consultant who is “%(source)s” cannot become “%(target)s”.")
                % {
                    "source": self.Status(self.status).label,
                    "target": self.Status(status).label,
                },
                code="invalid_transition",
            )
        if status == self.Status.ON_BREAK and break_until is None:
            raise InvalidStatusTransition(
                {"break_until": _("Choose the last day of the break.")}, code="break_needs_date"
            )
        self.status = status
        self.break_until = break_until if status == self.Status.ON_BREAK else None

    def is_on_break_on(self, day: datetime.date) -> bool:
        return self.status == self.Status.ON_BREAK and (
            self.break_until is None or day <= self.break_until
        )


class StatusChange(AppendOnlyModel):
    """One change of a consultant's status: append-only history, written by
    ``consultants.services.consultant_status_change`` only."""

    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(
        _("from"), max_length=12, choices=Consultant.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=Consultant.Status.choices)
    break_until = models.DateField(_("on a break until"), null=True, blank=True)
    # Encrypted: the reason for a break can be a health or family matter.
    reason = EncryptedTextField(_("reason"), max_length=1000, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
        help_text=_("Empty: changed automatically (a break that ended)."),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    immutable_message = _("Status history is append-only.")

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-changed_at", "-id"]
        indexes = [
            # A consultant's history, newest first (detail page, export).
            models.Index(fields=["consultant", "-changed_at"], name="consultants_status_hist_idx"),
        ]

    def __str__(self):
        return f"{self.consultant}: {self.from_status or '—'} → {self.to_status}"


# --- Availability ---------------------------------------------------------------------


WINDOW_OVERLAP_MESSAGE = _("This window overlaps another window on the same day.")
END_AFTER_START_MESSAGE = _("The window must end after it starts.")


def _minute_of_day(field: str):
    """Minutes since midnight of a time column, as an integer (immutable, so
    PostgreSQL accepts it in the exclusion constraint's index)."""
    return Cast(ExtractHour(field) * 60 + ExtractMinute(field), models.IntegerField())


def _minutes_range():
    return Func(
        _minute_of_day("start_time"),
        _minute_of_day("end_time"),
        function="int4range",
        output_field=IntegerRangeField(),
    )


class WeeklyAvailability(models.Model):
    """A window the consultant is usually free on a weekday (their local time,
    Asia/Manila). Windows do not cross midnight: 22:00-02:00 is two windows.
    Windows of one consultant on one weekday never overlap (they may touch:
    09:00-12:00 and 12:00-15:00 are fine)."""

    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="weekly_windows"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("weekly availability window")
        verbose_name_plural = _("weekly availability windows")
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="consultants_weekly_end_after_start",
                violation_error_message=END_AFTER_START_MESSAGE,
            ),
            # No two windows of a consultant overlap on a weekday. Its GiST
            # index also serves "has a window on that weekday" (directory
            # filter "available on a date") and the consultant's own list.
            ExclusionConstraint(
                name="consultants_weekly_no_overlap",
                expressions=[
                    ("consultant", RangeOperators.EQUAL),
                    ("weekday", RangeOperators.EQUAL),
                    (_minutes_range(), RangeOperators.OVERLAPS),
                ],
                violation_error_message=WINDOW_OVERLAP_MESSAGE,
            ),
        ]

    def __str__(self):
        start, end = formats.time_format(self.start_time), formats.time_format(self.end_time)
        return f"{self.get_weekday_display()} {start}-{end}"

    def clean(self):
        super().clean()
        # Said here as well as by the check constraint: a window that ends
        # first is not a range, and the overlap check cannot even be asked.
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": END_AFTER_START_MESSAGE})


class BusyPeriod(models.Model):
    """Dates the consultant cannot take part (both days included)."""

    class Kind(models.TextChoices):
        WORK_SHIFT = "work", _("Work shift")
        EXAMS = "exams", _("Exams")
        TRAVEL = "travel", _("Travel")
        OTHER = "other", _("Other")

    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="busy_periods"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    note = EncryptedCharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("busy period")
        verbose_name_plural = _("busy periods")
        ordering = ["starts_on", "ends_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="consultants_busy_ends_after_start",
                violation_error_message=_("A busy period cannot end before it starts."),
            ),
        ]
        indexes = [
            # "Is a busy period covering this date?" (directory and matching)
            # and the consultant's upcoming periods.
            models.Index(
                fields=["consultant", "starts_on", "ends_on"], name="consultants_busy_range_idx"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_on}-{self.ends_on}"

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on


# --- Consent -------------------------------------------------------------------------


class ConsentScope(models.TextChoices):
    PARTICIPATION = "participation", _("Programme participation")
    DATA_PROCESSING = "data_processing", _("Processing of my personal data")
    PHOTO = "photo", _("Photographs")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio recording")
    QUOTING = "quoting", _("Quoting me by my pseudonym")
    STORY = "story", _("Sharing of my personal story")
    MEDIA = "media", _("Contact with the media")
    # Being there in person or online before an audience outside the
    # programme (government, the public, the media): distinct from being
    # quoted. First text: consultants/migrations/0004_public_events_consent.py
    PUBLIC_EVENTS = "public_events", _("Appearing at public events")


class TextLanguage(models.TextChoices):
    """The languages a consent text is shown in: those of ``settings.LANGUAGES``
    (a test keeps the two lists equal). English is the original, ``body``;
    every other language is a ``ConsentTextTranslation``."""

    ENGLISH = "en", _("English")
    FILIPINO = "fil", _("Filipino")


ORIGINAL_LANGUAGE = TextLanguage.ENGLISH.value
# A text is published only with its words in each of these (and English).
TRANSLATED_LANGUAGES: tuple[str, ...] = (TextLanguage.FILIPINO.value,)

CONSENT_TEXT_NEEDS_FILIPINO = _(
    "Add the Filipino text before publishing: a consent text is published in "
    "English and Filipino together."
)
TRANSLATION_IS_PUBLISHED = _(
    "The words of a published consent text are never changed, in any language; add a new version."
)


class ConsentText(models.Model):
    """The words a consultant is shown when they give or withdraw consent.

    Versioned per scope. Editable while a draft; once published it is never
    edited or deleted (here, in the admin and in PostgreSQL): a change is a
    new version. ``body`` is the English original; the same words in other
    languages are its ``translations`` (``ConsentTextTranslation``, which
    says why they are a table of their own). A text is published in English
    and Filipino together (``consultants.services.consent_text_publish``,
    and PostgreSQL, migration 0007). Wherever a text is shown, its words
    come from ``body_for`` (or ``words_for``)."""

    scope = models.CharField(_("scope"), max_length=20, choices=ConsentScope)
    version = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["scope", "-version"]
        constraints = [
            # Also the index behind "latest published version of a scope".
            models.UniqueConstraint(
                fields=["scope", "version"],
                name="consultants_consenttext_scope_version_unique",
                violation_error_message=_("This scope already has a text with this version."),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="consultants_consenttext_version_positive"
            ),
        ]

    def __str__(self):
        return f"{self.get_scope_display()} v{self.version}"

    def save(self, *args, **kwargs):
        if self._stored_published_at() is not None:
            raise RecordIsImmutable(
                _("A published consent text is never edited; add a new version.")
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_published_at() is not None:
            raise RecordIsImmutable(_("A published consent text is never deleted."))
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def _stored_published_at(self):
        if self._state.adding or self.pk is None:
            return None
        return type(self).objects.filter(pk=self.pk).values_list("published_at", flat=True).first()

    # --- Its words, per language ---------------------------------------------------

    def _translations(self) -> dict[str, ConsentTextTranslation]:
        # Prefetched by the selectors (``prefetch_related("translations")``):
        # then this asks nothing of the database.
        if self.pk is None:
            return {}
        return {translation.language: translation for translation in self.translations.all()}

    def words_for(self, language: str | None = None) -> tuple[str, str]:
        """``(language shown, words)`` for a reader of ``language`` (default:
        the active language, ``core.languages.active_language``): its
        translation into that language when it has one, else the English
        original. Only then English: never another translation."""
        language = supported_language(language) if language else active_language()
        if language != ORIGINAL_LANGUAGE:
            translation = self._translations().get(language)
            if translation is not None:
                return language, translation.body
        return ORIGINAL_LANGUAGE, self.body

    def body_for(self, language: str | None = None) -> str:
        """The words of this text for a reader of ``language`` (see ``words_for``)."""
        return self.words_for(language)[1]

    def has_language(self, language: str) -> bool:
        return language == ORIGINAL_LANGUAGE or language in self._translations()

    def missing_languages(self) -> list[str]:
        """The languages it must still be written in before it is published."""
        have = self._translations()
        return [language for language in TRANSLATED_LANGUAGES if language not in have]


class ConsentTextTranslation(models.Model):
    """The words of one consent text in one language other than English.

    A table of its own, appended to, rather than a column of ``ConsentText``:
    texts were published in English before Tinig spoke Filipino, and a
    published text is never edited (consent records point at it: it is what
    she agreed to). Adding their Filipino as a new version would ask every
    consultant to consent again to the same words; writing it into the
    published row would break the rule that a published text never changes,
    which PostgreSQL enforces. Here a translation is a row of its own that
    follows its text's rule: edited with its draft; once the text is
    published, never changed or deleted (``save``/``delete`` here, a
    trigger in migration 0007). A published text that lacks a language may
    still gain it, once (the unique constraint): that is how the texts
    published before got their Filipino (migration 0008), without a new
    version, and how an administrator adds the Filipino of a text written
    earlier. The words a consultant saw stay known: each consent record
    names its text and the language it was shown in
    (``ConsentRecord.text_language``), and both never change.
    """

    text = models.ForeignKey(
        ConsentText,
        on_delete=models.CASCADE,  # only a draft can be deleted (with its translations)
        related_name="translations",
        verbose_name=_("consent text"),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[(code, label) for code, label in TextLanguage.choices if code != "en"],
    )
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent text translation")
        verbose_name_plural = _("consent text translations")
        ordering = ["text", "language"]
        constraints = [
            # Also the index behind a text's translations (prefetch, publish check).
            models.UniqueConstraint(
                fields=["text", "language"],
                name="consultants_consenttexttranslation_once",
                violation_error_message=_("This text already has its words in this language."),
            ),
        ]

    def __str__(self):
        return f"{self.text} ({self.language})"

    def save(self, *args, **kwargs):
        if self._touches_published_text():
            raise RecordIsImmutable(TRANSLATION_IS_PUBLISHED, code="published_text")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._touches_published_text():
            raise RecordIsImmutable(TRANSLATION_IS_PUBLISHED, code="published_text")
        return super().delete(*args, **kwargs)

    def _touches_published_text(self) -> bool:
        """Whether this is a change (not an addition) to the words of a published text."""
        if self._state.adding or self.pk is None:
            return False
        stored = type(self).objects.filter(pk=self.pk).values_list("text_id", flat=True).first()
        return ConsentText.objects.filter(
            pk__in={stored, self.text_id}, published_at__isnull=False
        ).exists()


def evidence_upload_to(record: ConsentRecord, filename: str) -> str:
    # A random name with the extension of what the content really is: the
    # uploader's file name (which may hold a legal name) is never kept.
    kind = evidence_kind(record.evidence) or "bin"
    return f"consent-evidence/{uuid.uuid4().hex}.{kind}"


class ConsentRecord(AppendOnlyModel):
    """One consent given or withdrawn, for one scope, at one time.

    Append-only. The current state of a scope is its latest record
    (``consultants.selectors.consent_current``); a withdrawal takes effect
    the moment it is recorded. The one change PostgreSQL allows is erasing
    the evidence file of a record when the consultant's identity is erased.
    """

    class Action(models.TextChoices):
        GRANTED = "granted", _("Granted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="consent_records"
    )
    scope = models.CharField(_("scope"), max_length=20, choices=ConsentScope)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    consent_text = models.ForeignKey(
        ConsentText,
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("text shown"),
    )
    # With the text, the exact words she read: (text, language) never changes.
    text_language = models.CharField(
        _("language of the text shown"),
        max_length=8,
        choices=TextLanguage,
        blank=True,
        default="",
        help_text=_("Empty on records made before Tinig kept it: every text was in English then."),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    evidence = models.FileField(
        _("evidence"),
        storage=get_private_storage,
        upload_to=evidence_upload_to,
        max_length=200,
        blank=True,
        validators=[validate_evidence],
        help_text=_("Optional: a signed form, as PDF, JPEG or PNG, at most 5 MB."),
    )

    immutable_message = _("Consent records are append-only; record a new one.")

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-recorded_at", "-id"]
        indexes = [
            # Current state: DISTINCT ON (consultant, scope) ORDER BY
            # consultant, scope, recorded_at DESC, id DESC; and the history.
            models.Index(
                F("consultant"),
                F("scope"),
                F("recorded_at").desc(),
                F("id").desc(),
                name="consultants_consent_latest",
            ),
        ]

    def __str__(self):
        return f"{self.consultant}: {self.get_scope_display()} {self.get_action_display()}"

    @property
    def is_grant(self) -> bool:
        return self.action == self.Action.GRANTED

    @property
    def shown_language(self) -> str:
        """The language of the words she was shown (English on records made
        before the language was kept: there was no other then)."""
        return self.text_language or ORIGINAL_LANGUAGE

    @property
    def shown_language_label(self) -> str:
        return str(TextLanguage(self.shown_language).label)

    @property
    def shown_body(self) -> str:
        """The words she was shown, in the language she was shown them in."""
        return self.consent_text.body_for(self.shown_language)

    def clean(self):
        super().clean()
        text = self.consent_text if self.consent_text_id else None
        if text is not None:
            if text.scope != self.scope:
                raise ConsentError(
                    {"consent_text": _("The text shown must be a text for this scope.")}
                )
            if not text.is_published:
                raise ConsentError({"consent_text": _("Only a published text can be recorded.")})
            if self.text_language and not text.has_language(self.text_language):
                raise ConsentError(
                    {"text_language": _("The text shown has no words in this language.")}
                )


# --- Wellbeing ---------------------------------------------------------------------


class WellbeingNote(models.Model):
    """Written and read only by the consultant's wellbeing lead (and
    administrators), through ``consultants.services``; every reading is a
    reveal in the audit trail."""

    class Kind(models.TextChoices):
        CHECK_IN = "check_in", _("Check-in")
        AVOID = "avoid", _("Topics to avoid")
        HELPS = "helps", _("What helps")

    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="wellbeing_notes"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    body = EncryptedTextField(_("note"), max_length=4000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("wellbeing note")
        verbose_name_plural = _("wellbeing notes")
        ordering = ["-created_at", "-id"]
        indexes = [
            # A consultant's notes, newest first (the lead's reveal, export).
            models.Index(fields=["consultant", "-created_at"], name="consultants_wellbeing_idx"),
        ]

    def __str__(self):
        return f"{self.consultant}: {self.get_kind_display()}"
