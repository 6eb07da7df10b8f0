"""Money rules kept by PostgreSQL itself, whatever writes (a page, the admin,
a stray script, two workers at once).

Payments: a paid payment is never updated or deleted. An approved or paid
payment's total must equal the sum of its lines at that moment.

Payment lines: a line of an approved or paid payment is never updated or
deleted, and no line is added to (or moved into) such a payment. The row of
the payment is read with FOR SHARE, so a line cannot slip into a payment
while another transaction approves it.

Time entries: one consultant's entries (not rejected) on one day add up to
at most 24 hours. The services lock the consultant's row first, so two
entries racing each other are checked one after the other.

TRUNCATE, which only test teardown uses, is not a row operation.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION tinig_payment_guard() RETURNS trigger AS $$
DECLARE
    lines_total numeric;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'paid' THEN
        RAISE EXCEPTION 'a paid payment is never changed: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF NEW.status IN ('approved', 'paid') THEN
        SELECT COALESCE(SUM(amount), 0) INTO lines_total
            FROM compensation_paymentline WHERE payment_id = NEW.id;
        IF lines_total <> NEW.total THEN
            RAISE EXCEPTION 'payment %: total % is not the sum of its lines %',
                NEW.id, NEW.total, lines_total
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tinig_payment_guard
BEFORE INSERT OR UPDATE OR DELETE ON compensation_payment
FOR EACH ROW EXECUTE FUNCTION tinig_payment_guard();

CREATE OR REPLACE FUNCTION tinig_payment_line_guard() RETURNS trigger AS $$
DECLARE
    payment_status text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.payment_id IS NOT NULL THEN
        SELECT status INTO payment_status FROM compensation_payment
            WHERE id = OLD.payment_id FOR SHARE;
        IF payment_status IN ('approved', 'paid') THEN
            RAISE EXCEPTION 'a line of an approved or paid payment is never changed: % refused',
                TG_OP USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF NEW.payment_id IS NOT NULL THEN
        SELECT status INTO payment_status FROM compensation_payment
            WHERE id = NEW.payment_id FOR SHARE;
        IF payment_status IN ('approved', 'paid') THEN
            RAISE EXCEPTION 'no line is added to an approved or paid payment'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tinig_payment_line_guard
BEFORE INSERT OR UPDATE OR DELETE ON compensation_paymentline
FOR EACH ROW EXECUTE FUNCTION tinig_payment_line_guard();

CREATE OR REPLACE FUNCTION tinig_time_entry_day_limit() RETURNS trigger AS $$
DECLARE
    day_total numeric;
BEGIN
    IF NEW.status = 'rejected' THEN
        RETURN NEW;
    END IF;
    SELECT COALESCE(SUM(hours), 0) INTO day_total FROM compensation_timeentry
        WHERE consultant_id = NEW.consultant_id
          AND date = NEW.date
          AND status <> 'rejected'
          AND id <> NEW.id;
    IF day_total + NEW.hours > 24 THEN
        RAISE EXCEPTION 'more than 24 hours on one day'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tinig_time_entry_day_limit
BEFORE INSERT OR UPDATE ON compensation_timeentry
FOR EACH ROW EXECUTE FUNCTION tinig_time_entry_day_limit();
"""

REVERSE = """
DROP TRIGGER IF EXISTS tinig_time_entry_day_limit ON compensation_timeentry;
DROP FUNCTION IF EXISTS tinig_time_entry_day_limit();
DROP TRIGGER IF EXISTS tinig_payment_line_guard ON compensation_paymentline;
DROP FUNCTION IF EXISTS tinig_payment_line_guard();
DROP TRIGGER IF EXISTS tinig_payment_guard ON compensation_payment;
DROP FUNCTION IF EXISTS tinig_payment_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("compensation", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
