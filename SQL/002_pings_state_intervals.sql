-- Nadi schema, part 2: raw pings, current device state and the state history.

-- Raw pings, range-partitioned by UTC day on observed_at. Partitions are named ping_pYYYYMMDD and
-- are created ahead of time (and on demand) by nadi_ensure_ping_partition; old ones are dropped after
-- the retention period. There is deliberately no foreign key to device: it would cost a lookup per row.
CREATE TABLE ping (
    device_id   bigint NOT NULL,
    observed_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    status      text NOT NULL,
    latency_ms  real,
    reason      text,
    metrics     jsonb,
    CONSTRAINT ping_status_valid CHECK (status IN ('up', 'degraded', 'down')),
    CONSTRAINT ping_latency_range CHECK (latency_ms >= 0),
    PRIMARY KEY (device_id, observed_at)
) PARTITION BY RANGE (observed_at);

CREATE FUNCTION nadi_ensure_ping_partition(day date) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    part text := format('ping_p%s', to_char(day, 'YYYYMMDD'));
    lo timestamptz := (day::timestamp AT TIME ZONE 'UTC');
    hi timestamptz := ((day + 1)::timestamp AT TIME ZONE 'UTC');
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF ping FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
    RETURN true;
END $$;

CREATE FUNCTION nadi_drop_ping_partitions_before(cutoff date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    dropped integer := 0;
BEGIN
    FOR r IN
        SELECT c.relname FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = 'ping' AND c.relname ~ '^ping_p[0-9]{8}$'
          AND to_date(substr(c.relname, 7), 'YYYYMMDD') < cutoff
    LOOP
        EXECUTE format('DROP TABLE %I', r.relname);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END $$;

-- The current state of every device. A device that never pinged is 'unknown' with reason 'never_seen'.
-- last_seen is the newest observed_at; the daemon may write it a few seconds late (it coalesces).
CREATE TABLE device_state (
    device_id bigint PRIMARY KEY REFERENCES device (id) ON DELETE CASCADE,
    status    text NOT NULL DEFAULT 'unknown',
    reason    text,
    since     timestamptz,
    last_seen timestamptz,
    CONSTRAINT device_state_status_valid CHECK (status IN ('up', 'degraded', 'down', 'unknown'))
);
CREATE INDEX device_state_last_seen_idx ON device_state (last_seen) WHERE status <> 'unknown';

-- Every state change. Uptime over any window comes from these rows, never from raw pings.
-- Intervals are [started_at, ended_at); the open one has ended_at NULL.
CREATE TABLE status_interval (
    device_id  bigint NOT NULL REFERENCES device (id) ON DELETE CASCADE,
    status     text NOT NULL,
    reason     text,
    started_at timestamptz NOT NULL,
    ended_at   timestamptz,
    CONSTRAINT status_interval_status_valid CHECK (status IN ('up', 'degraded', 'down')),
    CONSTRAINT status_interval_ordered CHECK (ended_at IS NULL OR ended_at > started_at),
    PRIMARY KEY (device_id, started_at)
);
CREATE UNIQUE INDEX status_interval_one_open_idx ON status_interval (device_id) WHERE ended_at IS NULL;
