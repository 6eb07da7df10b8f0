"""Consultants' accounts are found by a keyed hash of their address, which is
kept only encrypted (accounts.sealing).

Adds ``User.sealed_email`` and seals every existing account holding the
consultant role: its ``User.email`` and ``EmailAddress`` row become the
lookup token under the newest ``LOOKUP_HMAC_KEYS`` key, its address moves
into ``sealed_email`` (encrypted with core's cipher), other addresses of
the account go. Irreversible by design: going back would have to write the
addresses out in plain text again.
"""

from django.db import migrations

import accounts.fields


def seal_consultant_accounts(apps, schema_editor):
    from accounts import sealing

    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    accounts = User.objects.filter(groups__name="consultant").exclude(
        email__endswith="@" + sealing.LOOKUP_DOMAIN
    )
    for user in accounts.distinct().iterator(chunk_size=500):
        address = sealing.normalise_address(user.email)
        verified = EmailAddress.objects.filter(user_id=user.pk, verified=True).exists()
        token = sealing.lookup_token(address)
        User.objects.filter(pk=user.pk).update(email=token)
        user.email = token
        user.sealed_email = address
        user.save(update_fields=["sealed_email"])
        EmailAddress.objects.filter(user_id=user.pk).delete()
        EmailAddress.objects.create(user_id=user.pk, email=token, primary=True, verified=verified)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_role_groups"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="sealed_email",
            field=accounts.fields.SealedTextField(
                blank=True,
                help_text="Sealed accounts only: where mail goes. Sign-in uses a keyed hash.",
                null=True,
                verbose_name="e-mail address (encrypted)",
            ),
        ),
        migrations.RunPython(seal_consultant_accounts, reverse_code=None),
    ]
