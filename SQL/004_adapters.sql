-- Nadi schema, part 4: what the protocol adapters need.

-- (ZKTeco PUSH devices identify themselves by serial number: device_attendance_serial_idx, in 001.)

-- Attendance records are personal data: nadid stores none of their content, only how many arrived
-- per device and day (a health signal: "records are arriving").
CREATE TABLE attendance_upload (
    device_id bigint NOT NULL REFERENCES device (id) ON DELETE CASCADE,
    day       date NOT NULL,
    records   bigint NOT NULL,
    last_at   timestamptz NOT NULL,
    PRIMARY KEY (device_id, day),
    CONSTRAINT attendance_upload_records CHECK (records >= 0)
);

-- Which nadid polls the SNMP and probe devices: the holder of this lease, renewed every second
-- or so; another instance takes over once it has expired.
CREATE TABLE poller_lease (
    id         integer PRIMARY KEY CHECK (id = 1),
    holder     text NOT NULL,
    expires_at timestamptz NOT NULL
);
