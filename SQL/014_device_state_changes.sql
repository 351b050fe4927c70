-- Nadi schema, part 14: a counter of the statements that change device_state.
--
-- The ingest writer keeps the device_state rows it wrote in memory, so that a batch does not read
-- back, for every device it touches, the row it wrote itself a moment ago. That copy is right only
-- while nobody else changes the table. Every statement that does — another nadid's batch, a sweep
-- or last-seen flush, a registration, a hand-written UPDATE — advances this sequence (a sequence
-- takes no lock and never waits). The writer counts its own statements: when the sequence moved by
-- more than that, it forgets its copy and reads the rows again.

CREATE SEQUENCE device_state_change;

CREATE FUNCTION nadi_device_state_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('device_state_change');
    RETURN NULL;
END $$;

CREATE TRIGGER device_state_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON device_state
    FOR EACH STATEMENT EXECUTE FUNCTION nadi_device_state_changed();
