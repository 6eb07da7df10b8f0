"""Each consultant's portal language (accounts.User.language, new) starts as
her first preferred language that Tinig speaks, so nobody who works in
Filipino gets English pages, e-mails and documents the day it arrives."""

from django.db import migrations

SPOKEN = ("en", "fil")


def portal_language_from_preferences(apps, schema_editor):
    Consultant = apps.get_model("consultants", "Consultant")
    User = apps.get_model("accounts", "User")
    for user_id, preferred in Consultant.objects.exclude(user=None).values_list(
        "user_id", "preferred_languages"
    ):
        language = next((code for code in preferred or [] if code in SPOKEN), None)
        if language is not None:
            User.objects.filter(pk=user_id).update(language=language)


class Migration(migrations.Migration):
    dependencies = [
        ("consultants", "0008_filipino_consent_texts"),
        ("accounts", "0005_user_language"),
    ]

    operations = [
        migrations.RunPython(portal_language_from_preferences, migrations.RunPython.noop),
    ]
