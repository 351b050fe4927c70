-- Nadi schema, part 8: planned work.
--
-- A maintenance window [starts_at, ends_at) covers one device, or a region subtree (optionally
-- one kind). Time a device is down inside a window covering it counts as maintenance, not as an
-- outage (DESIGN.md, "Topology, causes and maintenance"). Cancelled windows are kept, marked.

ALTER TABLE api_token DROP CONSTRAINT api_token_scopes_valid;
ALTER TABLE api_token ADD CONSTRAINT api_token_scopes_valid CHECK (
    cardinality(scopes) > 0 AND scopes <@ ARRAY['ingest', 'inventory', 'read', 'admin', 'maintenance']::text[]);

CREATE TABLE maintenance_window (
    id           bigserial PRIMARY KEY,
    device_id    bigint REFERENCES device (id) ON DELETE CASCADE,
    region       ltree REFERENCES region (code),
    kind         text,
    starts_at    timestamptz NOT NULL,
    ends_at      timestamptz NOT NULL,
    reason       text NOT NULL,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    cancelled_at timestamptz,
    CONSTRAINT maintenance_target CHECK ((device_id IS NULL) <> (region IS NULL)),
    CONSTRAINT maintenance_kind_on_region CHECK (kind IS NULL OR (region IS NOT NULL AND kind IN ('fiber_link', 'cctv', 'videotron', 'attendance'))),
    CONSTRAINT maintenance_ordered CHECK (ends_at > starts_at),
    CONSTRAINT maintenance_at_most_31_days CHECK (ends_at - starts_at <= interval '31 days'),
    CONSTRAINT maintenance_reason_present CHECK (length(btrim(reason)) > 0 AND length(reason) <= 300)
);
CREATE INDEX maintenance_window_device_idx ON maintenance_window (device_id, starts_at) WHERE device_id IS NOT NULL;
CREATE INDEX maintenance_window_region_gist ON maintenance_window USING gist (region) WHERE region IS NOT NULL;
CREATE INDEX maintenance_window_time_idx ON maintenance_window (ends_at, starts_at);
