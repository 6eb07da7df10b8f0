"""Writes of the checklists app.

Each function is one business action: keyword-only, one
``transaction.atomic()``, ``full_clean()`` before ``save()``, and a
``ValidationError`` with a message a person can act on when the input is
wrong (nothing saved then). Permission is checked here too
(``checklists.access``), raising ``PermissionDenied``.

How a checklist lives:

* ``checklist_instantiate`` runs when an engagement is approved (a receiver
  of ``engagements.signals.engagement_transitioned``): the items of the
  current template version whose condition fits the engagement are copied,
  with due dates computed from the engagement's dates; programme staff
  items are assigned to the engagement's owner, other roles' items to
  whoever holds the role and sees the engagement. A consultant's items
  are copied per consultant, when a consultant accepts or is confirmed
  (``checklist_add_consultant``), and their open items go when the
  consultant no longer takes part.
* ``checklist_recompute_due_dates`` runs when the engagement's dates change
  (``engagement_dates_changed``): open items follow, done ones keep theirs.
* ``item_mark_done`` / ``item_mark_not_applicable`` / ``item_reopen``: the
  ticks, by someone ``access.can_tick`` allows.
* ``item_reassign``: hand an open staff item to someone else on the
  engagement (``access.can_reassign``, ``access.assignee_candidates``);
  audited (who, when, from, to) and the new assignee is told at once (the
  reminder kind ``staff_checklist_item_assigned``). ``items_reassign_from``:
  every open item of someone leaving, to one person, where that person is
  on the engagement (managers).
* Templates: ``template_create_draft`` (copy a version into the next draft,
  Filipino included), ``template_publish`` (only with the Filipino of its
  name, description and every item). A published version never changes.

``now`` parameters are the clock, for tests; views never pass them.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from checklists import access, default_template
from checklists.models import (
    DEFAULT_TEMPLATE_SLUG,
    Checklist,
    ChecklistItem,
    ChecklistTemplate,
    Evidence,
    OwnerRole,
    TemplateItem,
    due_from,
    published_template_is_immutable,
)
from consultants.models import Consultant
from core.audit import record_access, record_event
from core.shortcuts import require
from engagements.models import Engagement, Participation

logger = logging.getLogger(__name__)

COPIED_FIELDS = (
    "key",
    "stage",
    "title",
    "title_fil",
    "guidance",
    "guidance_fil",
    "owner_role",
    "due_anchor",
    "due_offset_days",
    "evidence",
    "waivable",
    "gates",
    "order",
)
# A consultant takes part (and has items) while their participation is one of these.
TAKING_PART = frozenset({Participation.Status.ACCEPTED, Participation.Status.CONFIRMED})
KEEPS_ITEMS = TAKING_PART | {Participation.Status.ATTENDED, Participation.Status.NO_SHOW}

MAX_NOTE = 4000
MAX_JUSTIFICATION = 2000


# --- Templates -------------------------------------------------------------------------


def template_current(*, slug: str = DEFAULT_TEMPLATE_SLUG) -> ChecklistTemplate | None:
    """The latest published version of a template."""
    return (
        ChecklistTemplate.objects.filter(slug=slug, published_at__isnull=False)
        .order_by("-version")
        .first()
    )


def _ensure_default_template() -> ChecklistTemplate:
    """The default is installed by a data migration; install it again if this
    database has lost it (a flushed test database)."""
    logger.warning("No published checklist template: installing the default again.")
    with transaction.atomic():
        template = default_template.install(ChecklistTemplate, TemplateItem)
    template.refresh_from_db()
    return template


def template_create_draft(*, template: ChecklistTemplate, by: User | None = None):
    """A new draft version of ``template``'s slug, with a copy of its items."""
    with transaction.atomic():
        latest = (
            ChecklistTemplate.objects.select_for_update()
            .filter(slug=template.slug)
            .aggregate(Max("version"))["version__max"]
        )
        draft = ChecklistTemplate(
            slug=template.slug,
            version=(latest or 0) + 1,
            name=template.name,
            name_fil=template.name_fil,
            description=template.description,
            description_fil=template.description_fil,
        )
        draft.full_clean()
        draft.save()
        TemplateItem.objects.bulk_create(
            TemplateItem(
                template=draft,
                **{
                    field: getattr(item, field)
                    for field in (*COPIED_FIELDS, "condition", "engagement_types")
                },
            )
            for item in template.items.all()
        )
    return draft


