"""Choose one row of a growing table by searching it, never from a list of
every row: a form field, its widget, and a search endpoint per source.

An app registers a *source* from its ``AppConfig.ready()``: a name, who may
use it, the rows a person may choose from (the same queryset its pages and
services check), how a typed text narrows them, and how a row is labelled::

    register_source(SearchSource(
        name="brief_engagement",
        can_use=access.can_request_engagement_brief,
        queryset=access.briefable_engagements,      # callable(user) -> QuerySet
        search=search_engagements,                  # callable(queryset, text) -> QuerySet
        label=engagement_label,                     # callable(row) -> str
        hint=_("Search by title, or a date like 2026-03-14."),
    ))

``SearchChoiceField(source="brief_engagement")`` is a ``ModelChoiceField``
whose queryset is that source's for the form's user (``bind``), so a posted
primary key is accepted only when the person may see the row; its widget
never lists the rows. Without JavaScript it is a plain search-then-choose:
a search box that belongs to a separate GET form (``search_form``: the
page's, by id), then at most ``LIMIT`` matches as radio buttons inside the
form being filled, "N more: search more precisely" beyond that, the row
chosen so far kept as a checked radio. ``static/js/search-choice.js`` turns
the same markup into an ARIA combobox that asks ``/staff/search/<source>/``
(``core.views.search_choices``: JSON, at most ``LIMIT`` rows, 403 for whoever
may not use the source, 404 for an unknown one).

A search is one query (the rows and their count, ``core.bounded``); a
typed text is cut to ``MAX_QUERY`` characters and stripped of control
characters before it reaches PostgreSQL (as a bound parameter, ``LIKE``
wildcards escaped by Django).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.urls import reverse

from core.bounded import bounded

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.access import AnyUser

LIMIT = 10
MAX_QUERY = 100
QUERY_SUFFIX = "_q"


@dataclass(frozen=True)
class SearchSource:
    name: str
    can_use: Callable[[AnyUser], bool]
    queryset: Callable[[AnyUser], QuerySet[Any]]
    search: Callable[[QuerySet[Any], str], QuerySet[Any]]
    label: Callable[[Any], str]
    hint: StrOrPromise = ""

    def rows_for(self, user: AnyUser) -> QuerySet[Any]:
        """What ``user`` may choose from: the source's queryset, or none."""
        queryset = self.queryset(user)
        return queryset if self.can_use(user) else queryset.none()


_sources: dict[str, SearchSource] = {}
_NAME = re.compile(r"[a-z][a-z0-9_]{0,49}")


def register_source(source: SearchSource) -> SearchSource:
    if not _NAME.fullmatch(source.name):
        raise ImproperlyConfigured(f"Search source {source.name!r} must be a lower-case slug.")
    if source.name in _sources:
        raise ImproperlyConfigured(f"Search source {source.name!r} is registered twice.")
    _sources[source.name] = source
    return source


def get_source(name: str) -> SearchSource:
    """The source of that name; ``LookupError`` when there is none."""
    try:
        return _sources[name]
    except KeyError:
        raise LookupError(name) from None


