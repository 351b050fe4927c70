-- Nadi schema, part 10: the web console's users and their sessions.
--
-- A user sees only their region subtree (NULL: all of Indonesia). Passwords are bcrypt hashes.
-- A session is found by the SHA-256 of its cookie (the cookie itself is never stored); disabling a
-- user deletes their sessions, and a session of a disabled user is never honoured either.

CREATE TABLE console_user (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    region        ltree REFERENCES region (code),
    role          text NOT NULL,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    disabled_at   timestamptz,
    CONSTRAINT console_user_name_format CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
    CONSTRAINT console_user_role_valid CHECK (role IN ('viewer', 'operator', 'admin')),
    CONSTRAINT console_user_hash_bcrypt CHECK (password_hash LIKE '$2%')
);

CREATE TABLE console_session (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES console_user (id) ON DELETE CASCADE,
    csrf       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    CONSTRAINT console_session_hash_length CHECK (octet_length(token_hash) = 32)
);
CREATE INDEX console_session_user_idx ON console_session (user_id);
CREATE INDEX console_session_expires_idx ON console_session (expires_at);

-- An operator's acknowledgement of an open incident: "someone is on it". An incident is its root
-- device and the moment its current stretch began, so a new outage of the same device is a new
-- incident and needs its own acknowledgement.
CREATE TABLE incident_ack (
    device_id       bigint NOT NULL REFERENCES device (id) ON DELETE CASCADE,
    since           timestamptz NOT NULL,
    acknowledged_by text NOT NULL,
    acknowledged_at timestamptz NOT NULL DEFAULT now(),
    note            text NOT NULL DEFAULT '',
    PRIMARY KEY (device_id, since),
    CONSTRAINT incident_ack_note_length CHECK (length(note) <= 300)
);
