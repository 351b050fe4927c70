-- Nadi schema, part 13: a national view by logical replication.
--
-- Each kabupaten/kota runs its own Nadi; a province (or the ministry) subscribes to them with
-- PostgreSQL's logical replication. Rows from several databases then meet in one, so the keys
-- that other rows point at must not collide:
--
-- * Surrogate ids (device.id, maintenance_window.id) are origin-qualified: an id is
--   origin × 10^12 + local number, where origin is the publishing region's BPS code as a number
--   (16.71 → 1671, province 16 → 16). BPS codes are unique nationwide and each Nadi publishes one
--   region, so no coordination is needed, and every foreign key, index and query keeps its
--   single bigint column. Ids below 10^12 belong to origin 0: a database that never published.
--   `nadi federation publish` renumbers a database's existing rows once (the foreign keys below
--   cascade the change) and moves its sequences into its range.
-- * A device's external id is unique per origin, not nationwide: two regencies may both have a
--   "CCTV-0001". nadi_origin_of(id) qualifies it. Site codes stay nationwide (schools carry their
--   NPSN, which is); `nadi federation subscribe` refuses a source whose site codes collide.

CREATE FUNCTION nadi_origin_of(id bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT id / 1000000000000';

ALTER TABLE device DROP CONSTRAINT device_external_id_key;
CREATE UNIQUE INDEX device_origin_external_id_idx ON device (nadi_origin_of(id), external_id);
CREATE INDEX device_external_id_idx ON device (external_id);
DROP INDEX device_attendance_serial_idx;
CREATE UNIQUE INDEX device_attendance_serial_idx ON device (nadi_origin_of(id), (attributes ->> 'serial'))
    WHERE kind = 'attendance';
CREATE INDEX device_attendance_serial_lookup_idx ON device ((attributes ->> 'serial')) WHERE kind = 'attendance';

-- Every foreign key to device (id) follows a renumbering.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT c.conname, c.conrelid::regclass AS tab, pg_get_constraintdef(c.oid) AS def
        FROM pg_constraint c
        WHERE c.contype = 'f' AND c.confrelid = 'device'::regclass
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.tab, r.conname);
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s ON UPDATE CASCADE', r.tab, r.conname, r.def);
    END LOOP;
END $$;

-- A renumbered device is announced like a moved one, so every nadid drops its cached id.
DROP TRIGGER device_changed_notify ON device;
CREATE TRIGGER device_changed_notify
AFTER UPDATE ON device
FOR EACH ROW
WHEN (OLD.region IS DISTINCT FROM NEW.region OR OLD.kind IS DISTINCT FROM NEW.kind
      OR OLD.interval_s IS DISTINCT FROM NEW.interval_s OR OLD.external_id IS DISTINCT FROM NEW.external_id
      OR OLD.id IS DISTINCT FROM NEW.id)
EXECUTE FUNCTION nadi_notify_device_changed();

-- On a publisher: the region this database publishes, and its origin number (one row at most).
CREATE TABLE federation_origin (
    only_row     boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    region       ltree NOT NULL REFERENCES region (code),
    origin       integer NOT NULL UNIQUE,
    published_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT federation_origin_level CHECK (nlevel(region) BETWEEN 1 AND 2)
);

-- This database's own origin: the published one, else 0. New local rows take their ids in it.
CREATE FUNCTION nadi_local_origin() RETURNS bigint
LANGUAGE sql STABLE AS 'SELECT coalesce((SELECT origin FROM federation_origin), 0)::bigint';

-- On a subscriber: the regions it mirrors, one per subscription. Rows of these subtrees are
-- written by replication only; ingest and inventory for them are refused.
CREATE TABLE federation_mirror (
    name       text PRIMARY KEY,
    region     ltree NOT NULL UNIQUE,
    origin     integer NOT NULL UNIQUE,
    source     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT federation_mirror_name CHECK (name ~ '^[a-z][a-z0-9_]{0,30}$'),
    CONSTRAINT federation_mirror_level CHECK (nlevel(region) BETWEEN 1 AND 2)
);
CREATE INDEX federation_mirror_region_gist ON federation_mirror USING gist (region);

-- The backstop under the per-record refusals in nadid: a local session (not the replication
-- apply worker, which runs with session_replication_role = replica and so skips these triggers)
-- cannot write mirrored devices, sites or their history.
CREATE FUNCTION nadi_refuse_mirrored_write() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    reg ltree;
    mirror text;
BEGIN
    IF TG_TABLE_NAME IN ('device', 'site') THEN
        reg := CASE WHEN TG_OP = 'DELETE' THEN OLD.region ELSE NEW.region END;
    ELSE
        SELECT d.region INTO reg FROM device d
        WHERE d.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.device_id ELSE NEW.device_id END;
    END IF;
    SELECT f.name INTO mirror FROM federation_mirror f WHERE reg <@ f.region LIMIT 1;
    IF mirror IS NOT NULL THEN
        RAISE EXCEPTION 'region % is mirrored from federation source "%"; write to that Nadi instead', reg, mirror
            USING ERRCODE = 'P0001', HINT = 'nadi federation status lists the mirrored regions';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER device_mirrored_guard BEFORE INSERT OR UPDATE OR DELETE ON device
    FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION nadi_refuse_mirrored_write();
CREATE TRIGGER site_mirrored_guard BEFORE INSERT OR UPDATE OR DELETE ON site
    FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION nadi_refuse_mirrored_write();
-- The same guard on device_state and status_interval (the ingest path) is created by
-- `nadi federation subscribe` only, so a database that mirrors nothing pays nothing per ping.

-- What a publication's row filter may read: PostgreSQL allows only built-in types and operators
-- there, so the tables shared by several origins (regions, targets, region-wide maintenance)
-- carry their region code as text too, and log whole old rows (the filter must see them on
-- UPDATE and DELETE). All three tables are small and rarely written.
ALTER TABLE region ADD COLUMN code_text text GENERATED ALWAYS AS (code::text) STORED;
ALTER TABLE region REPLICA IDENTITY FULL;
ALTER TABLE target ADD COLUMN region_text text GENERATED ALWAYS AS (region::text) STORED;
ALTER TABLE target REPLICA IDENTITY FULL;
ALTER TABLE maintenance_window ADD COLUMN region_text text GENERATED ALWAYS AS (region::text) STORED;
ALTER TABLE maintenance_window REPLICA IDENTITY FULL;
