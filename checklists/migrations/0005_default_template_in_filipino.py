"""Version 2 of the default checklist template: version 1's items, with
their Filipino.

Version 1 is published, so it never changes (0003): the Filipino comes as a
new version, the way the default changes (``checklists/default_template.py``).
That costs nobody anything: a checklist is a copy made at approval, and
checklists made from version 1 keep theirs. Only if version 1 is still the
current version and still the shipped default, English for English; a
database whose programme has published its own version keeps it (its
administrators add the Filipino in a new draft version).

The checklist items copied from the default before this get the Filipino
of their item too, where their English is exactly the default's: it is the
same words in her language, not a change to what the checklist asks. Their
status, dates and notes are untouched.

Going back leaves version 2 in place (published versions are never deleted).
"""

from django.db import migrations

from checklists import default_template


def _english(item: dict) -> tuple[str, str, str]:
    return item["key"], item["title"], item["guidance"]


def forward(apps, schema_editor):
    ChecklistTemplate = apps.get_model("checklists", "ChecklistTemplate")
    TemplateItem = apps.get_model("checklists", "TemplateItem")
    ChecklistItem = apps.get_model("checklists", "ChecklistItem")
    default = default_template.load()

    current = (
        ChecklistTemplate.objects.filter(slug=default["slug"], published_at__isnull=False)
        .order_by("-version")
        .first()
    )
    if current is not None and not current.name_fil:
        shipped = [_english(item) for item in default["items"]]
        has = list(
            TemplateItem.objects.filter(template=current)
            .order_by("order", "id")
            .values_list("key", "title", "guidance")
        )
        if has == shipped and current.name == default["name"]:
            default_template.install(ChecklistTemplate, TemplateItem)

    for item in default["items"]:
        ChecklistItem.objects.filter(
            key=item["key"], title=item["title"], guidance=item["guidance"], title_fil=""
        ).update(title_fil=item["fil"]["title"], guidance_fil=item["fil"]["guidance"])


class Migration(migrations.Migration):
    dependencies = [("checklists", "0004_filipino_texts")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
