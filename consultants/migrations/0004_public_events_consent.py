"""A consent scope of its own for appearing at public events (government,
public and media audiences), distinct from being quoted, and its first
text, published.

A published consent text never changes (0002's trigger), so going back
leaves the text in place: records may already point at it."""

from django.db import migrations, models
from django.utils import timezone

SCOPE = "public_events"
FIRST_TEXT = (
    "I agree to take part in events where people from outside the programme are "
    "present, such as government officials, the public or the media, in person or "
    "online.\n\n"
    "Before each event, the team tells me who will be there and how I will be "
    "protected. I am named only by my pseudonym unless I choose otherwise. I can "
    "still say no to any event, and I can step back at any time, even on the day, "
    "without giving a reason.\n\n"
    "Agreeing to this does not mean I agree to be quoted, photographed or recorded: "
    "those are separate choices. I can withdraw this consent at any time."
)


def publish_first_text(apps, schema_editor):
    ConsentText = apps.get_model("consultants", "ConsentText")
    if ConsentText.objects.filter(scope=SCOPE).exists():
        return
    ConsentText.objects.create(scope=SCOPE, version=1, body=FIRST_TEXT, published_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("consultants", "0003_expertise_topics"),
    ]

    operations = [
        migrations.AlterField(
            model_name="consentrecord",
            name="scope",
            field=models.CharField(
                choices=[
                    ("participation", "Programme participation"),
                    ("data_processing", "Processing of my personal data"),
                    ("photo", "Photographs"),
                    ("video", "Video"),
                    ("audio", "Audio recording"),
                    ("quoting", "Quoting me by my pseudonym"),
                    ("story", "Sharing of my personal story"),
                    ("media", "Contact with the media"),
                    ("public_events", "Appearing at public events"),
                ],
                max_length=20,
                verbose_name="scope",
            ),
        ),
        migrations.AlterField(
            model_name="consenttext",
            name="scope",
            field=models.CharField(
                choices=[
                    ("participation", "Programme participation"),
                    ("data_processing", "Processing of my personal data"),
                    ("photo", "Photographs"),
                    ("video", "Video"),
                    ("audio", "Audio recording"),
                    ("quoting", "Quoting me by my pseudonym"),
                    ("story", "Sharing of my personal story"),
                    ("media", "Contact with the media"),
                    ("public_events", "Appearing at public events"),
                ],
                max_length=20,
                verbose_name="scope",
            ),
        ),
        migrations.RunPython(publish_first_text, migrations.RunPython.noop),
    ]
