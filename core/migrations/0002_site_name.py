"""Name the site "Tinig": allauth puts the site name in every e-mail subject."""

from django.db import migrations


def name_site(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    Site.objects.update_or_create(pk=1, defaults={"name": "Tinig", "domain": "localhost"})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_audit_append_only"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(name_site, migrations.RunPython.noop)]
