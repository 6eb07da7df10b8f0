"""The runtime role: what the web, worker and beat may do in PostgreSQL.

Two roles share the database (config/settings/base.py, .env.example):

* the **owner** (``DATABASE_OWNER_URL``) owns every table, runs ``migrate``
  and this module;
* the **runtime role** (``DATABASE_URL``) owns nothing. It may SELECT,
  INSERT, UPDATE and DELETE ordinary tables and use their sequences, but on
  the append-only tables only SELECT and INSERT, plus UPDATE of the one
  column the table's trigger lets change. It has no TRUNCATE anywhere, and
  since it owns no table it cannot ALTER one, drop one, or disable a
  trigger; ``session_replication_role`` (which skips triggers) is for
  superusers only.

``setup_runtime_role`` creates the role if it is missing and brings its
grants in line; it is idempotent and runs after every ``migrate`` (the
``post_migrate`` handler below, when connected as the owner) and as
``manage.py setup_runtime_role``. Default privileges make tables and
sequences that later migrations create follow the ordinary rule; the next
run takes a new append-only table's UPDATE and DELETE away again.
"""

from __future__ import annotations

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

# The append-only tables: those whose PostgreSQL trigger refuses every
# UPDATE and DELETE but one narrow change, which the trigger checks again.
# Each maps to the columns the runtime role may UPDATE for that change.
APPEND_ONLY_TABLES: dict[str, tuple[str, ...]] = {
    # core/migrations/0001 and 0003: audit entries. The one update allowed
    # blanks actor_email, inside core.audit.redact_actor_addresses (which
    # sets tinig.audit_redaction); who acted (actor_id) never changes.
    "auditlog_logentry": ("actor_email",),
    # consultants/migrations/0002: consent records. The one update allowed
    # blanks the evidence file name when a consultant's identity is erased
    # (consultants.services.consultant_erase_identity).
    "consultants_consentrecord": ("evidence",),
}
# Not here, on purpose: compensation_payment and compensation_paymentline
# (compensation/migrations/0002_money_guards.py) move through draft and
# approved before a payment is paid and frozen, so the runtime role updates
# them; their triggers keep paid payments and their lines unchanged, and the
# runtime role cannot disable those triggers because it owns neither table.


def runtime_role_of(settings_dict: dict) -> tuple[str, str]:
    """The runtime role's name and password, from a DATABASES entry."""
    return settings_dict.get("USER") or "", settings_dict.get("PASSWORD") or ""


def current_user(connection: BaseDatabaseWrapper) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        return cursor.fetchone()[0]


def setup_runtime_role(connection: BaseDatabaseWrapper, *, role: str, password: str) -> bool:
    """Create ``role`` if missing (with ``password``), and grant it exactly
    what the module docstring says, on the database ``connection`` is on.
    Returns whether the role was created. Run as the owner of the tables."""
    quote = connection.ops.quote_name
    name = quote(role)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # One at a time (several test processes, or two deploys, may run this
        # at once): a transaction-scoped lock, released at commit.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('tinig.setup_runtime_role'))")
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        created = cursor.fetchone() is None
        if created:
            if password:
                cursor.execute(f"CREATE ROLE {name} LOGIN PASSWORD %s", [password])
            else:
                cursor.execute(f"CREATE ROLE {name} LOGIN")
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
        database, schema = quote(database), quote(schema)
        cursor.execute(f"GRANT CONNECT ON DATABASE {database} TO {name}")
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {name}")
        # Ordinary tables: rows, not structure (no TRUNCATE, REFERENCES, TRIGGER).
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {name}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {name}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {name}")
        cursor.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}"
            f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {name}"
        )
        cursor.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}"
            f" GRANT USAGE, SELECT ON SEQUENCES TO {name}"
        )
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename = ANY(%s)",
            [list(APPEND_ONLY_TABLES)],
        )
        present = {row[0] for row in cursor.fetchall()}
        for table in sorted(present):
            # REVOKE on the table also revokes its column grants: start over.
            cursor.execute(f"REVOKE ALL ON {quote(table)} FROM {name}")
            cursor.execute(f"GRANT SELECT, INSERT ON {quote(table)} TO {name}")
            columns = ", ".join(quote(column) for column in APPEND_ONLY_TABLES[table])
            if columns:
                cursor.execute(f"GRANT UPDATE ({columns}) ON {quote(table)} TO {name}")
    return created


def setup_runtime_role_on_migrate(sender, *, using: str, **kwargs) -> None:
    """After every ``migrate`` (and every test flush), when connected as the
    owner of a separate runtime role: grants in step with the tables."""
    from django.apps import apps
    from django.conf import settings
    from django.db import connections

    # post_migrate is sent once per app that has models, every table exists
    # by the first; the last one is the end of the migrate.
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if not with_models or sender.label != with_models[-1].label:
        return
    role, password = runtime_role_of(settings.RUNTIME_DATABASE)
    connection = connections[using]
    if not role or role == current_user(connection):
        return  # no separate runtime role (DATABASE_OWNER_URL unset), or we are it
    setup_runtime_role(connection, role=role, password=password)
