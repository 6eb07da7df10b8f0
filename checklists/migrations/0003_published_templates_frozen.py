"""A published template version never changes, in PostgreSQL itself.

Templates: once ``published_at`` is set, no UPDATE and no DELETE of the row.
Template items: no INSERT, UPDATE or DELETE of an item whose template (old
or new) is published. Drafts are edited freely. TRUNCATE, which only test
teardown uses, is not a row operation.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION tinig_checklist_template_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.published_at IS NOT NULL THEN
        RAISE EXCEPTION 'a published checklist template is never changed: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tinig_checklist_template_frozen
BEFORE UPDATE OR DELETE ON checklists_checklisttemplate
FOR EACH ROW EXECUTE FUNCTION tinig_checklist_template_frozen();

CREATE OR REPLACE FUNCTION tinig_checklist_template_item_frozen() RETURNS trigger AS $$
BEGIN
    IF (TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
            SELECT 1 FROM checklists_checklisttemplate
            WHERE id = OLD.template_id AND published_at IS NOT NULL))
       OR (TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
            SELECT 1 FROM checklists_checklisttemplate
            WHERE id = NEW.template_id AND published_at IS NOT NULL)) THEN
        RAISE EXCEPTION 'the items of a published checklist template are never changed: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tinig_checklist_template_item_frozen
BEFORE INSERT OR UPDATE OR DELETE ON checklists_templateitem
FOR EACH ROW EXECUTE FUNCTION tinig_checklist_template_item_frozen();
"""

REVERSE = """
DROP TRIGGER IF EXISTS tinig_checklist_template_item_frozen ON checklists_templateitem;
DROP FUNCTION IF EXISTS tinig_checklist_template_item_frozen();
DROP TRIGGER IF EXISTS tinig_checklist_template_frozen ON checklists_checklisttemplate;
DROP FUNCTION IF EXISTS tinig_checklist_template_frozen();
"""


class Migration(migrations.Migration):
    dependencies = [("checklists", "0002_default_template")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
