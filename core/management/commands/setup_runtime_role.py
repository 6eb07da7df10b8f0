"""Create the runtime role of DATABASE_URL if missing and bring its grants in
line with the tables (core/database_roles.py). Idempotent; ``migrate`` runs
it too. Connects as the owner (DATABASE_OWNER_URL): manage.py sees to that.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.database_roles import current_user, runtime_role_of, setup_runtime_role


class Command(BaseCommand):
    help = "Create the runtime database role if missing and keep its grants in step."

    def handle(self, *args, **options) -> None:
        role, password = runtime_role_of(settings.RUNTIME_DATABASE)
        if not role:
            raise CommandError("DATABASE_URL names no user: there is no runtime role to set up.")
        owner = current_user(connection)
        if role == owner:
            if settings.OWNER_DATABASE != settings.RUNTIME_DATABASE:
                raise CommandError(
                    f"Connected as the runtime role {role}: run this with DATABASE_OWNER_URL "
                    "set (manage.py connects as the owner for this command)."
                )
            self.stdout.write(
                "DATABASE_OWNER_URL is not set: the app connects as the owner, "
                "no separate runtime role."
            )
            return
        created = setup_runtime_role(connection, role=role, password=password)
        verb = "created, and granted" if created else "exists; granted"
        self.stdout.write(f"Runtime role {role} {verb} its privileges (owner: {owner}).")
