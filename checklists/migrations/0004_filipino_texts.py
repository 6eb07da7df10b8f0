"""Filipino beside the English of every checklist text: a template version's
name and description, each template item's title and guidance, and the copy
of those in each checklist item. Empty until written (0005 for the default).

Adding columns writes no row, so the triggers that freeze published
versions (0003) are not asked; from now on they freeze the Filipino too."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0003_published_templates_frozen"),
    ]

    operations = [
        migrations.AddField(
            model_name="checklistitem",
            name="guidance_fil",
            field=models.TextField(
                blank=True, max_length=4000, verbose_name="guidance in Filipino"
            ),
        ),
        migrations.AddField(
            model_name="checklistitem",
            name="title_fil",
            field=models.CharField(blank=True, max_length=200, verbose_name="title in Filipino"),
        ),
        migrations.AddField(
            model_name="checklisttemplate",
            name="description_fil",
            field=models.TextField(
                blank=True, max_length=4000, verbose_name="description in Filipino"
            ),
        ),
        migrations.AddField(
            model_name="checklisttemplate",
            name="name_fil",
            field=models.CharField(blank=True, max_length=160, verbose_name="name in Filipino"),
        ),
        migrations.AddField(
            model_name="templateitem",
            name="guidance_fil",
            field=models.TextField(
                blank=True, max_length=4000, verbose_name="guidance in Filipino"
            ),
        ),
        migrations.AddField(
            model_name="templateitem",
            name="title_fil",
            field=models.CharField(blank=True, max_length=200, verbose_name="title in Filipino"),
        ),
    ]
