"""Checklists: the survivor engagement workflow as versioned templates, and
the checklist each engagement gets when it is approved.

A template is versioned by ``slug``: the current template is the latest
*published* version. A published version is never changed or deleted (here,
in the admin, in the services and in PostgreSQL, see migration 0003); a
change is a new draft version, published in its turn. An engagement's
checklist is a *copy* of the items of the version current at approval, so
publishing a new version never changes a checklist already made.

Every text of a template is written in English and Filipino: the name and
description of a version, the title and guidance of each item (the
``*_fil`` columns, copied into each checklist item with the English). They
are part of the version like the English, so the same rules hold: edited
while a draft, frozen once published (the same rows, the same triggers);
a version is published only with its Filipino. Pages, her record and the
gate messages show them through ``Translated``: the active language's words,
English when a text has none in it.

Pseudonym first: ``__str__`` of everything here is a title or a neutral
label. A note written when an item is done may say something about a
consultant (their support person, how they felt): it is encrypted. Evidence
files live in private storage under random names and have no URL.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from consultants.models import Consultant
from consultants.validators import evidence_kind, validate_evidence
from core.encryption import EncryptedTextField
from core.files import get_private_storage
from core.languages import active_language, supported_language
from core.records import RecordIsImmutable
from engagements.models import EXPOSED_AUDIENCES, Engagement, EngagementType, Mode

DEFAULT_TEMPLATE_SLUG = "survivor-engagement"
MAX_OFFSET_DAYS = 365


# What a change to a published template version (or one of its items) is told.
TEMPLATE_IS_PUBLISHED = _(
    "A published checklist template is never changed. "
    "Make a new draft version and publish it instead."
)


def published_template_is_immutable(message=TEMPLATE_IS_PUBLISHED) -> RecordIsImmutable:
    return RecordIsImmutable(message, code="published_template")


# The languages texts are translated into, besides English: a column
# ``<field>_<language>`` per translated field.
TRANSLATED_LANGUAGES = ("fil",)


class Translated:
    """Texts with a Filipino column beside the English one (``title`` and
    ``title_fil``): ``text_in`` gives the words for a language (default: the
    active one), falling back to the English only when there are none."""

    translated_fields: tuple[str, ...] = ()

    def text_in(self, field: str, language: str | None = None) -> str:
        language = supported_language(language) if language else active_language()
        if language in TRANSLATED_LANGUAGES:
            words = getattr(self, f"{field}_{language}", "")
            if words:
                return words
        return getattr(self, field)

    def missing_translations(self) -> list[str]:
        """The translated fields (``title_fil``) still empty while their English is not."""
        return [
            f"{field}_{language}"
            for field in self.translated_fields
            for language in TRANSLATED_LANGUAGES
            if getattr(self, field) and not getattr(self, f"{field}_{language}")
        ]


class TranslatedItem(Translated):
    translated_fields = ("title", "guidance")

    @property
    def shown_title(self) -> str:
        """The title in the active language."""
        return self.text_in("title")

    @property
    def shown_guidance(self) -> str:
        """The guidance in the active language."""
        return self.text_in("guidance")


class Stage(models.TextChoices):
    BEFORE = "before", _("Before")
    DURING = "during", _("During")
    AFTER = "after", _("After")


class OwnerRole(models.TextChoices):
    """Who does an item. The values are those of ``accounts.roles.Role``."""

    PROGRAMME_STAFF = Role.PROGRAMME_STAFF.value, Role.PROGRAMME_STAFF.label
    PROGRAMME_MANAGER = Role.PROGRAMME_MANAGER.value, Role.PROGRAMME_MANAGER.label
    FINANCE_OFFICER = Role.FINANCE_OFFICER.value, Role.FINANCE_OFFICER.label
    WELLBEING_LEAD = Role.WELLBEING_LEAD.value, Role.WELLBEING_LEAD.label
    CONSULTANT = Role.CONSULTANT.value, Role.CONSULTANT.label


class Anchor(models.TextChoices):
    START = "start", _("the engagement's start")
    END = "end", _("the engagement's end")


class Evidence(models.TextChoices):
    NONE = "none", _("None")
    NOTE = "note", _("A note")
    FILE = "file", _("A file (PDF, JPEG or PNG)")


class Condition(models.TextChoices):
    ALWAYS = "always", _("Always")
    EXPOSED_AUDIENCE = "exposed_audience", _("Only for public, government or media audiences")
    IN_PERSON = "in_person", _("Only in person")
    ONLINE = "online", _("Only online")
    TYPES = "types", _("Only for the engagement types chosen")


class Gate(models.TextChoices):
    NONE = "", _("Does not gate")
    CONFIRM = "confirm", _("Confirmation")
    CLOSE = "close", _("Closing")


# --- Templates -----------------------------------------------------------------------


class ChecklistTemplate(Translated, models.Model):
    """One version of a checklist template. Editable while a draft."""

    translated_fields = ("name", "description")

    slug = models.SlugField(_("template"), max_length=60, default=DEFAULT_TEMPLATE_SLUG)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=160)
    name_fil = models.CharField(_("name in Filipino"), max_length=160, blank=True)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    description_fil = models.TextField(_("description in Filipino"), max_length=4000, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["slug", "-version"]
        constraints = [
            # Also the index behind "the latest published version of a slug".
            models.UniqueConstraint(
                fields=["slug", "version"],
                name="checklists_template_slug_version_unique",
                violation_error_message=_("This template already has a version with this number."),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="checklists_template_version_positive"
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    def save(self, *args, **kwargs):
        if self.stored_is_published():
            raise published_template_is_immutable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.stored_is_published():
            raise published_template_is_immutable(
                _("A published checklist template is never deleted.")
            )
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def shown_name(self) -> str:
        """The name in the active language."""
        return self.text_in("name")

    @property
    def shown_description(self) -> str:
        return self.text_in("description")

    def stored_is_published(self) -> bool:
        """Whether the row as saved is published (what the rule is about)."""
        if self._state.adding or self.pk is None:
            return False
        return type(self).objects.filter(pk=self.pk, published_at__isnull=False).exists()


class TemplateItem(TranslatedItem, models.Model):
    """One thing to do, in one template version."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(
        _("key"),
        max_length=60,
        help_text=_("A short stable name, the same across versions (e.g. privacy-plan)."),
    )
    stage = models.CharField(_("stage"), max_length=8, choices=Stage)
    title = models.CharField(_("title"), max_length=200)
    title_fil = models.CharField(_("title in Filipino"), max_length=200, blank=True)
    guidance = models.TextField(_("guidance"), max_length=4000, blank=True)
    guidance_fil = models.TextField(_("guidance in Filipino"), max_length=4000, blank=True)
    owner_role = models.CharField(_("done by"), max_length=20, choices=OwnerRole)
    due_anchor = models.CharField(
        _("due relative to"), max_length=5, choices=Anchor, default=Anchor.START
    )
    due_offset_days = models.SmallIntegerField(
        _("due offset (days)"),
        default=0,
        validators=[MinValueValidator(-MAX_OFFSET_DAYS), MaxValueValidator(MAX_OFFSET_DAYS)],
        help_text=_("Negative: days before; positive: days after."),
    )
    evidence = models.CharField(
        _("evidence required"), max_length=5, choices=Evidence, default=Evidence.NONE
    )
    waivable = models.BooleanField(
        _("may be marked not applicable"),
        default=False,
        help_text=_("With a justification, written when it is marked."),
    )
    condition = models.CharField(
        _("applies"), max_length=20, choices=Condition, default=Condition.ALWAYS
    )
    engagement_types = ArrayField(
        models.CharField(max_length=24, choices=EngagementType.choices),
        verbose_name=_("engagement types"),
        default=list,
        blank=True,
        help_text=_("Only when it applies to chosen engagement types."),
    )
    gates = models.CharField(
        _("must be done before"), max_length=8, choices=Gate, default="", blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("template item")
        verbose_name_plural = _("template items")
        ordering = ["template", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "key"],
                name="checklists_templateitem_key_unique",
                violation_error_message=_("This template already has an item with this key."),
            ),
            models.CheckConstraint(
                condition=~Q(condition="types") | ~Q(engagement_types=[]),
                name="checklists_templateitem_types_chosen",
                violation_error_message=_("Choose the engagement types it applies to."),
            ),
            # A gate on confirmation is a "before" item; on closing, an "after" item.
            models.CheckConstraint(
                condition=Q(gates="")
                | Q(gates="confirm", stage="before")
                | Q(gates="close", stage="after"),
                name="checklists_templateitem_gate_matches_stage",
                violation_error_message=_(
                    "Only a “before” item can gate confirmation, and only an “after” item "
                    "can gate closing."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(owner_role="consultant") | Q(gates=""),
                name="checklists_templateitem_consultant_items_do_not_gate",
                violation_error_message=_(
                    "A consultant's own item never holds up the engagement: it cannot gate."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self._template_is_published():
            raise published_template_is_immutable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._template_is_published():
            raise published_template_is_immutable()
        return super().delete(*args, **kwargs)

    def clean(self):
        super().clean()
        self.title = (self.title or "").strip()
        self.title_fil = (self.title_fil or "").strip()
        if self.condition != Condition.TYPES:
            self.engagement_types = []
        elif self.engagement_types:
            self.engagement_types = list(dict.fromkeys(self.engagement_types))
        template = self.template if self.template_id else None
        if template is not None and template.stored_is_published():
            raise published_template_is_immutable()

    def _template_is_published(self) -> bool:
        if self.template_id is None:
            return False
        return ChecklistTemplate.objects.filter(
            pk=self.template_id, published_at__isnull=False
        ).exists()

    def applies_to(self, engagement: Engagement) -> bool:
        match self.condition:
            case Condition.ALWAYS:
                return True
            case Condition.EXPOSED_AUDIENCE:
                return engagement.audience in EXPOSED_AUDIENCES
            case Condition.IN_PERSON:
                return engagement.mode == Mode.IN_PERSON
            case Condition.ONLINE:
                return engagement.mode == Mode.ONLINE
            case Condition.TYPES:
                return engagement.type in self.engagement_types
        return False


# --- An engagement's checklist -------------------------------------------------------


def due_from(*, engagement: Engagement, anchor: str, offset_days: int) -> datetime.datetime:
    base = engagement.end if anchor == Anchor.END else engagement.start
    return base + datetime.timedelta(days=offset_days)


class Checklist(models.Model):
    """The checklist of one engagement: a copy of one template version."""

    engagement = models.OneToOneField(
        Engagement, on_delete=models.CASCADE, related_name="checklist"
    )
    template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.PROTECT,
        related_name="checklists",
        verbose_name=_("template version"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return str(_("Checklist of %(engagement)s") % {"engagement": self.engagement})


class ChecklistTally(models.Model):
    """How many of one checklist's items are done, and done on time. Kept by
    PostgreSQL itself (the trigger ``checklists_item_tally``, migration
    0011, SQL in ``checklists/tally.py``) as items are added, ticked,
    corrected and deleted, by any path (a service, a bulk update, the
    admin, a COPY), in the same transaction. Compliance over a programme or
    a period then sums one row per checklist instead of reading every item:
    "counted" is done items plus open items past due, the one figure that
    moves with the clock, read from the index of open items.

    Never written by Django: a save from here would overwrite the
    database's count with a stale one."""

    checklist = models.OneToOneField(
        Checklist, on_delete=models.CASCADE, primary_key=True, related_name="tally"
    )
    done = models.PositiveIntegerField(_("items done"), default=0)
    done_on_time = models.PositiveIntegerField(_("items done on time"), default=0)

    class Meta:
        verbose_name = _("checklist tally")
        verbose_name_plural = _("checklist tallies")

    def __str__(self):
        return f"{self.checklist_id}: {self.done_on_time}/{self.done}"

    def save(self, *args, **kwargs):
        raise TypeError("A checklist's tally is kept by the database, never saved from Django.")


def evidence_upload_to(item: ChecklistItem, filename: str) -> str:
    # A random name with the extension of what the content really is: the
    # uploader's file name (which may hold a legal name) is never kept.
    kind = evidence_kind(item.evidence_file) or "bin"
    return f"checklist-evidence/{uuid.uuid4().hex}.{kind}"


class ChecklistItem(TranslatedItem, models.Model):
    """One item of an engagement's checklist. Staff items have an assignee
    (the engagement's owner by default); a consultant's items belong to one
    participating consultant each and are ticked by them in the portal."""

    class Status(models.TextChoices):
        OPEN = "open", _("To do")
        DONE = "done", _("Done")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    source = models.ForeignKey(
        TemplateItem,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("template item"),
    )
    # Copied from the template item: what a checklist says never changes
    # when the template does.
    key = models.SlugField(_("key"), max_length=60)
    stage = models.CharField(_("stage"), max_length=8, choices=Stage)
    title = models.CharField(_("title"), max_length=200)
    title_fil = models.CharField(_("title in Filipino"), max_length=200, blank=True)
    guidance = models.TextField(_("guidance"), max_length=4000, blank=True)
    guidance_fil = models.TextField(_("guidance in Filipino"), max_length=4000, blank=True)
    owner_role = models.CharField(_("done by"), max_length=20, choices=OwnerRole)
    due_anchor = models.CharField(_("due relative to"), max_length=5, choices=Anchor)
    due_offset_days = models.SmallIntegerField(_("due offset (days)"))
    evidence = models.CharField(_("evidence required"), max_length=5, choices=Evidence)
    waivable = models.BooleanField(_("may be marked not applicable"))
    gates = models.CharField(_("must be done before"), max_length=8, choices=Gate, blank=True)
    order = models.PositiveSmallIntegerField(_("order"))

    due_at = models.DateTimeField(_("due"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checklist_items",
        verbose_name=_("assigned to"),
    )
    # When someone handed the item to its assignee (``item_reassign``): the
    # moment of the "assigned to you" message. Empty for an item assigned by
    # the template, or taken by its assignee themselves.
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True, editable=False)
    consultant = models.ForeignKey(
        Consultant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checklist_items",
        verbose_name=_("consultant"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # May say something about a consultant: encrypted.
    note = EncryptedTextField(_("note"), max_length=4000, blank=True)
    justification = models.TextField(_("why it does not apply"), max_length=2000, blank=True)
    evidence_file = models.FileField(
        _("evidence file"),
        storage=get_private_storage,
        upload_to=evidence_upload_to,
        max_length=200,
        blank=True,
        validators=[validate_evidence],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["checklist", "order", "id"]
        constraints = [
            # One staff item per template item, one consultant item per consultant.
            models.UniqueConstraint(
                fields=["checklist", "key"],
                condition=Q(consultant__isnull=True),
                name="checklists_item_once_per_checklist",
            ),
            models.UniqueConstraint(
                fields=["checklist", "key", "consultant"],
                condition=Q(consultant__isnull=False),
                name="checklists_item_once_per_consultant",
            ),
            models.CheckConstraint(
                condition=Q(owner_role="consultant", consultant__isnull=False)
                | (~Q(owner_role="consultant") & Q(consultant__isnull=True)),
                name="checklists_item_consultant_iff_consultant_role",
            ),
            models.CheckConstraint(
                condition=Q(status="open", done_at__isnull=True)
                | (~Q(status="open") & Q(done_at__isnull=False)),
                name="checklists_item_done_at_iff_closed",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_applicable") | (Q(waivable=True) & ~Q(justification="")),
                name="checklists_item_not_applicable_is_justified",
                violation_error_message=_("Only a waivable item, with a justification."),
            ),
        ]
        indexes = [
            # The programme report's compliance totals: a year's checklists'
            # items counted from the index alone (an index-only scan), not
            # from the wide rows of the table.
            models.Index(
                fields=["checklist"],
                include=["id", "status", "due_at", "done_at"],
                name="checklists_item_by_checklist",
            ),
            # "My tasks": open items assigned to me, soonest first.
            models.Index(
                fields=["assignee", "due_at"],
                condition=Q(status="open"),
                name="checklists_item_my_open",
            ),
            # "My tasks" by role, and the consultant's portal list.
            models.Index(
                fields=["owner_role", "status", "due_at"], name="checklists_item_role_due"
            ),
            # "My tasks" by role, read in its own order: open items of a role,
            # soonest first (a limit stops early), and per checklist (the
            # engagements programme staff run).
            models.Index(
                fields=["owner_role", "due_at", "id"],
                condition=Q(status="open"),
                name="checklists_item_role_open",
            ),
            models.Index(
                fields=["checklist", "owner_role", "due_at"],
                condition=Q(status="open"),
                name="checklists_item_checklist_open",
            ),
            # The "assigned to you" message's sweep.
            models.Index(
                fields=["assigned_at"],
                condition=Q(status="open", assigned_at__isnull=False),
                name="checklists_item_assigned_at",
            ),
            models.Index(
                fields=["consultant", "status", "due_at"], name="checklists_item_consultant"
            ),
            # The compliance figure over the whole programme: counted from
            # this index alone (an index-only scan), never the wide rows.
            models.Index(
                fields=["status", "due_at"],
                include=["done_at"],
                name="checklists_item_compliance",
            ),
            # Handing over someone's items: the open staff items they hold,
            # counted (and their checklists listed) from this index alone.
            models.Index(
                fields=["assignee", "checklist"],
                condition=Q(status="open", consultant__isnull=True),
                name="checklists_item_held_open",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_not_applicable(self) -> bool:
        return self.status == self.Status.NOT_APPLICABLE

    @property
    def is_consultant_item(self) -> bool:
        return self.owner_role == OwnerRole.CONSULTANT

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        return self.is_open and self.due_at < (now or timezone.now())

    @property
    def done_on_time(self) -> bool:
        return self.status == self.Status.DONE and self.done_at <= self.due_at

    @property
    def resolved(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.NOT_APPLICABLE)
