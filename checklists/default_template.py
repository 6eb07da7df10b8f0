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
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.utils import timezone

DATA = Path(__file__).resolve().parent / "data" / "default_template.json"


def load() -> dict[str, Any]:
    """The default template as data: slug, name, description and items."""
    with DATA.open(encoding="utf-8") as file:
        return json.load(file)


def install(ChecklistTemplate, TemplateItem):
    """Create and publish the next version of the default template.

    Takes the model classes so that a migration can pass its historical
    models and the services the real ones."""
    default = load()
    latest = ChecklistTemplate.objects.filter(slug=default["slug"]).order_by("-version").first()
    template = ChecklistTemplate.objects.create(
        slug=default["slug"],
        version=(latest.version + 1) if latest else 1,
        name=default["name"],
        description=default["description"],
    )
    TemplateItem.objects.bulk_create(
        TemplateItem(template=template, order=(position + 1) * 10, **item)
        for position, item in enumerate(default["items"])
    )
    # Published last: the items of a published version can no longer be added.
    ChecklistTemplate.objects.filter(pk=template.pk).update(published_at=timezone.now())
    return template
