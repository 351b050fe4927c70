-- Nadi schema, part 19: "operational" written once.
--
-- A status is operational when it is up or degraded (DESIGN "Status"). The rule was spelled out
-- wherever a query needed it; now every query calls nadi_is_operational, and the view and function
-- of part 11 are redefined on it. An immutable SQL function of one expression is inlined by the
-- planner, so a query costs what it did with the expression written out.

CREATE FUNCTION nadi_is_operational(status text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN status IN ('up', 'degraded');

CREATE OR REPLACE VIEW device_operational_now AS
    SELECT s.device_id, nadi_is_operational(s.status) AS op FROM device_state s;

CREATE OR REPLACE FUNCTION nadi_operational(device bigint, at timestamptz, use_current boolean) RETURNS TABLE (op boolean)
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN use_current THEN
        EXISTS (SELECT 1 FROM device_operational_now n WHERE n.device_id = device AND n.op)
    ELSE
        EXISTS (SELECT 1 FROM (SELECT i.status, i.ended_at FROM status_interval i
                               WHERE i.device_id = device AND i.started_at <= at
                               ORDER BY i.started_at DESC LIMIT 1) last
                WHERE nadi_is_operational(last.status) AND (last.ended_at IS NULL OR last.ended_at > at))
    END
$$;
