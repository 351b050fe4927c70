-- Nadi schema, part 17: windows that rewrite the past are marked.
--
-- A maintenance window that starts before the moment it is created is retroactive: it changes
-- figures already reported (a camera's SLA for last week). Only an admin may create one, always
-- with a reason (nadid and nadi enforce that); the column marks it for good, so lists and reports
-- can say which figures it changed. Five minutes of grace: a window planned "from now" through a
-- form is not retroactive because the form took a minute to fill in. (A trigger, not a generated
-- column: timestamptz arithmetic is not immutable in PostgreSQL's eyes.)

ALTER TABLE maintenance_window ADD COLUMN retroactive boolean NOT NULL DEFAULT false;
UPDATE maintenance_window SET retroactive = starts_at < created_at - interval '5 minutes';

CREATE FUNCTION nadi_maintenance_retroactive() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.retroactive := NEW.starts_at < NEW.created_at - interval '5 minutes';
    RETURN NEW;
END $$;

CREATE TRIGGER maintenance_window_retroactive BEFORE INSERT ON maintenance_window
    FOR EACH ROW EXECUTE FUNCTION nadi_maintenance_retroactive();

CREATE INDEX maintenance_window_retroactive_idx ON maintenance_window (ends_at, starts_at) WHERE retroactive;
