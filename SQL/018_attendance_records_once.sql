-- Nadi schema, part 18: an attendance record is counted once.
--
-- A ZKTeco device resends records it thinks were not received, and anyone who can reach /iclock
-- can post a log: each record is remembered by a SHA-256 of (device, PIN, punch time) for the
-- raw-ping retention, so a record sent twice counts once. The PIN itself is never stored; nor is
-- anything else of the record.

CREATE TABLE attendance_record_seen (
    device_id bigint NOT NULL REFERENCES device (id) ON DELETE CASCADE,
    hash      bytea NOT NULL,
    day       date NOT NULL,
    PRIMARY KEY (device_id, hash)
);
CREATE INDEX attendance_record_seen_day_idx ON attendance_record_seen (day);

-- Sightings of unregistered devices are pruned by age (see BatchInserter): an index for that.
CREATE INDEX unregistered_sighting_last_seen_idx ON unregistered_sighting (last_seen);
