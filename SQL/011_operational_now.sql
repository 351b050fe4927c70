-- Nadi schema, part 11: "operational now" as a relation the planner can join.
--
-- nadi_operational(device, now, true) answers for one device at a time: over the 50,000 devices
-- of a province the coverage report probed device_state 50,000 times (308 ms on the console
-- benchmark). device_operational_now holds the same rule for every device at once, so a report
-- joins it (one hash join); nadi_operational's current branch now reads it too, so the rule is
-- still written once.

CREATE VIEW device_operational_now AS
    SELECT s.device_id, s.status IN ('up', 'degraded') AS op FROM device_state s;

CREATE OR REPLACE FUNCTION nadi_operational(device bigint, at timestamptz, use_current boolean) RETURNS TABLE (op boolean)
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN use_current THEN
        EXISTS (SELECT 1 FROM device_operational_now n WHERE n.device_id = device AND n.op)
    ELSE
        EXISTS (SELECT 1 FROM (SELECT i.status, i.ended_at FROM status_interval i
                               WHERE i.device_id = device AND i.started_at <= at
                               ORDER BY i.started_at DESC LIMIT 1) last
                WHERE last.status IN ('up', 'degraded') AND (last.ended_at IS NULL OR last.ended_at > at))
    END
$$;
