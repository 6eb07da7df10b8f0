"""Make consent history append-only in PostgreSQL itself.

Consent records: no UPDATE, no DELETE, whoever asks. The one update allowed
is clearing the evidence file name of a record (and nothing else) when a
consultant's identity is erased (consultants.services.consultant_erase_identity).

Consent texts: a published text is never updated or deleted; drafts are.

TRUNCATE, which only test teardown uses, is not a row operation.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION tinig_consent_record_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.evidence <> '' AND NEW.evidence = ''
       AND (to_jsonb(NEW) - 'evidence') = (to_jsonb(OLD) - 'evidence') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'consent records are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tinig_consent_record_append_only
BEFORE UPDATE OR DELETE ON consultants_consentrecord
FOR EACH ROW EXECUTE FUNCTION tinig_consent_record_append_only();

CREATE OR REPLACE FUNCTION tinig_consent_text_published_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.published_at IS NOT NULL THEN
        RAISE EXCEPTION 'a published consent text is never changed: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tinig_consent_text_published_frozen
BEFORE UPDATE OR DELETE ON consultants_consenttext
FOR EACH ROW EXECUTE FUNCTION tinig_consent_text_published_frozen();
"""

REVERSE = """
DROP TRIGGER IF EXISTS tinig_consent_text_published_frozen ON consultants_consenttext;
DROP FUNCTION IF EXISTS tinig_consent_text_published_frozen();
DROP TRIGGER IF EXISTS tinig_consent_record_append_only ON consultants_consentrecord;
DROP FUNCTION IF EXISTS tinig_consent_record_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("consultants", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
