"""Sessions move to ``accounts.Session`` (the engine ``accounts.sessions``),
which keeps the signed-in person's id beside each session. The sessions
still open are copied over, so nobody is signed out by the upgrade; the old
``django_session`` table is left as it is (``clearsessions`` empties it no
more, and nothing reads it)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BATCH = 1000


def copy_open_sessions(apps, schema_editor):
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    Old = apps.get_model("sessions", "Session")
    New = apps.get_model("accounts", "Session")
    decoder = SessionStore()
    batch = []
    for old in Old.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=BATCH):
        try:
            user_id = int(decoder.decode(old.session_data).get(SESSION_KEY))
        except (TypeError, ValueError):
            user_id = None
        batch.append(
            New(
                session_key=old.session_key,
                session_data=old.session_data,
                expire_date=old.expire_date,
                user_id=user_id,
            )
        )
        if len(batch) >= BATCH:
            New.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    New.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_user_language"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Session",
            fields=[
                (
                    "session_key",
                    models.CharField(
                        max_length=40, primary_key=True, serialize=False, verbose_name="session key"
                    ),
                ),
                ("session_data", models.TextField(verbose_name="session data")),
                (
                    "expire_date",
                    models.DateTimeField(db_index=True, verbose_name="expire date"),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "abstract": False,
            },
        ),
        migrations.RunPython(copy_open_sessions, migrations.RunPython.noop),
    ]
