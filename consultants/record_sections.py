"""The consultants app's sections of a consultant's record (``consultants.record``):
profile, portal account, status and breaks, story sharing, availability,
consent with its history, wellbeing notes, and the access log about her.

Each section is a fixed number of queries on her own rows. The JSON keys
of the first export format are kept (``profile``, ``portal_account``,
``status_history``, ``weekly_availability``, ``busy_periods``, ``consent``,
``wellbeing_notes``); the expertise list moved into ``profile``.
"""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import Role
from consultants.models import (
    BusyPeriod,
    ConsentRecord,
    ConsentScope,
    Consultant,
    Language,
    StatusChange,
    TextLanguage,
    WeeklyAvailability,
    WellbeingNote,
)
from consultants.record import (
    Entry,
    RecordSection,
    Row,
    access_subjects,
    choice,
    register_record_section,
)
from core.audit import reason_text

# Profile fields with a vocabulary: the code in the JSON, the label on the page.
_CHOICES = {
    "region": lambda: Consultant._meta.get_field("region").choices,
    "occupation_status": lambda: Consultant.Occupation.choices,
    "status": lambda: Consultant.Status.choices,
    "story_sharing_default": lambda: Consultant.StorySharing.choices,
    "discretion": lambda: Consultant.Discretion.choices,
}
_LANGUAGE_FIELDS = ("preferred_languages", "spoken_languages")
# Said by the system, not kept about her: left out of the readable forms.
_NOT_SHOWN = {"id", "user", "created_at", "updated_at"}


def _languages(codes) -> str:
    labels = dict(Language.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes) or "—"


def build_profile(consultant: Consultant) -> RecordSection:
    consultant = Consultant.objects.prefetch_related("expertise").get(pk=consultant.pk)
    fields = []
    for model_field in Consultant._meta.concrete_fields:
        name = model_field.name
        if name in _NOT_SHOWN:
            continue
        value = getattr(consultant, name)
        label = str(model_field.verbose_name).capitalize()
        if name in _CHOICES:
            fields.append(choice(name, label, value, _CHOICES[name]()))
        elif name in _LANGUAGE_FIELDS:
            fields.append(Entry(name, label, list(value), display=_languages(value)))
        else:
            fields.append(Entry(name, label, value))
    fields.append(
        Entry("expertise", _("Expertise"), [topic.name for topic in consultant.expertise.all()])
    )
    return RecordSection(
        fields=fields,
        intro=_(
            "Your profile as we keep it, including what is stored encrypted: "
            "only you and the people who need it can see those values."
        ),
    )


def build_portal_account(consultant: Consultant) -> RecordSection:
    user = Consultant.objects.select_related("user").get(pk=consultant.pk).user
    if user is None:
        return RecordSection(empty=_("You have no portal account."))
    return RecordSection(
        fields=[
            # Her address, not the lookup token a sealed account is found by.
            Entry("email", _("Sign-in e-mail address"), user.delivery_email),
            Entry("active", _("Account active"), user.is_active),
            Entry("date_joined", _("Account created"), user.date_joined),
            Entry("last_login", _("Last signed in"), user.last_login),
        ]
    )


def build_status_history(consultant: Consultant) -> RecordSection:
    statuses = Consultant.Status.choices
    return RecordSection(
        rows=[
            Row(
                title=str(dict(statuses).get(change.to_status, change.to_status)),
                entries=[
                    Entry("changed_at", _("When"), change.changed_at),
                    choice("from", _("From"), change.from_status, statuses),
                    choice("to", _("To"), change.to_status, statuses),
                    Entry("break_until", _("On a break until"), change.break_until),
                    Entry("reason", _("Reason"), change.reason),
                ],
            )
            for change in StatusChange.objects.filter(consultant=consultant).order_by(
                "changed_at", "id"
            )
        ],
        empty=_("No changes of status yet."),
    )


def build_story_sharing(consultant: Consultant) -> RecordSection:
    value = Consultant.objects.values_list("story_sharing_default", flat=True).get(pk=consultant.pk)
    return RecordSection(
        fields=[
            choice("default", _("Your starting point"), value, Consultant.StorySharing.choices)
        ],
        intro=_("Each engagement asks again; your choice there is under Engagements."),
    )


def build_weekly_availability(consultant: Consultant) -> RecordSection:
    return RecordSection(
        rows=[
            Row(
                entries=[
                    Entry("weekday", _("Day"), window.get_weekday_display()),
                    Entry("from", _("From"), window.start_time),
                    Entry("until", _("Until"), window.end_time),
                ]
            )
            for window in WeeklyAvailability.objects.filter(consultant=consultant).order_by(
                "weekday", "start_time"
            )
        ],
        empty=_("No usual free times."),
    )


def build_busy_periods(consultant: Consultant) -> RecordSection:
    return RecordSection(
        rows=[
            Row(
                entries=[
                    choice("kind", _("Kind"), period.kind, BusyPeriod.Kind.choices),
                    Entry("from", _("From"), period.starts_on),
                    Entry("until", _("Until"), period.ends_on),
                    Entry("note", _("Note"), period.note),
                ]
            )
            for period in BusyPeriod.objects.filter(consultant=consultant).order_by(
                "starts_on", "ends_on", "id"
            )
        ],
        empty=_("No busy days."),
    )


