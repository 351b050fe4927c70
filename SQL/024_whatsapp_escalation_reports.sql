-- Nadi schema, part 24: channels people use, escalation, monthly reports (DESIGN.md, "Channels
-- people use, escalation, monthly reports").
--
-- A WhatsApp channel sends Meta's WhatsApp Business Cloud API template messages: chat_id holds the
-- sending phone-number id, recipients the E.164 numbers, and the two template names the ones the
-- business registered with Meta (WhatsApp only lets a business start a conversation with a template).
-- The access token is the channel's secret, write-only like the others.
ALTER TABLE notify_channel
    ADD COLUMN recipients        text[],
    ADD COLUMN template_incident text,
    ADD COLUMN template_recovery text,
    -- Escalation: an incident announced on this channel and still unacknowledged escalate_after_s
    -- seconds after that first message goes to escalate_to (or, without one, is repeated here), then
    -- again every repeat_s seconds, at most max_repeats times, until it is acknowledged or closed.
    ADD COLUMN escalate_after_s  integer,
    ADD COLUMN escalate_to       integer REFERENCES notify_channel (id) ON DELETE SET NULL,
    ADD COLUMN repeat_s          integer,
    ADD COLUMN max_repeats       integer NOT NULL DEFAULT 0,
    -- A channel that only receives escalations (the head of the office), not every incident.
    ADD COLUMN escalation_only   boolean NOT NULL DEFAULT false;

ALTER TABLE notify_channel DROP CONSTRAINT notify_channel_type;
ALTER TABLE notify_channel ADD CONSTRAINT notify_channel_type CHECK (type IN ('webhook', 'telegram', 'whatsapp'));
ALTER TABLE notify_channel DROP CONSTRAINT notify_channel_chat;
ALTER TABLE notify_channel ADD CONSTRAINT notify_channel_chat CHECK ((type IN ('telegram', 'whatsapp')) = (chat_id IS NOT NULL));
ALTER TABLE notify_channel ADD CONSTRAINT notify_channel_whatsapp CHECK (
    (type = 'whatsapp') = (recipients IS NOT NULL AND cardinality(recipients) > 0
                           AND template_incident IS NOT NULL AND template_recovery IS NOT NULL));
ALTER TABLE notify_channel ADD CONSTRAINT notify_channel_escalation CHECK (
    (escalate_after_s IS NULL OR escalate_after_s BETWEEN 60 AND 7 * 86400)
    AND (repeat_s IS NULL OR repeat_s BETWEEN 60 AND 7 * 86400)
    AND max_repeats BETWEEN 0 AND 100
    AND (escalate_to IS NULL OR escalate_after_s IS NOT NULL)
    AND escalate_to IS DISTINCT FROM id);

-- An escalation or a reminder is a 'down' message of step 1, 2, …; the first announcement is step 0.
-- One message per channel, outage, kind and step, whoever decides it and however often.
-- sent_to: the WhatsApp recipients already done with this message (sent, or refused for good), so a
-- retry after a 429 for the third number does not send the first two again.
ALTER TABLE alert_delivery
    ADD COLUMN step    integer NOT NULL DEFAULT 0,
    ADD COLUMN sent_to text[] NOT NULL DEFAULT '{}';
ALTER TABLE alert_delivery DROP CONSTRAINT alert_delivery_once;
ALTER TABLE alert_delivery ADD CONSTRAINT alert_delivery_once UNIQUE (channel_id, outage_id, kind, step);
ALTER TABLE alert_delivery DROP CONSTRAINT alert_delivery_kind;
ALTER TABLE alert_delivery ADD CONSTRAINT alert_delivery_kind CHECK (kind IN ('down', 'recovery', 'test', 'report'));
-- 'cancelled': an escalation step that was queued but whose incident was acknowledged or closed first.
ALTER TABLE alert_delivery DROP CONSTRAINT alert_delivery_state;
ALTER TABLE alert_delivery ADD CONSTRAINT alert_delivery_state CHECK (state IN ('pending', 'delivered', 'failed', 'cancelled'));

-- Whether the stretch of not working that began at started_at has been acknowledged (in the console
-- or with `nadi incidents ack`): an acknowledgement names the device and the start of its current
-- stretch, which is never before the outage's start.
CREATE FUNCTION nadi_outage_acknowledged(device bigint, started_at timestamptz) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM incident_ack k WHERE k.device_id = device AND k.since >= started_at)
$$;

-- Monthly reports sent to a channel on a day of the month at a local time.
CREATE TABLE report_schedule (
    id          serial PRIMARY KEY,
    channel_id  integer NOT NULL REFERENCES notify_channel (id) ON DELETE CASCADE,
    report      text NOT NULL DEFAULT 'monthly',
    region      ltree NOT NULL REFERENCES region (code),
    day         integer NOT NULL,
    at_minute   integer NOT NULL,
    format      text NOT NULL DEFAULT 'pdf',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT report_schedule_report CHECK (report = 'monthly'),
    CONSTRAINT report_schedule_day CHECK (day BETWEEN 1 AND 28),
    CONSTRAINT report_schedule_at CHECK (at_minute BETWEEN 0 AND 1439),
    CONSTRAINT report_schedule_format CHECK (format IN ('pdf', 'html', 'csv')),
    CONSTRAINT report_schedule_once UNIQUE (channel_id, report, region)
);

-- One dispatch per schedule and month, claimed before it is built: a restart or a second nadid
-- never sends the same month twice.
CREATE TABLE report_dispatch (
    schedule_id     integer NOT NULL REFERENCES report_schedule (id) ON DELETE CASCADE,
    month           text NOT NULL,
    state           text NOT NULL DEFAULT 'pending',
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_status     integer,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    PRIMARY KEY (schedule_id, month),
    CONSTRAINT report_dispatch_month CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    CONSTRAINT report_dispatch_state CHECK (state IN ('pending', 'delivered', 'failed'))
);

SELECT nadi_audit_attach('report_schedule', 'schedule', 'id', 'id', 'region', '');

-- The audit trail by time: nadid's /metrics counts the last hour's events by actor (the Grafana
-- panel "Audit events per hour by actor"). BRIN: the trail is appended in time order, and a B-tree
-- would make every audited change of a 100,000-record import dearer.
CREATE INDEX audit_event_at_idx ON audit_event USING brin (at);