def template_publish(*, template: ChecklistTemplate, by: User | None = None, now=None):
    """Publish a draft: from now on new checklists are copied from it. It can
    never change again; checklists already made keep their copy."""
    with transaction.atomic():
        template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
        if template.is_published:
            raise published_template_is_immutable(_("This version is already published."))
        items = list(template.items.order_by("order", "id"))
        if not items:
            raise ValidationError(_("A template without items cannot be published."))
        for item in items:
            item.full_clean()
        _refuse_without_filipino(template, items)
        ChecklistTemplate.objects.filter(pk=template.pk).update(published_at=now or timezone.now())
        template.refresh_from_db()
    return template


def _refuse_without_filipino(template: ChecklistTemplate, items: list[TemplateItem]) -> None:
    """A version is published in English and Filipino: staff who work in
    Filipino, and consultants ticking their own items, read it in Filipino."""
    errors = []
    if template.missing_translations():
        errors.append(_("Write the template's name (and description) in Filipino too."))
    untranslated = [item.title for item in items if item.missing_translations()]
    if untranslated:
        errors.append(
            _("Write the Filipino title (and guidance) of these items: %(items)s.")
            % {"items": "; ".join(f"“{title}”" for title in untranslated)}
        )
    if errors:
        raise ValidationError(
            [_("A checklist template is published in English and Filipino together."), *errors],
            code="needs_translation",
        )


def template_item_save(*, item: TemplateItem) -> TemplateItem:
    """Add or change an item of a draft (the admin's inline goes through the
    model's own guard; this is the service for code)."""
    with transaction.atomic():
        item.full_clean()
        item.save()
    return item


# --- Instantiation ---------------------------------------------------------------------


def _copy(source: TemplateItem, *, checklist: Checklist, engagement: Engagement, **extra):
    return ChecklistItem(
        checklist=checklist,
        source=source,
        due_at=due_from(
            engagement=engagement, anchor=source.due_anchor, offset_days=source.due_offset_days
        ),
        **{field: getattr(source, field) for field in COPIED_FIELDS},
        **extra,
    )


def checklist_instantiate(
    *, engagement: Engagement, template: ChecklistTemplate | None = None, now=None
) -> Checklist:
    """The engagement's checklist, made from the current template version
    (idempotent: an engagement that has one keeps it)."""
    with transaction.atomic():
        existing = Checklist.objects.filter(engagement=engagement).first()
        if existing is not None:
            return existing
        template = template or template_current() or _ensure_default_template()
        if not template.is_published:
            raise ValidationError(_("Only a published template can be used."))
        checklist = Checklist.objects.create(
            engagement=engagement, template=template, created_at=now or timezone.now()
        )
        sources = [item for item in template.items.all() if item.applies_to(engagement)]
        ChecklistItem.objects.bulk_create(
            _copy(
                source,
                checklist=checklist,
                engagement=engagement,
                assignee=_default_assignee(source, engagement),
            )
            for source in sources
            if source.owner_role != OwnerRole.CONSULTANT
        )
        participants = Consultant.objects.filter(
            participations__engagement=engagement, participations__status__in=TAKING_PART
        ).distinct()
        for consultant in participants:
            _add_consultant_items(checklist, consultant, sources)
    return checklist


def _default_assignee(source: TemplateItem, engagement: Engagement):
    """Programme staff items go to the engagement's owner. Items of another
    role (manager, finance, wellbeing) go to whoever holds that role and
    sees the engagement: nobody in particular until someone is assigned."""
    if source.owner_role == OwnerRole.PROGRAMME_STAFF:
        return engagement.owner
    return None