def build_consent(consultant: Consultant) -> RecordSection:
    records = (
        ConsentRecord.objects.filter(consultant=consultant)
        .select_related("consent_text")
        .prefetch_related("consent_text__translations")
        .order_by("recorded_at", "id")
    )
    rows = []
    for record in records:
        scope = str(dict(ConsentScope.choices).get(record.scope, record.scope))
        rows.append(
            Row(
                title=scope,
                entries=[
                    Entry("recorded_at", _("When"), record.recorded_at),
                    choice("scope", _("Consent"), record.scope, ConsentScope.choices),
                    choice(
                        "action", _("What happened"), record.action, ConsentRecord.Action.choices
                    ),
                    Entry(
                        "recorded_by_you",
                        _("Recorded by you"),
                        record.recorded_by_id == consultant.user_id,
                    ),
                    Entry("text_version", _("Text version"), record.consent_text.version),
                    # In the words she was shown, whatever language the record is read in.
                    Entry("text", _("The text you were shown"), record.shown_body),
                    choice(
                        "text_language",
                        _("Language of the text"),
                        record.shown_language,
                        TextLanguage.choices,
                    ),
                    Entry("has_evidence", _("Signed form kept"), bool(record.evidence)),
                ],
            )
        )
    return RecordSection(
        rows=rows,
        intro=_("Every consent given or withdrawn, oldest first, as it happened."),
        empty=_("No consent recorded yet."),
    )


def build_wellbeing_notes(consultant: Consultant) -> RecordSection:
    return RecordSection(
        rows=[
            Row(
                entries=[
                    Entry("written_at", _("Written"), note.created_at),
                    choice("kind", _("Kind"), note.kind, WellbeingNote.Kind.choices),
                    Entry("note", _("Note"), note.body),
                ]
            )
            for note in WellbeingNote.objects.filter(consultant=consultant).order_by(
                "created_at", "id"
            )
        ],
        intro=_("Notes your wellbeing lead wrote to support you."),
        empty=_("No notes."),
    )


# --- Who saw her protected data ------------------------------------------------------------


def _as_text_pks(queryset):
    return queryset.order_by().annotate(text_pk=Cast("pk", CharField())).values("text_pk")


def access_entries_about(consultant: Consultant):
    """The reveals (core.audit.record_access) of her profile, her consent
    evidence and whatever other apps register as hers, oldest first: one
    query, without the actor's e-mail address."""
    consultant_type = ContentType.objects.get_for_model(Consultant)
    consent_type = ContentType.objects.get_for_model(ConsentRecord)
    about = Q(content_type=consultant_type, object_pk=str(consultant.pk)) | Q(
        content_type=consent_type,
        object_pk__in=_as_text_pks(ConsentRecord.objects.filter(consultant=consultant)),
    )
    for model, pks in access_subjects(consultant):
        about |= Q(
            content_type=ContentType.objects.get_for_model(model),
            object_pk__in=_as_text_pks(pks),
        )
    return (
        LogEntry.objects.filter(about, action=LogEntry.Action.ACCESS)
        .select_related("actor")
        .only(
            "timestamp",
            "additional_data",
            "content_type_id",
            "actor_id",
            "actor__id",
            "actor__display_name",
        )
        .order_by("timestamp", "pk")
    )


def _roles_by_user(user_ids) -> dict[int, list[str]]:
    labels = dict(Role.choices)
    roles: dict[int, list[str]] = {}
    rows = User.groups.through.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "group__name"
    )
    for user_id, name in rows:
        if name in labels:
            roles.setdefault(user_id, []).append(str(labels[name]))
    return roles


def _field_label(model, name: str) -> str:
    if name == "export":
        return _("your complete record")
    if name == "wellbeing_notes":
        return _("wellbeing notes")
    if model is not None:
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            pass
    return name.replace("_", " ")


def _record_label(model) -> str:
    if model is Consultant:
        return _("your profile")
    return str(model._meta.verbose_name) if model is not None else ""


def build_access_log(consultant: Consultant) -> RecordSection:
    entries = list(access_entries_about(consultant))
    roles = _roles_by_user({entry.actor_id for entry in entries if entry.actor_id})
    rows = []
    for entry in entries:
        data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
        model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
        if entry.actor_id is None:
            who, role = _("An account that no longer exists"), ""
        elif entry.actor_id == consultant.user_id:
            who, role = _("You"), ""
        else:
            who, role = str(entry.actor), ", ".join(roles.get(entry.actor_id, []))
        rows.append(
            Row(
                title=who,
                entries=[
                    Entry("when", _("When"), entry.timestamp),
                    Entry("who", _("Who"), who),
                    Entry("role", _("Role"), role),
                    Entry("record", _("What"), _record_label(model)),
                    Entry(
                        "fields",
                        _("Fields shown"),
                        [_field_label(model, name) for name in data.get("fields") or []],
                    ),
                    Entry("reason", _("Reason given"), reason_text(str(data.get("reason") or ""))),
                ],
            )
        )
    return RecordSection(
        rows=rows,
        intro=_(
            "Every time someone saw your protected details (your name, contacts, "
            "support person, notes, payment account, signed forms or this record), "
            "who it was and the reason they gave. We write it down before they see it."
        ),
        empty=_("Nobody has looked at your protected details."),
    )


# Imported by ConsultantsConfig.ready().
for _key, _title, _order, _build in [
    ("profile", gettext_lazy("Your profile"), 10, build_profile),
    ("portal_account", gettext_lazy("Your portal account"), 15, build_portal_account),
    ("status_history", gettext_lazy("Your status and breaks"), 20, build_status_history),
    ("story_sharing", gettext_lazy("Sharing your story"), 25, build_story_sharing),
    ("weekly_availability", gettext_lazy("Your usual free times"), 30, build_weekly_availability),
    ("busy_periods", gettext_lazy("Your busy days"), 31, build_busy_periods),
    ("consent", gettext_lazy("Your consent and its history"), 40, build_consent),
    ("wellbeing_notes", gettext_lazy("Wellbeing notes"), 50, build_wellbeing_notes),
    ("access_log", gettext_lazy("Who saw your protected details"), 900, build_access_log),
]:
    register_record_section(_key, title=_title, order=_order, build=_build)
