"""Install and publish version 1 of the default checklist template.

The items are data (``checklists/data/default_template.json``), read here
and by ``checklists.services`` alike; see ``checklists/default_template.py``.
"""

from django.db import migrations

from checklists import default_template


def forward(apps, schema_editor):
    default_template.install(
        apps.get_model("checklists", "ChecklistTemplate"),
        apps.get_model("checklists", "TemplateItem"),
    )


class Migration(migrations.Migration):
    dependencies = [("checklists", "0001_initial")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
