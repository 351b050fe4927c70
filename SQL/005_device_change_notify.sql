-- Nadi schema, part 5: tell every nadid when a device moves.
--
-- Each nadid caches devices by external id for the ingest path. When a device changes region,
-- kind or heartbeat interval — through this nadid, another one, or `nadi devices import` — the
-- change is announced on the channel `nadi_device_changed` (payload: the external id), and every
-- nadid drops its cached entry at once, so a token of the old region stops being accepted for it.

CREATE FUNCTION nadi_notify_device_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('nadi_device_changed', OLD.external_id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER device_changed_notify
AFTER UPDATE ON device
FOR EACH ROW
WHEN (OLD.region IS DISTINCT FROM NEW.region OR OLD.kind IS DISTINCT FROM NEW.kind
      OR OLD.interval_s IS DISTINCT FROM NEW.interval_s OR OLD.external_id IS DISTINCT FROM NEW.external_id)
EXECUTE FUNCTION nadi_notify_device_changed();

CREATE TRIGGER device_deleted_notify
AFTER DELETE ON device
FOR EACH ROW
EXECUTE FUNCTION nadi_notify_device_changed();
