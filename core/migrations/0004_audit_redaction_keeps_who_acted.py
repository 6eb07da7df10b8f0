"""The one update the audit trigger allows can no longer blank who acted.

Blanking ``actor_email`` (core.audit.redact_actor_addresses) is allowed only
on an entry whose actor is known by id, and the id stays as it was. An
entry with no actor id (its account was deleted before core/0003 kept ids)
keeps its address: it is the only record of who acted. The web and worker
may UPDATE only the ``actor_email`` column of the table at all
(core/database_roles.py); this trigger decides which change of it passes.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION tinig_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND current_setting('tinig.audit_redaction', true) = 'on'
       AND OLD.actor_id IS NOT NULL
       AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.actor_email IS NULL
       AND (to_jsonb(NEW) - 'actor_email') = (to_jsonb(OLD) - 'actor_email') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

REVERSE = """
CREATE OR REPLACE FUNCTION tinig_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND current_setting('tinig.audit_redaction', true) = 'on'
       AND NEW.actor_email IS NULL
       AND (to_jsonb(NEW) - 'actor_email') = (to_jsonb(OLD) - 'actor_email') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_actor_by_id")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