def _add_consultant_items(checklist, consultant, sources=None) -> int:
    engagement = checklist.engagement
    if sources is None:
        sources = [
            item
            for item in checklist.template.items.filter(owner_role=OwnerRole.CONSULTANT)
            if item.applies_to(engagement)
        ]
    have = set(
        ChecklistItem.objects.filter(checklist=checklist, consultant=consultant).values_list(
            "key", flat=True
        )
    )
    new = [
        _copy(
            source,
            checklist=checklist,
            engagement=engagement,
            consultant=consultant,
            assignee=consultant.user,
        )
        for source in sources
        if source.owner_role == OwnerRole.CONSULTANT and source.key not in have
    ]
    ChecklistItem.objects.bulk_create(new)
    return len(new)


def checklist_add_consultant(*, engagement: Engagement, consultant: Consultant) -> int:
    """A consultant takes part: their own items join the checklist (once)."""
    with transaction.atomic():
        checklist = (
            Checklist.objects.filter(engagement=engagement).select_related("template").first()
        )
        if checklist is None:
            return 0
        return _add_consultant_items(checklist, consultant)


def checklist_remove_consultant(*, engagement: Engagement, consultant: Consultant) -> int:
    """A consultant no longer takes part: their open items go (done ones stay,
    as a record of what they did)."""
    with transaction.atomic():
        deleted, _rows = ChecklistItem.objects.filter(
            checklist__engagement=engagement,
            consultant=consultant,
            status=ChecklistItem.Status.OPEN,
        ).delete()
    return deleted


def checklist_recompute_due_dates(*, engagement: Engagement) -> int:
    """Open items' due dates follow the engagement's (new) dates."""
    with transaction.atomic():
        items = list(
            ChecklistItem.objects.select_for_update().filter(
                checklist__engagement=engagement, status=ChecklistItem.Status.OPEN
            )
        )
        for item in items:
            item.due_at = due_from(
                engagement=engagement, anchor=item.due_anchor, offset_days=item.due_offset_days
            )
        ChecklistItem.objects.bulk_update(items, ["due_at"])
    return len(items)


# --- Ticking ---------------------------------------------------------------------------


def _locked(item: ChecklistItem) -> ChecklistItem:
    return (
        ChecklistItem.objects.select_for_update(of=("self",))
        .select_related("checklist__engagement", "consultant")
        .get(pk=item.pk)
    )


def _refuse_closed(item: ChecklistItem) -> None:
    if not item.is_open:
        raise ValidationError(
            _("“%(title)s” is already marked “%(status)s”.")
            % {"title": item.shown_title, "status": item.get_status_display().lower()},
            code="not_open",
        )


def item_mark_done(
    *,
    item: ChecklistItem,
    by: User,
    note: str = "",
    evidence: UploadedFile | None = None,
    now: datetime.datetime | None = None,
) -> ChecklistItem:
    """Tick an item done, with the evidence it asks for."""
    note = (note or "").strip()
    with transaction.atomic():
        item = _locked(item)
        require(access.can_tick(by, item))
        _refuse_closed(item)
        errors = {}
        if len(note) > MAX_NOTE:
            errors["note"] = _("Keep the note under %(max)s characters.") % {"max": MAX_NOTE}
        if item.evidence == Evidence.NOTE and not note:
            errors["note"] = _("This item needs a note saying what was done.")
        if item.evidence == Evidence.FILE and not evidence:
            errors["evidence"] = _("This item needs a file as evidence (PDF, JPEG or PNG).")
        if errors:
            raise ValidationError(errors)
        item.status = ChecklistItem.Status.DONE
        item.done_by = by
        item.done_at = now or timezone.now()
        item.note = note
        if evidence:
            item.evidence_file = evidence
        try:
            item.full_clean()
        except ValidationError as error:
            raise ValidationError(
                {
                    ("evidence" if field == "evidence_file" else field): messages
                    for field, messages in error.message_dict.items()
                }
            ) from None
        item.save()
    return item


# The default template's item that another app ticks when what it asks
# happened there (impact: an outcome of their contribution was shared with
# the consultants, in their portal).
INPUT_CHANGED_SHARED = "input-changed-shared"


