"""The kinds of document Tinig can produce, registered by the apps that own them.

``reports`` knows no domain app: an app adds its kinds from its
``AppConfig.ready()`` by importing a module that uses the decorator below::

    @register_report(
        kind="engagement_brief",
        label=_("Engagement brief"),
        form_class=EngagementBriefForm,  # a ReportForm
        can_request=can_request_engagement_brief,  # callable(user) -> bool
    )
    def build_engagement_brief(job, progress):
        engagement = engagement_for_user(job.requested_by, job.params["engagement"])
        progress(10, gettext_noop("Records loaded"))
        return "engagements/pdf/brief.html", {"engagement": engagement}

The builder runs in the worker. ``job.params`` holds the JSON values of the
kind's form, validated again (and ``can_request`` asked again) just before
the builder is called. The template extends ``reports/base.html``; the
context may set ``document_title`` (the kind's label otherwise), which is
the only thing the page header shows besides "Tinig".
"""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.search import bind_search_fields

if TYPE_CHECKING:
    from accounts.models import User
    from reports.models import ReportJob


class UnknownReportKind(LookupError):
    """No report kind of that name is registered."""


class Progress(Protocol):
    def __call__(self, percent: int, message: str) -> None:
        """Record how far the job has come. ``message`` is an English message
        id (mark it with ``gettext_noop``); it is translated when shown."""


Builder = Callable[["ReportJob", Progress], tuple[str, dict[str, Any]]]


class ReportForm(forms.Form):
    """Base of every kind's form: receives the requesting user, and turns
    its cleaned data into plain JSON values for ``ReportJob.params``.

    Subclasses only normalise and validate; fields whose values are model
    instances are stored by primary key (so a ``ModelChoiceField`` limited
    to what ``user`` may see re-checks access when the job runs). A row of a
    growing table is chosen with ``core.search.SearchChoiceField``, never a
    ``<select>`` of every row: it is bound here to ``user``, with what was
    typed in its search box (``search``, the page's GET) and the id of the
    page's search form for this kind (``search-<prefix>``).
    """

    def __init__(self, *args, user: User | None = None, search=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        bind_search_fields(
            self, user=user, search=search, search_form=f"search-{self.prefix or 'form'}"
        )

    def params(self) -> dict[str, Any]:
        return {name: _plain(value) for name, value in self.cleaned_data.items()}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return _plain(value.pk)
    if isinstance(value, list | tuple | models.QuerySet):
        return [_plain(item) for item in value]
    raise TypeError(f"A report parameter cannot hold a {type(value).__name__}.")


@dataclass(frozen=True)
class ReportKind:
    kind: str
    label: str
    form_class: type[ReportForm]
    can_request: Callable[[User], bool]
    build: Builder
    description: str = ""
    # The language the document is written in, decided from the requester
    # (e.g. a consultant's preferred language); None: the page's language.
    language_for: Callable[[User], str | None] | None = None
    # The stem of the download's file name, before "-YYYY-MM-DD.pdf"
    # (discreet: never a kind of work or a person); None: tinig-document-<ref>.
    file_stem: str | None = None

    def bind(self, data=None, *, user: User, prefix: str | None = None, search=None) -> ReportForm:
        return self.form_class(data, user=user, prefix=prefix, search=search)


_registry: dict[str, ReportKind] = {}
_KIND_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,49}")


def register_report(
    *,
    kind: str,
    label: str,
    form_class: type[ReportForm],
    can_request: Callable[[User], bool],
    description: str = "",
    language_for: Callable[[User], str | None] | None = None,
    file_stem: str | None = None,
) -> Callable[[Builder], Builder]:
    """Register the decorated builder as the document of ``kind``."""
    if not _KIND_PATTERN.fullmatch(kind):
        raise ImproperlyConfigured(f"Report kind {kind!r} must be a lower-case slug.")
    if not (isinstance(form_class, type) and issubclass(form_class, ReportForm)):
        raise ImproperlyConfigured(f"Report kind {kind!r}: form_class must be a ReportForm.")

    def decorator(build: Builder) -> Builder:
        if kind in _registry:
            raise ImproperlyConfigured(f"Report kind {kind!r} is registered twice.")
        _registry[kind] = ReportKind(
            kind=kind,
            label=label,
            form_class=form_class,
            can_request=can_request,
            build=build,
            description=description,
            language_for=language_for,
            file_stem=file_stem,
        )
        return build

    return decorator


def unregister_report(kind: str) -> None:
    """For tests that register a kind of their own."""
    _registry.pop(kind, None)


def get_report_kind(kind: str) -> ReportKind:
    try:
        return _registry[kind]
    except KeyError:
        raise UnknownReportKind(kind) from None


def report_kinds() -> list[ReportKind]:
    return sorted(_registry.values(), key=lambda entry: str(entry.label))


def report_kinds_for(user) -> list[ReportKind]:
    """The kinds this person may request."""
    return [entry for entry in report_kinds() if entry.can_request(user)]


def file_stem(kind: str) -> str | None:
    entry = _registry.get(kind)
    return entry.file_stem if entry is not None else None


def kind_label(kind: str) -> str:
    entry = _registry.get(kind)
    return entry.label if entry is not None else _("Document")
