"""The audit trail names actors by id, never by address.

* A BEFORE INSERT trigger empties ``actor_email`` on every new entry,
  whatever filled it (auditlog's middleware copies the actor's address).
* The append-only trigger is replaced. The one update it now allows blanks
  ``actor_email`` and nothing else, and only inside a transaction that has
  set ``tinig.audit_redaction = 'on'``: the path ``core.audit.
  redact_actor_addresses`` takes, which writes an entry recording it.
  Clearing ``actor_id`` (what deleting an account would do) is refused:
  who acted stays known, so accounts are deactivated, never deleted, once
  they have acted.
* Existing entries lose their ``actor_email`` through that same path, and
  one entry records how many.
"""

from django.db import migrations

FORWARD = """
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

CREATE OR REPLACE FUNCTION tinig_audit_no_actor_address() RETURNS trigger AS $$
BEGIN
    NEW.actor_email := NULL;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tinig_audit_no_actor_address
BEFORE INSERT ON auditlog_logentry
FOR EACH ROW EXECUTE FUNCTION tinig_audit_no_actor_address();
"""

REVERSE = """
DROP TRIGGER IF EXISTS tinig_audit_no_actor_address ON auditlog_logentry;
DROP FUNCTION IF EXISTS tinig_audit_no_actor_address();

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
"""

REDACTION_EVENT = "actor_addresses_redacted"


def redact_existing(apps, schema_editor):
    LogEntry = apps.get_model("auditlog", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SET LOCAL tinig.audit_redaction = 'on'")
        try:
            count = LogEntry.objects.filter(actor_email__isnull=False).update(actor_email=None)
        finally:
            cursor.execute("SET LOCAL tinig.audit_redaction = 'off'")
    if count:
        content_type, _ = ContentType.objects.get_or_create(app_label="auditlog", model="logentry")
        LogEntry.objects.create(
            content_type=content_type,
            object_pk="",
            object_repr="audit trail",
            action=1,  # update
            changes={},
            additional_data={
                "event": REDACTION_EVENT,
                "rows": count,
                "reason": "Actors are recorded by id, never by e-mail address",
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_site_name"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunSQL(FORWARD, REVERSE),
        migrations.RunPython(redact_existing, migrations.RunPython.noop),
    ]