def item_mark_done_because(
    *, engagement: Engagement, key: str, by: User, now: datetime.datetime | None = None
) -> ChecklistItem | None:
    """Tick the open item ``key`` of the engagement's checklist because what
    it asks just happened elsewhere in Tinig, done by ``by`` (who need not be
    the item's assignee: the act itself is the evidence). Nothing when the
    checklist has no such open item (another template, already ticked or
    marked not applicable). Runs inside the caller's transaction."""
    item = ChecklistItem.objects.filter(
        checklist__engagement=engagement, key=key, status=ChecklistItem.Status.OPEN
    ).first()
    if item is None:
        return None
    with transaction.atomic():
        item = _locked(item)
        if not item.is_open:
            return None
        item.status = ChecklistItem.Status.DONE
        item.done_by = by
        item.done_at = now or timezone.now()
        item.save(update_fields=["status", "done_by", "done_at", "updated_at"])
    return item


def item_mark_not_applicable(
    *,
    item: ChecklistItem,
    by: User,
    justification: str,
    now: datetime.datetime | None = None,
) -> ChecklistItem:
    """Mark an item not applicable, saying why. Only a waivable item."""
    justification = (justification or "").strip()
    with transaction.atomic():
        item = _locked(item)
        require(access.can_tick(by, item))
        _refuse_closed(item)
        if not item.waivable:
            raise ValidationError(
                _("“%(title)s” cannot be marked not applicable: it must be done.")
                % {"title": item.shown_title},
                code="not_waivable",
            )
        if not justification:
            raise ValidationError(
                {"justification": _("Say why this item does not apply.")}, code="required"
            )
        if len(justification) > MAX_JUSTIFICATION:
            raise ValidationError(
                {
                    "justification": _("Keep it under %(max)s characters.")
                    % {"max": MAX_JUSTIFICATION}
                }
            )
        item.status = ChecklistItem.Status.NOT_APPLICABLE
        item.justification = justification
        item.done_by = by
        item.done_at = now or timezone.now()
        item.full_clean()
        item.save()
    return item


def item_reopen(*, item: ChecklistItem, by: User) -> ChecklistItem:
    """Undo a tick made by mistake. The evidence file goes with it."""
    with transaction.atomic():
        item = _locked(item)
        require(access.can_reopen(by, item))
        if item.is_open:
            return item
        old_file = item.evidence_file.name if item.evidence_file else ""
        item.status = ChecklistItem.Status.OPEN
        item.done_by = None
        item.done_at = None
        item.note = ""
        item.justification = ""
        item.evidence_file = ""
        item.due_at = due_from(
            engagement=item.checklist.engagement,
            anchor=item.due_anchor,
            offset_days=item.due_offset_days,
        )
        item.full_clean()
        item.save()
        if old_file:
            storage = ChecklistItem._meta.get_field("evidence_file").storage
            transaction.on_commit(lambda: storage.delete(old_file))
    return item


# --- Reassigning -----------------------------------------------------------------------

REASSIGNED_EVENT = "checklist_item_reassigned"


def _not_a_candidate() -> ValidationError:
    return ValidationError(
        {
            "assignee": _(
                "Choose someone on this engagement (its owner or assigned staff) whose "
                "account is active and whose role may do this item."
            )
        },
        code="not_a_candidate",
    )


def _hand_over(item: ChecklistItem, target: User, *, by: User, moment, request=None) -> None:
    """Move ``item`` (locked, open) to ``target``, write the audit entry and
    record the message to ``target`` (unless they took it themselves)."""
    from checklists.reminders import tell_new_assignee

    previous = item.assignee_id
    item.assignee = target
    item.assigned_at = moment if target.pk != by.pk else None
    # One row written, the audit entry below says who, when, from and to.
    ChecklistItem.objects.filter(pk=item.pk).update(
        assignee=target, assigned_at=item.assigned_at, updated_at=moment
    )
    record_event(
        item,
        actor=by,
        event=REASSIGNED_EVENT,
        request=request,
        from_user=previous,
        to_user=target.pk,
        engagement=item.checklist.engagement_id,
    )
    tell_new_assignee(item)


