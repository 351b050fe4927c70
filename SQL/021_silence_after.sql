-- Nadi schema, part 21: when a device is silent, written once for SQL.
--
-- A device is silent when no ping came for miss count × interval (DESIGN "Timeline"). NadiCore's
-- Heartbeat.silenceAfter says it for Swift; this says it for the silence sweep's queries.

CREATE FUNCTION nadi_silence_after(interval_s integer, miss_count integer) RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN make_interval(secs => interval_s::float8 * miss_count);