def clean_query(text: object) -> str:
    """A typed text made safe to search with: a string, normalised (NFC),
    control characters (NUL included, which PostgreSQL refuses) replaced by
    spaces, runs of spaces collapsed, at most ``MAX_QUERY`` characters."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFC", text[: MAX_QUERY * 4])
    text = "".join(" " if unicodedata.category(char)[0] == "C" else char for char in text)
    return " ".join(text.split())[:MAX_QUERY]


@dataclass(frozen=True)
class Results:
    query: str
    choices: list[tuple[Any, str]]  # (primary key, label)
    more: int  # matches not shown

    def as_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "results": [{"value": pk, "label": label} for pk, label in self.choices],
            "more": self.more,
        }


def search(source: SearchSource, user: AnyUser, text: object, *, limit: int = LIMIT) -> Results:
    """At most ``limit`` rows ``user`` may choose that match ``text``, and
    how many more match. An empty text matches nothing (no list of all)."""
    query = clean_query(text)
    if not query:
        return Results(query="", choices=[], more=0)
    found = bounded(source.search(source.rows_for(user), query), limit=limit)
    return Results(
        query=query,
        choices=[(row.pk, source.label(row)) for row in found.rows],
        more=found.more,
    )


class SearchChoiceWidget(forms.Widget):
    """The markup of a search-then-choose (module docstring). Its context is
    filled at render time from what ``SearchChoiceField.bind`` gave it."""

    template_name = "core/widgets/search_choice.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.source: SearchSource | None = None
        self.user: AnyUser | None = None
        self.query: str = ""
        self.search_form: str = ""

    def id_for_label(self, id_):
        # The field's label names the search box; the results have a legend.
        return id_ + QUERY_SUFFIX if id_ else id_

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = None
        results = Results(query=self.query, choices=[], more=0)
        if self.source is not None and self.user is not None:
            rows = self.source.rows_for(self.user)
            if value not in (None, ""):
                try:
                    row = rows.filter(pk=value).first()
                except (ValueError, TypeError, forms.ValidationError):
                    row = None
                if row is not None:
                    chosen = (str(row.pk), self.source.label(row))
            results = search(self.source, self.user, self.query)
        choices = [(str(pk), label) for pk, label in results.choices]
        if chosen is not None:
            choices = [chosen] + [choice for choice in choices if choice[0] != chosen[0]]
        widget_id = context["widget"]["attrs"].get("id") or name
        context["widget"].update(
            {
                "query_name": name + QUERY_SUFFIX,
                "query_id": widget_id + QUERY_SUFFIX,
                "query": results.query,
                "searched": bool(results.query),
                "choices": choices,
                "chosen": chosen[0] if chosen else "",
                "more": results.more,
                "search_form": self.search_form,
                "search_url": (
                    reverse("core:search_choices", args=[self.source.name]) if self.source else ""
                ),
                "hint": self.source.hint if self.source else "",
                "max_query": MAX_QUERY,
            }
        )
        return context


class SearchChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` chosen by search: ``bind(user=…)`` (the form's
    ``__init__``) sets its queryset to what that person may choose from."""

    widget = SearchChoiceWidget

    def __init__(self, *, source: str, **kwargs):
        self.source_name = source
        super().__init__(queryset=None, **kwargs)

    @property
    def source(self) -> SearchSource:
        return get_source(self.source_name)

    def bind(self, *, user: AnyUser, query: object = "", search_form: str = "") -> None:
        source = self.source
        self.queryset = source.rows_for(user)
        widget = self.widget
        if not isinstance(widget, SearchChoiceWidget):
            raise TypeError("A SearchChoiceField renders with a SearchChoiceWidget.")
        widget.source, widget.user = source, user
        widget.query = clean_query(query)
        widget.search_form = search_form

    def _set_queryset(self, queryset):
        # Never hand the widget the choices: rendering them is what this avoids.
        self._queryset = None if queryset is None else queryset.all()

    def _get_queryset(self):
        return self._queryset

    queryset = property(_get_queryset, _set_queryset)


def bind_search_fields(
    form: forms.BaseForm, *, user: AnyUser, search: Mapping[str, Any] | None, search_form: str
) -> None:
    """Bind every ``SearchChoiceField`` of ``form`` to ``user``, with the text
    typed for it in ``search`` (a GET: ``<prefixed name>_q``) and a chosen
    primary key there as its initial value."""
    search = search or {}
    for name, field in form.fields.items():
        if isinstance(field, SearchChoiceField):
            key = form.add_prefix(name)
            field.bind(user=user, query=search.get(key + QUERY_SUFFIX, ""), search_form=search_form)
            if not form.is_bound and search.get(key):
                form.initial[name] = search.get(key)
