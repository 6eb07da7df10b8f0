"""A consultant's record: everything Tinig keeps about one person, in sections.

The record is what her right of access gives her: the JSON download (portal
and admin), the readable page in the portal and the PDF. All three are the
same list of sections, built by the apps that hold the data. ``consultants``
knows only its own models; every other app adds its sections from its
``AppConfig.ready()``::

    # compensation/record.py
    from consultants.record import Entry, RecordSection, Row, register_record_section

    def build_time_entries(consultant):
        entries = TimeEntry.objects.filter(consultant=consultant).order_by("date", "pk")
        return RecordSection(rows=[Row(title=..., entries=[Entry("date", _("Date"), e.date)])
                                   for e in entries])

    register_record_section(
        "time_entries", title=_("Time you gave"), order=320, build=build_time_entries
    )

Rules every section keeps:

- Her own rows only: ``build(consultant)`` filters on her, never on anything
  she may merely see.
- A fixed number of queries, however long her history
  (``tests/consultants/test_record.py`` counts them at a small and a larger
  seed).
- Plain data: an ``Entry`` holds a key (stable, for the JSON), a label and
  a value (text, number, Decimal, date, datetime, bool, a list of texts or
  nested ``Row``\\s), and may carry ``display`` for the readable forms (a
  choice's label next to its stored code). Encrypted values appear
  decrypted: it is her data.
- Discreet about other people: staff appear by display name and role,
  never by e-mail address; another consultant never appears.
- Labels are translated when built: build the record inside
  ``translation.override`` to get it in her language.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import formats, timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

    from consultants.models import Consultant

FORMAT = "tinig-consultant-export/2"


# --- Plain data -------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One labelled value."""

    key: str
    label: str
    value: Any = None
    display: str | None = None

    @property
    def is_rows(self) -> bool:
        return isinstance(self.value, list | tuple) and any(
            isinstance(item, Row) for item in self.value
        )

    @property
    def text(self) -> str:
        """The value as a person reads it (in the active language and time zone)."""
        if self.display is not None:
            return self.display
        return display_value(self.value)

    def as_json(self) -> Any:
        if self.is_rows:
            return [row.as_json() for row in self.value]
        return plain(self.value)


@dataclass(frozen=True)
class Row:
    """One record of a list (an engagement, a payment), with its own entries."""

    entries: Sequence[Entry]
    title: str = ""

    def as_json(self) -> dict[str, Any]:
        return {entry.key: entry.as_json() for entry in self.entries}


@dataclass(frozen=True)
class RecordSection:
    """One heading of the record: either ``fields`` (one thing, such as the
    profile) or ``rows`` (a list, such as payments; ``rows=[]`` is an empty
    list, said with ``empty``). ``key`` and ``title`` are set by the registry."""

    fields: Sequence[Entry] = ()
    rows: Sequence[Row] | None = None
    intro: str = ""
    empty: str = ""
    key: str = ""
    title: str = ""

    @property
    def is_list(self) -> bool:
        return self.rows is not None

    @property
    def is_empty(self) -> bool:
        return not self.rows if self.is_list else not self.fields

    def as_json(self) -> Any:
        if self.rows is not None:
            return [row.as_json() for row in self.rows]
        return {entry.key: entry.as_json() for entry in self.fields}


def plain(value: Any) -> Any:
    """A value as JSON holds it: dates and times in ISO 8601, amounts as text
    (no rounding by a JSON reader)."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def display_value(value: Any) -> str:
    if value is None or value == "" or value == [] or value == ():
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value)
        return f"{formats.date_format(local, 'j F Y')}, {formats.time_format(local)}"
    if isinstance(value, datetime.date):
        return formats.date_format(value, "j F Y")
    if isinstance(value, datetime.time):
        return formats.time_format(value)
    if isinstance(value, Decimal):
        return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    if isinstance(value, list | tuple):
        return ", ".join(display_value(item) for item in value)
    return str(value)


def choice(key: str, label: str, value: str, choices) -> Entry:
    """An entry for a stored code: the code in the JSON, its label on the page."""
    labels = dict(choices)
    return Entry(key, label, value, display=str(labels.get(value, value)) if value else None)


# --- The registry -----------------------------------------------------------------------


Build = Callable[["Consultant"], RecordSection]


@dataclass(frozen=True)
class SectionKind:
    key: str
    title: Any
    order: int
    build: Build = field(compare=False)


_sections: dict[str, SectionKind] = {}


def register_record_section(key: str, *, title: Any, order: int, build: Build) -> None:
    """Add a section. ``title`` may be lazy (translated when the record is
    built); ``order`` places it (consultants 0-99, engagements 100s,
    checklists 200s, compensation 300s, reminders 400s, the access log last).
    Registering a key again from the same module replaces it (``ready()``
    may run twice); from another module it is a mistake."""
    if not key.replace("_", "").isalnum() or not key.islower():
        raise ImproperlyConfigured(f"Record section {key!r} must be a lower-case slug.")
    existing = _sections.get(key)
    if existing is not None and existing.build.__module__ != build.__module__:
        raise ImproperlyConfigured(f"Record section {key!r} is registered twice.")
    _sections[key] = SectionKind(key=key, title=title, order=order, build=build)


def unregister_record_section(key: str) -> None:
    """For tests that register a section of their own."""
    _sections.pop(key, None)


def record_section_kinds() -> list[SectionKind]:
    return sorted(_sections.values(), key=lambda kind: (kind.order, kind.key))


def record_build(consultant: Consultant) -> list[RecordSection]:
    """Every section of the consultant's record, in order, in the active
    language. Not audited: callers that hand it out go through
    ``consultants.services.consultant_record``."""
    return [
        replace(kind.build(consultant), key=kind.key, title=str(kind.title))
        for kind in record_section_kinds()
    ]


def record_json(sections: Iterable[RecordSection], *, exported_at: datetime.datetime) -> dict:
    """The JSON form: one key per section, plus the format and the moment."""
    data: dict[str, Any] = {"format": FORMAT, "exported_at": exported_at.isoformat()}
    for section in sections:
        data[section.key] = section.as_json()
    return data


# --- What the access log about her covers --------------------------------------------------

Subjects = Callable[["Consultant"], Iterable[tuple[type["Model"], "QuerySet"]]]
_access_subjects: dict[str, Subjects] = {}


def register_access_subjects(name: str, subjects: Subjects) -> None:
    """Records of another app that are about the consultant, so that a reveal
    of one (a payment account, a receipt) shows in her access log:
    ``subjects(consultant)`` yields (model, queryset of those records), used
    as subqueries (no query of its own)."""
    _access_subjects[name] = subjects


def access_subjects(consultant: Consultant) -> list[tuple[type[Model], QuerySet]]:
    return [pair for subjects in _access_subjects.values() for pair in subjects(consultant)]
