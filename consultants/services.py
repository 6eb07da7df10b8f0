"""Writes (and audited reads) of the consultants app.

Each function is one business action: keyword-only arguments, one
``transaction.atomic()``, ``full_clean()`` before ``save()``, a
``ValidationError`` (or one of its domain subclasses, ``ConsentError``,
``InvalidStatusTransition``) with a message a person can act on when the
input is wrong, and nothing saved in that case. Views check access with
``consultants.access`` first; the services that show or hand out protected
data (reveal, wellbeing notes, evidence, export, erasure, lead assignment)
check again themselves and raise ``PermissionDenied``.

Retention and erasure (``consultant_erase_identity``)
------------------------------------------------------
A consultant may ask for their identity to be erased. An administrator
does it, with a reason, and it is written to the audit trail. Erasure:

* wipes the legal name, name used in messages, e-mail, phone, address, the
  support person, work or study constraints and the public bio;
* deletes every wellbeing note, weekly window and busy period (with notes);
* deletes consent evidence files (the records themselves stay: they prove
  what was agreed, when, under which text; they hold no identity);
* blanks the reasons of the status history (the dates stay);
* deactivates the portal account and removes its address (the sign-in
  token, the sealed address and allauth's address rows), its
  authenticators and its sessions, and blanks any address of hers left in
  audit entries (``core.audit.redact_actor_addresses``);
* sets the status to alumni.

It keeps the pseudonym, joined date, coarse profile (region, languages,
expertise), the status dates and consent records, and everything that
other apps hold against the consultant, in particular compensation and
payments: financial records must be kept by law (Philippine tax rules ask
for ten years) and are pseudonymous. Audit entries are kept for good and
never held an encrypted value (core.audit masks them), nor, since actors
are recorded by id, an address.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.roles import Role
from consultants import access
from consultants.models import (
    CONSENT_TEXT_NEEDS_FILIPINO,
    ORIGINAL_LANGUAGE,
    TRANSLATION_IS_PUBLISHED,
    WINDOW_OVERLAP_MESSAGE,
    BusyPeriod,
    ConsentError,
    ConsentRecord,
    ConsentScope,
    ConsentText,
    ConsentTextTranslation,
    Consultant,
    ExpertiseTopic,
    StatusChange,
    WeeklyAvailability,
    WellbeingNote,
)
from consultants.record import RecordSection, record_build, record_json
from consultants.selectors import consent_text_current
from core.audit import record_access, record_event
from core.encryption import encrypted_field_names
from core.languages import supported_language
from core.records import RecordIsImmutable

# Fields a profile form may set (staff create/edit; the portal a subset).
PROFILE_FIELDS = frozenset(
    {
        "pseudonym",
        "message_name",
        "legal_name",
        "email",
        "phone",
        "address",
        "support_person_name",
        "support_person_relation",
        "support_person_contact",
        "preferred_languages",
        "spoken_languages",
        "region",
        "occupation_status",
        "occupation_constraints",
        "monthly_engagement_limit",
        "joined_on",
        "public_bio",
        "story_sharing_default",
    }
)

RevealGroup = Literal["identity", "contact", "support_person"]
REVEAL_FIELDS: dict[str, tuple[str, ...]] = {
    "identity": ("legal_name", "message_name"),
    "contact": ("email", "phone", "address"),
    "support_person": ("support_person_name", "support_person_relation", "support_person_contact"),
}

ERASED_FIELDS = (
    "legal_name",
    "message_name",
    "email",
    "phone",
    "address",
    "support_person_name",
    "support_person_relation",
    "support_person_contact",
    "occupation_constraints",
    "public_bio",
)


# --- Helpers ---------------------------------------------------------------------------


def _locked(consultant: Consultant) -> Consultant:
    """The consultant's row, locked until the transaction ends: actions on one
    consultant (status, windows, consent) happen one after the other."""
    return Consultant.objects.select_for_update().get(pk=consultant.pk)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why (it is written to the audit trail).")})
    return reason


def _refuse_if_erased(consultant: Consultant) -> None:
    if consultant.is_erased:
        raise ValidationError(
            _("This consultant's identity was erased; the record can no longer change.")
        )


def _apply(consultant: Consultant, data: Mapping[str, Any]) -> list[ExpertiseTopic] | None:
    data = dict(data)
    expertise = data.pop("expertise", None)
    unknown = set(data) - PROFILE_FIELDS
    if unknown:
        raise ValueError(f"Not profile fields: {', '.join(sorted(unknown))}")
    if "public_bio" in data and (data["public_bio"] or "") != consultant.public_bio:
        # A changed bio is a new bio: the consultant approves it again.
        consultant.public_bio_approved_at = None
    for name, value in data.items():
        field = Consultant._meta.get_field(name)
        if value is None and not field.null and field.empty_strings_allowed:
            value = ""  # an emptied text field
        if isinstance(value, str):
            value = value.strip()
        setattr(consultant, name, value)
    return None if expertise is None else list(expertise)


# --- Profile ---------------------------------------------------------------------------


def consultant_create(
    *, by: User, data: Mapping[str, Any], expertise: Iterable[ExpertiseTopic] | None = None
) -> Consultant:
    """A new consultant in status onboarding. ``data`` holds PROFILE_FIELDS
    (a form's cleaned_data; ``expertise`` may be in it or passed apart)."""
    with transaction.atomic():
        consultant = Consultant()
        topics = _apply(consultant, data)
        if expertise is not None:
            topics = list(expertise)
        consultant.full_clean()
        consultant.save()
        if topics is not None:
            consultant.expertise.set(topics)
        change = StatusChange(
            consultant=consultant,
            from_status="",
            to_status=consultant.status,
            reason="",
            changed_by=by,
        )
        change.full_clean()
        change.save()
    return consultant


def consultant_update(
    *,
    consultant: Consultant,
    by: User,
    data: Mapping[str, Any],
    expertise: Iterable[ExpertiseTopic] | None = None,
) -> Consultant:
    """Change profile fields (never the status: ``consultant_status_change``).
    Only the keys present in ``data`` change."""
    with transaction.atomic():
        consultant = _locked(consultant)
        _refuse_if_erased(consultant)
        topics = _apply(consultant, data)
        if expertise is not None:
            topics = list(expertise)
        consultant.full_clean()
        consultant.save()
        if topics is not None:
            consultant.expertise.set(topics)
    return consultant


def consultant_public_bio_approve(*, consultant: Consultant, by: User) -> Consultant:
    """The consultant approves their public bio (in the portal), or staff who may
    edit the profile record that they did."""
    if not (access.consultant_of(by) == consultant or access.can_edit_profile(by, consultant)):
        raise PermissionDenied
    with transaction.atomic():
        consultant = _locked(consultant)
        if not consultant.public_bio.strip():
            raise ValidationError({"public_bio": _("There is no bio to approve.")})
        consultant.public_bio_approved_at = timezone.now()
        consultant.full_clean()
        consultant.save(update_fields=["public_bio_approved_at", "updated_at"])
    return consultant


def story_sharing_default_set(*, consultant: Consultant, value: str, by: User) -> Consultant:
    with transaction.atomic():
        consultant = _locked(consultant)
        _refuse_if_erased(consultant)
        consultant.story_sharing_default = value
        consultant.full_clean()
        consultant.save(update_fields=["story_sharing_default", "updated_at"])
    return consultant


def privacy_choices_set(
    *, consultant: Consultant, exit_signs_out: bool, discretion: str, by: User
) -> Consultant:
    """Her choices for a shared phone: whether "Exit this page" signs her
    out, and when the portal folds sensitive details behind "Show"."""
    with transaction.atomic():
        consultant = _locked(consultant)
        consultant.exit_signs_out = exit_signs_out
        consultant.discretion = discretion
        consultant.full_clean()
        consultant.save(update_fields=["exit_signs_out", "discretion", "updated_at"])
    return consultant


def peer_choices_set(
    *,
    consultant: Consultant,
    visible_to_peers: bool,
    prefers_peer: bool,
    by: User,
    request=None,
) -> Consultant:
    """Her choices about peers: whether other consultants on the same
    engagement may see her pseudonym (only those who chose the same), and
    whether she would rather go with a peer (matching proposes pairs).
    Audited, with what she chose."""
    with transaction.atomic():
        consultant = _locked(consultant)
        _refuse_if_erased(consultant)
        consultant.visible_to_peers = visible_to_peers
        consultant.prefers_peer = prefers_peer
        consultant.full_clean()
        consultant.save(update_fields=["visible_to_peers", "prefers_peer", "updated_at"])
        record_event(
            consultant,
            actor=by,
            event="peer_choices_set",
            request=request,
            visible_to_peers=visible_to_peers,
            prefers_peer=prefers_peer,
        )
    return consultant


def consultant_status_change(
    *,
    consultant: Consultant,
    status: str,
    by: User | None,
    reason: str = "",
    break_until: datetime.date | None = None,
    today: datetime.date | None = None,
) -> StatusChange:
    """Move to ``status`` and write the history entry. A break needs its last
    day, in the future (it pauses all invitations until then); the reason is
    optional (a consultant never has to give one) and encrypted."""
    today = today or timezone.localdate()
    if status == Consultant.Status.ON_BREAK and break_until is not None and break_until <= today:
        raise ValidationError(
            {"break_until": _("The last day of the break must be in the future.")}
        )
    with transaction.atomic():
        consultant = _locked(consultant)
        _refuse_if_erased(consultant)
        previous = consultant.status
        consultant.set_status(status, break_until=break_until)
        consultant.full_clean()
        consultant.save(update_fields=["status", "break_until", "updated_at"])
        change = StatusChange(
            consultant=consultant,
            from_status=previous,
            to_status=consultant.status,
            break_until=consultant.break_until,
            reason=(reason or "").strip(),
            changed_by=by,
        )
        change.full_clean()
        change.save()
    return change


def consultant_breaks_end_expired(*, today: datetime.date | None = None) -> int:
    """Consultants whose break ended before ``today`` become active again (for
    a daily task). Returns how many."""
    today = today or timezone.localdate()
    ended = Consultant.objects.filter(
        status=Consultant.Status.ON_BREAK, break_until__lt=today
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(ended):
        with transaction.atomic():
            consultant = Consultant.objects.select_for_update().get(pk=pk)
            # Checked again under the lock: the consultant may have changed it.
            if (
                consultant.status == Consultant.Status.ON_BREAK
                and consultant.break_until is not None  # always, on a break (constraint)
                and consultant.break_until < today
            ):
                consultant_status_change(
                    consultant=consultant, status=Consultant.Status.ACTIVE, by=None, today=today
                )
                count += 1
    return count


# --- Availability ------------------------------------------------------------------------


def weekly_window_add(
    *,
    consultant: Consultant,
    weekday: int,
    start_time: datetime.time,
    end_time: datetime.time,
    by: User,
) -> WeeklyAvailability:
    """A weekly window; refused with a clear message if it overlaps another
    window of that weekday (PostgreSQL refuses too, for concurrent adds)."""
    with transaction.atomic():
        consultant = _locked(consultant)
        _refuse_if_erased(consultant)
        window = WeeklyAvailability(
            consultant=consultant, weekday=weekday, start_time=start_time, end_time=end_time
        )
        window.full_clean()
        try:
            with transaction.atomic():
                window.save()
        except IntegrityError as error:
            if "consultants_weekly_no_overlap" in str(error):
                raise ValidationError(WINDOW_OVERLAP_MESSAGE, code="overlap") from None
            raise
    return window


def weekly_window_remove(*, window: WeeklyAvailability, by: User) -> None:
    with transaction.atomic():
        window.delete()


def busy_period_add(
    *,
    consultant: Consultant,
    kind: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    by: User,
    note: str = "",
) -> BusyPeriod:
    with transaction.atomic():
        consultant = _locked(consultant)
        _refuse_if_erased(consultant)
        period = BusyPeriod(
            consultant=consultant,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            note=(note or "").strip(),
        )
        period.full_clean()
        period.save()
    return period


def busy_period_remove(*, period: BusyPeriod, by: User) -> None:
    with transaction.atomic():
        period.delete()


# --- Consent -----------------------------------------------------------------------------


def _latest_consent(consultant: Consultant, scope: str) -> ConsentRecord | None:
    return (
        ConsentRecord.objects.filter(consultant=consultant, scope=scope)
        .select_related("consent_text")
        .order_by("-recorded_at", "-id")
        .first()
    )


def _record_consent(
    *,
    consultant: Consultant,
    scope: str,
    action: str,
    text: ConsentText,
    language: str | None,
    by: User,
    evidence: File | None,
) -> ConsentRecord:
    record = ConsentRecord(
        consultant=consultant,
        scope=scope,
        action=action,
        consent_text=text,
        # The language she was shown the words in: one the text has.
        text_language=text.words_for(language)[0],
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    if evidence:
        record.evidence = evidence
    record.full_clean()
    record.save()
    return record


def consent_grant(
    *,
    consultant: Consultant,
    scope: str,
    by: User,
    consent_text: ConsentText | None = None,
    language: str | None = None,
    evidence: File | None = None,
) -> ConsentRecord:
    """Record that the consultant gives consent for ``scope`` under
    ``consent_text`` (default: the current published text of the scope),
    shown to her in ``language`` (default: the active language; a language
    the text lacks is recorded as the English she was shown instead).
    ``evidence``: an optional signed form (PDF, JPEG or PNG, at most 5 MB)."""
    if scope not in ConsentScope.values:
        raise ConsentError({"scope": _("Unknown consent scope.")})
    with transaction.atomic():
        consultant = _locked(consultant)
        _refuse_if_erased(consultant)
        text = consent_text or consent_text_current(scope=scope)
        if text is None:
            raise ConsentError(
                _(
                    "There is no published consent text for “%(scope)s” yet; "
                    "an administrator publishes one first."
                )
                % {"scope": ConsentScope(scope).label}
            )
        latest = _latest_consent(consultant, scope)
        if latest is not None and latest.is_grant and latest.consent_text_id == text.pk:
            raise ConsentError(
                _("Consent for “%(scope)s” is already given under this text.")
                % {"scope": ConsentScope(scope).label}
            )
        return _record_consent(
            consultant=consultant,
            scope=scope,
            action=ConsentRecord.Action.GRANTED,
            text=text,
            language=language,
            by=by,
            evidence=evidence,
        )


def consent_withdraw(
    *,
    consultant: Consultant,
    scope: str,
    by: User,
    language: str | None = None,
    evidence: File | None = None,
) -> ConsentRecord:
    """Withdraw consent for ``scope``, effective at once (the current state is
    the latest record). Refused if consent for it is not currently given.

    The withdrawal names the text of the grant it ends, and the language
    that text was shown in: ``language`` when she withdraws with the text
    before her (the portal), else that of the grant."""
    if scope not in ConsentScope.values:
        raise ConsentError({"scope": _("Unknown consent scope.")})
    with transaction.atomic():
        consultant = _locked(consultant)
        _refuse_if_erased(consultant)
        latest = _latest_consent(consultant, scope)
        if latest is None or not latest.is_grant:
            raise ConsentError(
                _(
                    "Consent for “%(scope)s” is not currently given, "
                    "so there is nothing to withdraw."
                )
                % {"scope": ConsentScope(scope).label},
                code="not_granted",
            )
        return _record_consent(
            consultant=consultant,
            scope=scope,
            action=ConsentRecord.Action.WITHDRAWN,
            text=latest.consent_text,
            language=language or latest.shown_language,
            by=by,
            evidence=evidence,
        )


def _save_translations(text: ConsentText, translations: Mapping[str, str]) -> None:
    for language, body in translations.items():
        _translation_save(text=text, language=language, body=body)


def _translation_save(
    *, text: ConsentText, language: str, body: str
) -> ConsentTextTranslation | None:
    """Write (or, with empty words, remove) a translation of ``text``; the
    text's row is locked by the caller. None when there are no words."""
    body = (body or "").strip()
    if language == ORIGINAL_LANGUAGE or supported_language(language) != language:
        raise ValidationError({"language": _("Choose a language Tinig translates texts into.")})
    translation = (
        ConsentTextTranslation.objects.select_for_update()
        .filter(text=text, language=language)
        .first()
    )
    if translation is not None and text.is_published:
        # The words of a published text, in any language, never change.
        raise RecordIsImmutable(TRANSLATION_IS_PUBLISHED, code="published_text")
    if not body:
        if translation is not None:
            translation.delete()
        return None
    if translation is None:
        translation = ConsentTextTranslation(text=text, language=language)
    translation.body = body
    translation.full_clean()
    translation.save()
    return translation


def consent_text_create(
    *, scope: str, body: str, by: User, translations: Mapping[str, str] | None = None
) -> ConsentText:
    """A draft of the next version of a scope's text: the English ``body``
    and, in ``translations`` (``{"fil": "…"}``), its words in other languages
    (they may follow later; publishing needs them)."""
    with transaction.atomic():
        # Serialise version numbering per scope.
        latest = (
            ConsentText.objects.select_for_update().filter(scope=scope).order_by("-version").first()
        )
        text = ConsentText(
            scope=scope, body=(body or "").strip(), version=(latest.version + 1) if latest else 1
        )
        text.full_clean()
        text.save()
        _save_translations(text, translations or {})
    return text


def consent_text_update(
    *, text: ConsentText, body: str, by: User, translations: Mapping[str, str] | None = None
) -> ConsentText:
    """Change a draft, and its translations when given (an empty one is
    removed). A published text is never changed (RecordIsImmutable)."""
    with transaction.atomic():
        text.body = (body or "").strip()
        text.full_clean()
        text.save()
        _save_translations(text, translations or {})
    return text


def consent_text_translate(
    *, text: ConsentText, language: str, body: str, by: User
) -> ConsentTextTranslation | None:
    """Write the words of ``text`` in ``language``: on a draft, as often as
    needed (empty words remove them); on a published text only when it has
    none in that language yet (a text published before Tinig spoke it),
    and then never again. Its records and version stay as they are."""
    with transaction.atomic():
        text = ConsentText.objects.select_for_update().get(pk=text.pk)
        if text.is_published and not (body or "").strip():
            raise ValidationError({"body": _("Write the text in this language.")})
        return _translation_save(text=text, language=language, body=body)


def consent_text_publish(*, text: ConsentText, by: User) -> ConsentText:
    """Publish a draft: from now on it is what consultants are shown, and it
    can never change, in any language. Refused until it has its words in
    every language Tinig translates texts into (Filipino): a consultant
    whose language is Filipino is never shown a new text in English only.
    PostgreSQL refuses it too (migration 0007)."""
    with transaction.atomic():
        text = ConsentText.objects.select_for_update().get(pk=text.pk)
        if text.is_published:
            raise ValidationError(_("This text is already published."))
        if text.missing_languages():
            raise ValidationError(CONSENT_TEXT_NEEDS_FILIPINO, code="needs_translation")
        text.published_at = timezone.now()
        text.full_clean()
        text.save()
    return text


def consent_evidence_open(*, record: ConsentRecord, user: User, reason: str, request=None) -> File:
    """The evidence file of a consent record, opened for reading, after writing
    the access to the audit trail. A signed form carries the legal name."""
    if not access.can_view_consent_evidence(user, record):
        raise PermissionDenied
    if not record.evidence:
        raise ValidationError(_("This record has no evidence file."))
    reason = _require_reason(reason)
    with transaction.atomic():
        record_access(
            actor=user, instance=record, fields=["evidence"], reason=reason, request=request
        )
    record.evidence.open("rb")
    return record.evidence


# --- Reveal ------------------------------------------------------------------------------


def consultant_reveal(
    *,
    consultant: Consultant,
    user: User,
    fields: RevealGroup,
    reason: str,
    request=None,
) -> dict[str, str]:
    """The hidden values of one group of fields, for this response only.

    Refused (PermissionDenied, nothing written) to anyone
    ``access.can_reveal_identity`` refuses. Otherwise the access is written
    to the audit trail (who, which fields, why, from where) before the
    values are read and returned; if it cannot be written, nothing is shown.
    """
    if fields not in REVEAL_FIELDS:
        raise ValueError(f"Unknown group of fields: {fields!r}")
    if not access.can_reveal_identity(user, consultant):
        raise PermissionDenied("You may not see this consultant's identity.")
    reason = _require_reason(reason)
    names = REVEAL_FIELDS[fields]
    with transaction.atomic():
        record_access(
            actor=user, instance=consultant, fields=list(names), reason=reason, request=request
        )
        values = Consultant.objects.filter(pk=consultant.pk).values(*names).get()
    return {name: values[name] or "" for name in names}


# --- Wellbeing ---------------------------------------------------------------------------


def wellbeing_lead_assign(*, consultant: Consultant, lead: User, by: User, request=None) -> None:
    """Make ``lead`` the consultant's wellbeing lead (one at a time: a previous
    lead loses the grant). The lead then sees the consultant, reads and writes
    their wellbeing notes and may reveal their identity."""
    if not access.can_assign_wellbeing_lead(by, consultant):
        raise PermissionDenied
    if not access.is_wellbeing_lead(lead):
        raise ValidationError({"lead": _("Choose a person with the wellbeing lead role.")})
    with transaction.atomic():
        consultant = _locked(consultant)
        for previous in access.wellbeing_leads_of(consultant):
            if previous.pk != lead.pk:
                access.revoke_wellbeing(previous, consultant)
        access.grant_wellbeing(lead, consultant)
        record_event(
            consultant, actor=by, event="wellbeing_lead_assigned", request=request, lead=lead.pk
        )


def wellbeing_lead_unassign(*, consultant: Consultant, lead: User, by: User, request=None) -> None:
    if not access.can_assign_wellbeing_lead(by, consultant):
        raise PermissionDenied
    with transaction.atomic():
        access.revoke_wellbeing(lead, consultant)
        record_event(
            consultant, actor=by, event="wellbeing_lead_unassigned", request=request, lead=lead.pk
        )


def wellbeing_note_add(
    *, consultant: Consultant, kind: str, body: str, author: User
) -> WellbeingNote:
    if not access.can_read_wellbeing(author, consultant):
        raise PermissionDenied
    with transaction.atomic():
        _refuse_if_erased(consultant)
        note = WellbeingNote(
            consultant=consultant, kind=kind, body=(body or "").strip(), author=author
        )
        note.full_clean()
        note.save()
    return note


def wellbeing_notes_reveal(
    *, consultant: Consultant, user: User, reason: str, request=None
) -> list[WellbeingNote]:
    """The consultant's wellbeing notes, newest first, after writing the access
    to the audit trail. Only the assigned lead and administrators."""
    if not access.can_read_wellbeing(user, consultant):
        raise PermissionDenied
    reason = _require_reason(reason)
    with transaction.atomic():
        record_access(
            actor=user,
            instance=consultant,
            fields=["wellbeing_notes"],
            reason=reason,
            request=request,
        )
        return list(WellbeingNote.objects.filter(consultant=consultant).select_related("author"))


# --- Portal account --------------------------------------------------------------------------


def consultant_invite_to_portal(
    *, consultant: Consultant, by: User, language: str = "", request=None
) -> User:
    """Create the consultant's portal account (role consultant, their encrypted
    e-mail address as sign-in) and, once committed, send a discreet e-mail
    with a link to choose a password.

    The account is sealed (``accounts.sealing``): it is found by a keyed
    hash of the address and keeps the address only encrypted, so no table
    holds her address in plain text. ``language``: of her portal, e-mails
    and documents, the invitation first (she can change it); by default her
    first preferred language that Tinig speaks."""
    from accounts.addresses import account_for_address
    from accounts.services import user_create
    from consultants.emails import send_portal_invitation

    with transaction.atomic():
        consultant = _locked(consultant)
        _refuse_if_erased(consultant)
        if consultant.user_id is not None:
            raise ValidationError(_("This consultant already has a portal account."))
        email = (consultant.email or "").strip().lower()
        if not email:
            raise ValidationError({"email": _("Add the consultant's e-mail address first.")})
        if account_for_address(email) is not None:
            raise ValidationError(
                {
                    "email": _(
                        "This e-mail address already belongs to an account; ask an administrator."
                    )
                }
            )
        user = user_create(
            email=email,
            display_name=consultant.pseudonym,
            roles={Role.CONSULTANT},
            verified=True,  # the link goes to this address; following it proves it
            sealed=True,  # found by a keyed hash; the address kept encrypted
            language=language or consultant.interface_language,
        )
        consultant.user = user
        consultant.save(update_fields=["user", "updated_at"])
        record_event(consultant, actor=by, event="invited_to_portal", request=request)
        transaction.on_commit(
            lambda: send_portal_invitation(consultant=consultant, user=user, request=request)
        )
    return user


# --- Data-subject rights ----------------------------------------------------------------------


# Shown in her own access log, in her language (core.audit.reason_text).
EXPORT_REASON = gettext_noop("Data-subject access: complete record exported")


def consultant_record(
    *, consultant: Consultant, by: User, reason: str = EXPORT_REASON, request=None
) -> list[RecordSection]:
    """The consultant's complete record (right of access), every section the
    apps registered (``consultants.record``), in the active language.
    Administrators and the consultant themselves; written to the audit trail
    like a reveal before it is built, so a download she makes shows in her
    own access log. The readable page in the portal shows the same sections
    without writing an entry (it is her own page, like "Your details")."""
    if not access.can_export(by, consultant):
        raise PermissionDenied
    with transaction.atomic():
        record_access(
            actor=by, instance=consultant, fields=["export"], reason=reason, request=request
        )
        return record_build(consultant)


def consultant_export(*, consultant: Consultant, by: User, request=None) -> dict[str, Any]:
    """The consultant's complete record as a JSON-serialisable dict: one key per
    section of ``consultant_record`` (audited the same way)."""
    sections = consultant_record(consultant=consultant, by=by, request=request)
    return record_json(sections, exported_at=timezone.now())


def consultant_erase_identity(
    *, consultant: Consultant, by: User, reason: str, request=None
) -> Consultant:
    """Erase the consultant's identity on request (see the module docstring for
    what goes and what stays). Administrators only; written to the audit trail."""
    if not access.can_erase_identity(by, consultant):
        raise PermissionDenied
    reason = _require_reason(reason)
    with transaction.atomic():
        consultant = _locked(consultant)
        if consultant.is_erased:
            raise ValidationError(_("This consultant's identity was already erased."))
        now = timezone.now()

        # Status history keeps its dates, not its reasons (a bulk update:
        # the model refuses to change a history entry one by one).
        StatusChange.objects.filter(consultant=consultant).update(reason="")
        if consultant.status != Consultant.Status.ALUMNI:
            previous = consultant.status
            consultant.set_status(Consultant.Status.ALUMNI)
            change = StatusChange(
                consultant=consultant,
                from_status=previous,
                to_status=Consultant.Status.ALUMNI,
                changed_by=by,
                changed_at=now,
            )
            change.full_clean()
            change.save()

        for name in ERASED_FIELDS:
            setattr(consultant, name, "")
        consultant.public_bio_approved_at = None
        consultant.identity_erased_at = now
        consultant.full_clean()
        consultant.save()

        WellbeingNote.objects.filter(consultant=consultant).delete()
        WeeklyAvailability.objects.filter(consultant=consultant).delete()
        BusyPeriod.objects.filter(consultant=consultant).delete()

        with_evidence = ConsentRecord.objects.filter(consultant=consultant).exclude(evidence="")
        files = [record.evidence for record in with_evidence]
        # The one update the append-only trigger allows: the file name, blanked.
        with_evidence.update(evidence="")

        if consultant.user is not None:  # None, without a query, when there is no account
            _deactivate_account(consultant.user, pseudonym=consultant.pseudonym, by=by)

        record_event(
            consultant,
            actor=by,
            event="identity_erased",
            request=request,
            reason=reason,
            fields=sorted(set(ERASED_FIELDS) | set(encrypted_field_names(Consultant))),
        )

        def delete_files():
            # After commit: if anything above fails, no file is lost.
            for file in files:
                if file.name:  # always: only records with a file were gathered
                    file.storage.delete(file.name)

        transaction.on_commit(delete_files)
    return consultant


def _deactivate_account(user: User, *, pseudonym: str, by: User) -> None:
    """Her account stays (audit entries name it as actor, by id) but keeps
    nothing of her: no address (sealed, plain or in ``EmailAddress``), no
    authenticator, no session (a session may hold what allauth recorded at
    sign-in), no address in an audit entry written before actors were
    recorded by id only."""
    from allauth.mfa.models import Authenticator

    from accounts.addresses import account_forget_address
    from accounts.services import user_sessions_end
    from core.audit import redact_actor_addresses

    account_forget_address(user=user)
    user.display_name = pseudonym
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["display_name", "is_active", "password"])
    Authenticator.objects.filter(user=user).delete()
    # Her password is unusable and the account inactive, which already ends
    # her sessions at their next request; this removes the rows at once.
    user_sessions_end(user=user)
    redact_actor_addresses(actor=user, by=by, reason="Identity erased")
