-- Nadi schema, part 3: masterplan targets, API tokens, unregistered sightings, ingest counters.

-- Masterplan milestones: "by `year`, region R should have `value` of `metric` for `kind`".
CREATE TABLE target (
    region ltree NOT NULL REFERENCES region (code),
    kind   text NOT NULL,
    metric text NOT NULL,
    year   integer NOT NULL,
    value  double precision NOT NULL,
    source text,
    PRIMARY KEY (region, kind, metric, year),
    CONSTRAINT target_kind_valid CHECK (kind IN ('fiber_link', 'cctv', 'videotron', 'attendance')),
    CONSTRAINT target_metric_valid CHECK (
        metric = 'units' OR (metric = 'km' AND kind = 'fiber_link') OR (metric = 'schools_pct' AND kind = 'cctv')),
    CONSTRAINT target_year_range CHECK (year BETWEEN 2015 AND 2045),
    CONSTRAINT target_value_range CHECK (value >= 0 AND (metric <> 'schools_pct' OR value <= 100))
);

-- API tokens: only a SHA-256 hash of the secret is stored. A token is scoped to a region subtree
-- (NULL = all of Indonesia) and to a set of scopes.
CREATE TABLE api_token (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    hash       bytea NOT NULL UNIQUE,
    region     ltree REFERENCES region (code),
    scopes     text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    CONSTRAINT api_token_name_present CHECK (length(btrim(name)) > 0 AND length(name) <= 100),
    CONSTRAINT api_token_hash_length CHECK (octet_length(hash) = 32),
    CONSTRAINT api_token_scopes_valid CHECK (
        cardinality(scopes) > 0 AND scopes <@ ARRAY['ingest', 'inventory', 'read', 'admin']::text[])
);

-- Pings from devices nobody registered: ops adopt them (register the device) or ignore them.
CREATE TABLE unregistered_sighting (
    external_id text NOT NULL,
    source      text NOT NULL,
    first_seen  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL,
    count       bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (external_id, source),
    CONSTRAINT unregistered_sighting_id_length CHECK (length(external_id) BETWEEN 1 AND 200)
);
