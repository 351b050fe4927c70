-- Nadi schema, part 16: status_interval and alert_event without a foreign key to device.
--
-- Every batch re-cuts the intervals of the devices whose status changed (about 340 rows for a
-- 2,700-ping batch at the benchmark's churn) and writes an alert_event per change, inside the
-- writer's state step, which batches take one at a time. A foreign key checked each inserted row
-- with SELECT ... FOR KEY SHARE on its device: a lock written into the device's row (WAL, a
-- dirtied page, a MultiXact when two batches overlap). Measured on the benchmark database: the
-- upsert of 340 intervals took 15-20 ms with the key and 3-5 ms without it, of a state step of
-- about 25 ms. ping has no foreign key for the same reason (part 2).
--
-- What the keys did is kept:
-- - deleting devices deletes their intervals and events (a trigger, once per statement), and
--   TRUNCATE device empties both tables as TRUNCATE ... CASCADE did (with DELETE, see below);
-- - the delete first takes the state lock that every writer of device state holds (part 12), so a
--   batch never writes rows for a device being deleted: either the batch commits first and the
--   delete removes its rows, or the batch waits and then skips devices that are gone
--   (StateStatements.UpsertRuns, AlertOutbox.record);
-- - renumbering devices (`nadi federation publish`) moves their rows in the same transaction, as
--   it moves their pings.

ALTER TABLE status_interval DROP CONSTRAINT status_interval_device_id_fkey;
ALTER TABLE alert_event DROP CONSTRAINT alert_event_device_id_fkey;

-- The state lock (StateLock.key, 0x6E6164690003), held to the end of the deleting transaction.
CREATE FUNCTION nadi_device_delete_takes_state_lock() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(121364575485955);
    RETURN NULL;
END $$;

CREATE TRIGGER device_delete_takes_state_lock BEFORE DELETE ON device
    FOR EACH STATEMENT EXECUTE FUNCTION nadi_device_delete_takes_state_lock();

CREATE FUNCTION nadi_device_deleted_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM status_interval i USING gone g WHERE i.device_id = g.id;
    DELETE FROM alert_event e USING gone g WHERE e.device_id = g.id;
    RETURN NULL;
END $$;

CREATE TRIGGER device_deleted_history AFTER DELETE ON device
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION nadi_device_deleted_history();

-- DELETE, not TRUNCATE: a statement that truncates device together with these tables (the
-- benchmarks' TRUNCATE device, status_interval, … CASCADE) would otherwise fail, TRUNCATE refusing a
-- table the same statement is still truncating (SQLSTATE 55006). They are empty by then, or small.
CREATE FUNCTION nadi_device_truncated_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM status_interval;
    DELETE FROM alert_event;
    RETURN NULL;
END $$;

CREATE TRIGGER device_truncated_history AFTER TRUNCATE ON device
    FOR EACH STATEMENT EXECUTE FUNCTION nadi_device_truncated_history();
