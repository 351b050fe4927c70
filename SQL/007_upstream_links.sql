-- Nadi schema, part 7: what a device depends on.
--
-- A device may name one upstream device (a camera behind the fiber link that feeds it, a link
-- behind its POP): device.upstream_id is the link now. device_link keeps every link with the time
-- it held, so that causes of past outages are attributed as the topology was at each instant.
-- Cycles are refused by nadid before they are written.

ALTER TABLE device ADD COLUMN upstream_id bigint REFERENCES device (id) ON DELETE SET NULL;
ALTER TABLE device ADD CONSTRAINT device_upstream_not_self CHECK (upstream_id <> id);
CREATE INDEX device_upstream_idx ON device (upstream_id) WHERE upstream_id IS NOT NULL;

CREATE TABLE device_link (
    device_id   bigint NOT NULL REFERENCES device (id) ON DELETE CASCADE,
    upstream_id bigint NOT NULL REFERENCES device (id) ON DELETE CASCADE,
    valid_from  timestamptz NOT NULL DEFAULT now(),
    valid_to    timestamptz,
    PRIMARY KEY (device_id, valid_from),
    CONSTRAINT device_link_ordered CHECK (valid_to IS NULL OR valid_to > valid_from),
    CONSTRAINT device_link_not_self CHECK (upstream_id <> device_id)
);
-- At most one link of a device holds now.
CREATE UNIQUE INDEX device_link_open_idx ON device_link (device_id) WHERE valid_to IS NULL;
CREATE INDEX device_link_upstream_idx ON device_link (upstream_id);
