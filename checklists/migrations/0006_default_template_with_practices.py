"""Version 3 of the default checklist template: the practices of the
programme's reference texts that version 2 left out (issue #17).

- "Agenda co-designed with the consultants", before the event;
- "Taking part with a peer or in a group offered" (community and peer
  support are strong motivators; group-based engagement);
- ways to give testimony that spare her facing anyone who harmed her, for
  every testimony-like engagement (hearings, policy consultations, talks,
  media and research interviews), not only legislative hearings;
- "Consultants told what their input changed", after: ticked by Tinig when
  an outcome of their contribution is shared with them.

Published versions never change (0003), so this is a new version; the
checklists made from version 2 keep theirs. Installed only where version 2
is still the current version and still the shipped one (its item keys and
name): a programme that published its own version keeps it. A new
database has these items already: 0002 and 0005 read the same file.

Going back leaves version 3 in place (published versions are never deleted).
"""

from django.db import migrations

from checklists import default_template

NEW_IN_VERSION_3 = {"agenda-co-designed", "peer-option-offered", "input-changed-shared"}


def forward(apps, schema_editor):
    ChecklistTemplate = apps.get_model("checklists", "ChecklistTemplate")
    TemplateItem = apps.get_model("checklists", "TemplateItem")
    default = default_template.load()

    current = (
        ChecklistTemplate.objects.filter(slug=default["slug"], published_at__isnull=False)
        .order_by("-version")
        .first()
    )
    if current is None:
        return
    version_2_keys = [
        item["key"] for item in default["items"] if item["key"] not in NEW_IN_VERSION_3
    ]
    has = list(
        TemplateItem.objects.filter(template=current)
        .order_by("order", "id")
        .values_list("key", flat=True)
    )
    if has == version_2_keys and current.name == default["name"]:
        default_template.install(ChecklistTemplate, TemplateItem)


class Migration(migrations.Migration):
    dependencies = [("checklists", "0005_default_template_in_filipino")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
