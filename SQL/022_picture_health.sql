-- Nadi schema, part 22: camera picture health (DESIGN "Camera image health").
--
-- Which cameras have their picture checked, and which show a good one, written once for SQL;
-- NadiCore's ImageCheckSettings(kind:attributes:) and PictureHealth say the same for Swift (a test
-- compares them). A picture check's verdict is part of the camera's state: `degraded` with reason
-- image_black, image_frozen, image_blurred or fps_low is a bad picture, `up` a good one.

CREATE FUNCTION nadi_image_checked(kind text, attributes jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN kind = 'cctv' AND coalesce(attributes ->> 'stream_url', '') ~* '^(rtsps?|https?)://'
   AND coalesce(attributes -> 'image_check', 'null'::jsonb) <> 'false'::jsonb;

CREATE FUNCTION nadi_good_picture(checked boolean, status text, reason text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN checked AND (status = 'up'
   OR (status = 'degraded' AND coalesce(reason, '') NOT IN ('image_black', 'image_frozen', 'image_blurred', 'fps_low')));

-- A bad picture is an incident of its own ("gambar beku sejak 10:42"): an outage row with
-- problem 'picture', opened when a camera goes degraded for its picture and closed when it leaves
-- that state. At most one open outage per device and problem.
ALTER TABLE alert_outage ADD COLUMN problem text NOT NULL DEFAULT 'down'
    CONSTRAINT alert_outage_problem CHECK (problem IN ('down', 'picture'));
DROP INDEX alert_outage_open_idx;
CREATE UNIQUE INDEX alert_outage_open_idx ON alert_outage (device_id, problem) WHERE ended_at IS NULL;
