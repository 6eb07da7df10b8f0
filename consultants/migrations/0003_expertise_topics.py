"""The first expertise topics: those named in the consultants issue and the
kinds of work in docs/DESIGN. Administrators add, rename or retire topics
in the admin; this migration only creates the ones that are missing."""

from django.db import migrations

TOPICS = [
    ("policy-advocacy", "Policy advocacy"),
    ("public-speaking", "Public speaking"),
    ("training-design", "Training design"),
    ("content-review", "Content review"),
    ("peer-support", "Peer support"),
    ("research", "Research"),
    ("justice-system", "Justice system"),
    ("media", "Media"),
    ("programme-co-design", "Programme co-design"),
    ("content-co-authoring", "Content co-authoring"),
    ("legislative-testimony", "Legislative testimony"),
    ("online-safety", "Online safety"),
]


def create_topics(apps, schema_editor):
    ExpertiseTopic = apps.get_model("consultants", "ExpertiseTopic")
    for slug, name in TOPICS:
        ExpertiseTopic.objects.get_or_create(slug=slug, defaults={"name": name})


def remove_topics(apps, schema_editor):
    ExpertiseTopic = apps.get_model("consultants", "ExpertiseTopic")
    ExpertiseTopic.objects.filter(slug__in=[slug for slug, _name in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("consultants", "0002_consent_append_only")]

    operations = [migrations.RunPython(create_topics, remove_topics)]
