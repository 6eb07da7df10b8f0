"""Create one group per role. Their permissions are applied after every
migrate from accounts/roles.py (see AccountsConfig.ready)."""

from django.db import migrations

ROLES = [
    "consultant",
    "programme_staff",
    "programme_manager",
    "finance_officer",
    "wellbeing_lead",
    "administrator",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
