"""Consent texts in Filipino: a table of translations beside the English
original (``ConsentTextTranslation``: its docstring says why a table), and,
on each consent record, the language its text was shown in.

Existing records keep an empty language: before this, every text was in
English. Adding the column with a default writes no row, so the consent
records' append-only trigger (0002) is not asked."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consultants", "0005_portal_privacy_choices"),
    ]

    operations = [
        migrations.AddField(
            model_name="consentrecord",
            name="text_language",
            field=models.CharField(
                blank=True,
                choices=[("en", "English"), ("fil", "Filipino")],
                default="",
                help_text="Empty on records made before Tinig kept it: every text was in English then.",
                max_length=8,
                verbose_name="language of the text shown",
            ),
        ),
        migrations.CreateModel(
            name="ConsentTextTranslation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("fil", "Filipino")], max_length=8, verbose_name="language"
                    ),
                ),
                ("body", models.TextField(verbose_name="text")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "text",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="translations",
                        to="consultants.consenttext",
                        verbose_name="consent text",
                    ),
                ),
            ],
            options={
                "verbose_name": "consent text translation",
                "verbose_name_plural": "consent text translations",
                "ordering": ["text", "language"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("text", "language"),
                        name="consultants_consenttexttranslation_once",
                        violation_error_message="This text already has its words in this language.",
                    )
                ],
            },
        ),
    ]
