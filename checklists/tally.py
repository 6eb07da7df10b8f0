"""The SQL that keeps ``ChecklistTally`` (done, and done on time, per
checklist) true as items change. A row trigger, so every path counts: the
services, bulk updates, the admin, a COPY. Only transitions to or from
"done" touch the tally, with one upsert or one update of the checklist's
row (two items of one checklist ticked at once wait for each other on that
row, as they would on a counter anywhere).

A deleted item is taken off with an UPDATE, never an upsert: when a whole
checklist is deleted, Django may delete its tally before its items, and an
upsert would bring the tally back for a checklist about to go.
"""

from __future__ import annotations

TRIGGER = "checklists_item_tally"

CREATE = """
CREATE FUNCTION checklists_item_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.status IS NOT DISTINCT FROM NEW.status
       AND OLD.checklist_id = NEW.checklist_id
       AND OLD.done_at IS NOT DISTINCT FROM NEW.done_at
       AND OLD.due_at IS NOT DISTINCT FROM NEW.due_at THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'done' THEN
        UPDATE checklists_checklisttally
           SET done = done - 1,
               done_on_time = done_on_time - (OLD.done_at <= OLD.due_at)::int
         WHERE checklist_id = OLD.checklist_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = 'done' THEN
        INSERT INTO checklists_checklisttally AS tally (checklist_id, done, done_on_time)
        VALUES (NEW.checklist_id, 1, (NEW.done_at <= NEW.due_at)::int)
        ON CONFLICT (checklist_id) DO UPDATE
           SET done = tally.done + 1,
               done_on_time = tally.done_on_time + EXCLUDED.done_on_time;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER checklists_item_tally
    AFTER INSERT OR DELETE OR UPDATE OF status, done_at, due_at, checklist_id
    ON checklists_checklistitem
    FOR EACH ROW EXECUTE FUNCTION checklists_item_tally();
"""

DROP = """
DROP TRIGGER IF EXISTS checklists_item_tally ON checklists_checklistitem;
DROP FUNCTION IF EXISTS checklists_item_tally();
"""

# Every tally from the items themselves (the migration's backfill; the
# benchmark's seed, which loads items with the trigger off).
REBUILD = """
DELETE FROM checklists_checklisttally;
INSERT INTO checklists_checklisttally (checklist_id, done, done_on_time)
SELECT checklist_id,
       COUNT(*),
       COUNT(*) FILTER (WHERE done_at <= due_at)
  FROM checklists_checklistitem
 WHERE status = 'done'
 GROUP BY checklist_id;
"""


def rebuild(cursor) -> None:
    """Recount every tally from the items (one statement pair)."""
    cursor.execute(REBUILD)