def item_reassign(
    *,
    item: ChecklistItem,
    to: User | int | str | None,
    by: User,
    request=None,
    now: datetime.datetime | None = None,
) -> ChecklistItem:
    """Hand an open staff item to someone else on its engagement. ``to`` is a
    user or their id (from a form); anyone but ``access.assignee_candidates``
    is refused, with one message whatever the reason (not on the
    engagement, inactive, a consultant, the wrong role, no such person)."""
    with transaction.atomic():
        item = _locked(item)
        require(access.can_reassign(by, item))
        refusal = access.reassign_refusal(item)
        if refusal:
            raise ValidationError(refusal, code="not_reassignable")
        to_pk = to.pk if isinstance(to, User) else to
        try:
            target = access.assignee_candidates(item).filter(pk=int(to_pk or 0)).first()
        except (TypeError, ValueError):
            target = None
        if target is None:
            raise _not_a_candidate()
        if target.pk == item.assignee_id:
            raise ValidationError(
                {"assignee": _("The item is already assigned to %(name)s.") % {"name": target}},
                code="unchanged",
            )
        _hand_over(item, target, by=by, moment=now or timezone.now(), request=request)
    return item


HANDED_OVER_EVENT = "checklist_items_handed_over"


def items_reassign_from(
    *,
    from_user: User,
    to: User,
    by: User,
    request=None,
    now: datetime.datetime | None = None,
) -> tuple[int, int]:
    """Someone is leaving: every open staff item assigned to ``from_user``,
    on engagements still running, goes to ``to`` where ``to`` may take it
    (``access.items_they_may_take``: on that engagement, with a role that
    does it); the others stay where they are, for a reassignment one by one.
    Each item moved is one audit event (who, when, from, to); ``to`` gets one
    e-mail for all of them after the commit (not one per item). Returns
    (moved, left)."""
    require(access.can_reassign_in_bulk(by))
    if to.pk == from_user.pk:
        raise ValidationError({"to": _("Choose someone else to take the items.")}, code="same")
    moment = now or timezone.now()
    with transaction.atomic():
        theirs = (
            ChecklistItem.objects.select_for_update(of=("self",))
            .filter(assignee=from_user, status=ChecklistItem.Status.OPEN)
            .exclude(owner_role=OwnerRole.CONSULTANT)
            .exclude(checklist__engagement__status__in=access.FINISHED_STATUSES)
        )
        rows = list(
            theirs.filter(access.items_they_may_take(to)).values_list(
                "pk", "checklist__engagement_id", "title"
            )
        )
        left = theirs.count() - len(rows)
        if not rows:
            raise ValidationError(
                {
                    "to": _(
                        "%(name)s is on none of the engagements of these items, or may not "
                        "do them: choose someone who runs them."
                    )
                    % {"name": to}
                },
                code="none_to_take",
            )
        ChecklistItem.objects.filter(pk__in=[pk for pk, _e, _t in rows]).update(
            assignee=to, assigned_at=None, updated_at=moment
        )
        for pk, engagement_id, title in rows:
            record_event(
                ChecklistItem(pk=pk, title=title),
                actor=by,
                event=HANDED_OVER_EVENT,
                request=request,
                from_user=from_user.pk,
                to_user=to.pk,
                engagement=engagement_id,
            )
        if to.pk != by.pk:
            count = len(rows)
            transaction.on_commit(lambda: _tell_handover(to, count))
    return len(rows), left


def _tell_handover(person: User, count: int) -> None:
    from core.emails import send_templated_to
    from reminders.registry import absolute_url

    send_templated_to(
        "checklists/emails/handover",
        people=[person],
        context={"count": count, "url": absolute_url("checklists:my_tasks"), "greeting": person},
    )


def item_evidence_open(*, item: ChecklistItem, by: User, request=None):
    """The evidence file, opened for reading, after writing the access to the
    audit trail (a signed agreement may carry a legal name)."""
    require(access.can_open_evidence(by, item))
    if not item.evidence_file:
        raise ValidationError(_("This item has no evidence file."))
    with transaction.atomic():
        record_access(
            actor=by,
            instance=item,
            fields=["evidence_file"],
            reason=gettext_noop("Opened the evidence of a checklist item"),
            request=request,
        )
    item.evidence_file.open("rb")
    return item.evidence_file
