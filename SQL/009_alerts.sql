-- Nadi schema, part 9: alerts that reach people (DESIGN.md, "Alerts that reach people").
--
-- The outbox: every state change the ingest writer or the silence sweeper commits inserts an
-- alert_event row in the same transaction, with the device's cause and root at that moment. Nothing
-- is sent from inside a transaction: the notifier (one nadid at a time, holder of the 'notifier'
-- service lease) reads the events after its cursor, keeps one alert_outage row per stretch of a
-- device being not operational, decides which outages are incidents worth a message per channel,
-- and delivers alert_delivery rows at least once. A crash anywhere loses nothing.

CREATE TABLE alert_event (
    id          bigserial PRIMARY KEY,
    device_id   bigint NOT NULL REFERENCES device (id) ON DELETE CASCADE,
    from_status text NOT NULL,
    to_status   text NOT NULL,
    at          timestamptz NOT NULL,
    reason      text,
    -- Why the device is not operational at that moment (NULL when it is operational).
    cause       text,
    root_id     bigint,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT alert_event_statuses CHECK (
        from_status IN ('up', 'degraded', 'down', 'unknown') AND to_status IN ('up', 'degraded', 'down', 'unknown')),
    CONSTRAINT alert_event_cause CHECK (cause IS NULL OR cause IN ('own', 'upstream', 'maintenance'))
);
CREATE INDEX alert_event_created_idx ON alert_event (created_at);

-- Where messages go. The secret (a webhook's HMAC key, a Telegram bot token) is write-only: no
-- command prints it, no log or metric names it.
CREATE TABLE notify_channel (
    id              serial PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    type            text NOT NULL,
    region          ltree REFERENCES region (code),
    kinds           text[],
    min_down_s      integer NOT NULL DEFAULT 300,
    lang            text NOT NULL DEFAULT 'id',
    url             text NOT NULL,
    chat_id         text,
    secret          text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    disabled_at     timestamptz,
    disabled_reason text,
    CONSTRAINT notify_channel_name CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    CONSTRAINT notify_channel_type CHECK (type IN ('webhook', 'telegram')),
    CONSTRAINT notify_channel_chat CHECK ((type = 'telegram') = (chat_id IS NOT NULL)),
    CONSTRAINT notify_channel_kinds CHECK (kinds IS NULL OR (cardinality(kinds) > 0
        AND kinds <@ ARRAY['fiber_link', 'cctv', 'videotron', 'attendance']::text[])),
    CONSTRAINT notify_channel_min_down CHECK (min_down_s BETWEEN 0 AND 86400),
    CONSTRAINT notify_channel_lang CHECK (lang IN ('id', 'en')),
    CONSTRAINT notify_channel_secret CHECK (length(secret) > 0)
);

-- One row per stretch of a device being not operational, opened and closed from the events in
-- order. An outage whose device is the root of its own failure is an incident.
CREATE TABLE alert_outage (
    id         bigserial PRIMARY KEY,
    device_id  bigint NOT NULL REFERENCES device (id) ON DELETE CASCADE,
    started_at timestamptz NOT NULL,
    ended_at   timestamptz,
    -- When nadid learned of it (the opening event's commit). min_down counts from the later of the
    -- two, so history arriving late (an agent's buffered upload, the sweeper racing a backfill)
    -- never alerts for a stretch that is over by the time the rest of the data is in.
    known_at   timestamptz NOT NULL,
    CONSTRAINT alert_outage_ordered CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE UNIQUE INDEX alert_outage_open_idx ON alert_outage (device_id) WHERE ended_at IS NULL;

-- A message for one channel: 'down' once per incident and channel, 'recovery' when it closes,
-- 'test' from `nadi notify test`. event_id is the Nadi-Event-Id header, the same on every try.
CREATE TABLE alert_delivery (
    id              bigserial PRIMARY KEY,
    event_id        uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    channel_id      integer NOT NULL REFERENCES notify_channel (id) ON DELETE CASCADE,
    outage_id       bigint REFERENCES alert_outage (id) ON DELETE CASCADE,
    kind            text NOT NULL,
    payload         jsonb NOT NULL,
    state           text NOT NULL DEFAULT 'pending',
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_status     integer,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    CONSTRAINT alert_delivery_kind CHECK (kind IN ('down', 'recovery', 'test')),
    CONSTRAINT alert_delivery_state CHECK (state IN ('pending', 'delivered', 'failed')),
    CONSTRAINT alert_delivery_once UNIQUE (channel_id, outage_id, kind)
);
CREATE INDEX alert_delivery_due_idx ON alert_delivery (channel_id, next_attempt_at) WHERE state = 'pending';
CREATE INDEX alert_delivery_created_idx ON alert_delivery (created_at);

-- How far the notifier has read the outbox.
CREATE TABLE notifier_cursor (
    id         integer PRIMARY KEY CHECK (id = 1),
    last_event bigint NOT NULL
);
INSERT INTO notifier_cursor VALUES (1, 0);

-- Work that one nadid does at a time (the notifier, the device poller): the holder renews its row;
-- another instance takes over once it has expired. It replaces the poller's own lease table.
DROP TABLE poller_lease;
CREATE TABLE service_lease (
    name       text PRIMARY KEY,
    holder     text NOT NULL,
    expires_at timestamptz NOT NULL
);
