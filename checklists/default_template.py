"""The default checklist template that ships with Tinig.

Written from the practice in the programme's reference texts ("What
Survivor Collaboration Teaches Us" and "Survivors Advocate for
Strengthening of Justice Systems"): consultants are experts, not
beneficiaries; their schedules as workers and students come first; all of
their time is paid and nobody carries costs; their privacy is protected at
public events; trauma risks are planned for, with a support person; they
never have to share their personal story and can stop at any time; and
they are credited, by pseudonym and with consent, in what they helped make.

The items are data, in ``checklists/data/default_template.json``: the data
migration that installs version 1 reads it, and so does
``checklists.services`` when a database has no published template at all
(a test database that was flushed, say). A change to the default is a new
published version: edit the file and add a migration that calls
``install`` again (it takes the next version number).

Each text has its Filipino beside it, in a ``"fil"`` block (the template's
name and description; each item's title and guidance), written after
docs/glossary-fil.md: staff items plain and neutral, the consultant's own
items to her, in the second person. ``install`` puts them in the ``*_fil``
columns when the models it is given have them (0002's historical models do
not: version 1 was English only; 0005 installed version 2 with both).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.utils import timezone

DATA = Path(__file__).resolve().parent / "data" / "default_template.json"


def load() -> dict[str, Any]:
    """The default template as data: slug, name, description and items, each
    with its ``"fil"`` block."""
    with DATA.open(encoding="utf-8") as file:
        return json.load(file)


def _columns(model, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` as the model's columns: the ``"fil"`` block as ``<field>_fil``,
    left out for a model without those columns (an older historical model)."""
    names = {field.name for field in model._meta.get_fields()}
    columns = {key: value for key, value in values.items() if key != "fil"}
    for field, words in values.get("fil", {}).items():
        if f"{field}_fil" in names:
            columns[f"{field}_fil"] = words
    return columns


def template_columns(model, default: dict[str, Any]) -> dict[str, Any]:
    return _columns(
        model,
        {key: default[key] for key in ("slug", "name", "description", "fil") if key in default},
    )


def item_columns(model, item: dict[str, Any]) -> dict[str, Any]:
    return _columns(model, item)


def install(ChecklistTemplate, TemplateItem):
    """Create and publish the next version of the default template.

    Takes the model classes so that a migration can pass its historical
    models and the services the real ones."""
    default = load()
    latest = ChecklistTemplate.objects.filter(slug=default["slug"]).order_by("-version").first()
    template = ChecklistTemplate.objects.create(
        version=(latest.version + 1) if latest else 1,
        **template_columns(ChecklistTemplate, default),
    )
    TemplateItem.objects.bulk_create(
        TemplateItem(
            template=template, order=(position + 1) * 10, **item_columns(TemplateItem, item)
        )
        for position, item in enumerate(default["items"])
    )
    # Published last: the items of a published version can no longer be added.
    ChecklistTemplate.objects.filter(pk=template.pk).update(published_at=timezone.now())
    return template
