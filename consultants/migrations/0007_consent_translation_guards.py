"""The Filipino of a consent text, in PostgreSQL itself.

Translations: once their text is published, no UPDATE and no DELETE (like
the text, 0002). An INSERT stays possible: a published text that lacks a
language may gain it once (the unique constraint), which is how 0008 gives
the texts published before their Filipino.

Publishing: a text is published only with its Filipino. A constraint
trigger, deferred to the end of the transaction, so that a text may be
inserted, translated and published in one transaction, in any order. It
looks at the moment of publishing only (an INSERT of a published text, or
the UPDATE that sets ``published_at``: 0002 refuses every later UPDATE), so
the texts published before this keep working until 0008 translates them.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION tinig_consent_translation_frozen() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM consultants_consenttext
               WHERE id = OLD.text_id AND published_at IS NOT NULL)
       OR (TG_OP = 'UPDATE' AND EXISTS (
               SELECT 1 FROM consultants_consenttext
               WHERE id = NEW.text_id AND published_at IS NOT NULL)) THEN
        RAISE EXCEPTION 'the words of a published consent text are never changed: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tinig_consent_translation_frozen
BEFORE UPDATE OR DELETE ON consultants_consenttexttranslation
FOR EACH ROW EXECUTE FUNCTION tinig_consent_translation_frozen();

CREATE OR REPLACE FUNCTION tinig_consent_text_published_in_filipino() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM consultants_consenttexttranslation
                   WHERE text_id = NEW.id AND language = 'fil') THEN
        RAISE EXCEPTION 'a consent text is published with its Filipino text: % refused', TG_OP
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER tinig_consent_text_published_in_filipino
AFTER INSERT OR UPDATE OF published_at ON consultants_consenttext
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW WHEN (NEW.published_at IS NOT NULL)
EXECUTE FUNCTION tinig_consent_text_published_in_filipino();
"""

REVERSE = """
DROP TRIGGER IF EXISTS tinig_consent_text_published_in_filipino ON consultants_consenttext;
DROP FUNCTION IF EXISTS tinig_consent_text_published_in_filipino();
DROP TRIGGER IF EXISTS tinig_consent_translation_frozen ON consultants_consenttexttranslation;
DROP FUNCTION IF EXISTS tinig_consent_translation_frozen();
"""


class Migration(migrations.Migration):
    dependencies = [("consultants", "0006_consent_text_translations")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
