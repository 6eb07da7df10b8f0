"""Make the audit trail append-only in PostgreSQL itself.

No page, admin action or stray script can change or delete an audit entry:
the database refuses. The one update allowed is the one Django makes when a
user account is deleted (actor set to NULL; auditlog keeps actor_email).
TRUNCATE, which only test teardown uses, is not a row operation.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION tinig_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tinig_audit_append_only
BEFORE UPDATE OR DELETE ON auditlog_logentry
FOR EACH ROW EXECUTE FUNCTION tinig_audit_append_only();
"""

REVERSE = """
DROP TRIGGER IF EXISTS tinig_audit_append_only ON auditlog_logentry;
DROP FUNCTION IF EXISTS tinig_audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("auditlog", "0017_add_actor_email")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
