-- Nadi schema, part 27: the trail's owner cannot take it apart (DESIGN "Trust in the numbers").
--
-- Triggers make audit_event append-only, but the role that owns the tables could still drop the
-- trail, detach or truncate a month of it, disable its triggers, put a rule or a trigger of its own
-- in front of it, or switch off the audit triggers of an audited table. Event triggers refuse all of
-- that to every role, owners included. `nadi audit prune` still drops whole months: a partition
-- may be detached and dropped in the transaction that wrote the anchor naming it (the anchor is
-- itself a row of the trail). New partitions are created as the trail reaches them.
--
-- Only a superuser can create event triggers and only a superuser gets past them (by
-- `SET session_replication_role = replica`, which fires no ENABLE event trigger; or by disabling
-- them): a database migrated by a role that is not a superuser gets no guard until a superuser runs
-- `SELECT nadi_audit_install_guard()` (`nadi migrate` and `nadi audit verify` say so). A later
-- migration that must change the trail's own tables or functions runs as a superuser in replica mode.

-- The trail's table, its months and its anchors, named in an object's identity ('' when none).
CREATE FUNCTION nadi_audit_table_in(identity text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(substring(identity FROM '(?:^|[ .])(audit_event_y[0-9]{4}m[0-9]{2}|audit_event|audit_anchor)(?:$|[^a-z0-9_])'), '');

-- The months of the trail an anchor written by this transaction names (what prune may drop).
CREATE FUNCTION nadi_audit_anchored_here() RETURNS text[]
LANGUAGE sql STABLE
RETURN coalesce((SELECT array_agg(p) FROM audit_anchor a, unnest(a.partitions) p WHERE a.xmin = pg_current_xact_id()::xid), '{}');

-- Whether every append-only trigger of the trail, its months and its anchors fires always.
CREATE FUNCTION nadi_audit_append_only() RETURNS boolean
LANGUAGE sql STABLE
RETURN NOT EXISTS (
    SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE nadi_audit_table_in('public.' || c.relname) <> '' AND t.tgname ~ '_(append_only|no_truncate)$' AND t.tgenabled <> 'A');

-- The trail's functions: replacing one could make it record nothing.
CREATE FUNCTION nadi_audit_is_machinery(identity text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN identity ~ '^public\.nadi_audit_(changes|refuse|content|partition|key|key_sql|table_in|anchored_here|append_only|is_machinery|guard_ddl|guard_drop|install_guard)\(';

CREATE FUNCTION nadi_audit_guard_drop() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
    gone record;
    anchored text[];
    tbl text;
BEGIN
    FOR gone IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
        tbl := nadi_audit_table_in(gone.object_identity);
        IF tbl <> '' THEN
            anchored := coalesce(anchored, nadi_audit_anchored_here());
            IF NOT tbl = ANY (anchored) THEN
                RAISE EXCEPTION 'the audit trail cannot be dropped: % (nadi audit prune drops whole months, after writing their anchor)',
                    gone.object_identity USING ERRCODE = 'insufficient_privilege';
            END IF;
        ELSIF gone.object_type = 'trigger' AND gone.object_identity ~ '^audit_(insert|update|delete) on ' THEN
            RAISE EXCEPTION 'the audit trigger % cannot be dropped: its table''s changes would go unrecorded', gone.object_identity
                USING ERRCODE = 'insufficient_privilege';
        ELSIF gone.object_type = 'function' AND nadi_audit_is_machinery(gone.object_identity) THEN
            RAISE EXCEPTION 'the audit trail''s function % cannot be dropped', gone.object_identity USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
END
$$;

CREATE FUNCTION nadi_audit_guard_ddl() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
    command record;
    tbl text;
BEGIN
    FOR command IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
        tbl := nadi_audit_table_in(command.object_identity);
        IF tbl <> '' THEN
            -- A month created as the trail reaches it, and prune's detaching of an anchored month.
            CONTINUE WHEN command.command_tag IN ('CREATE TABLE', 'CREATE INDEX') AND tbl ~ '^audit_event_y';
            CONTINUE WHEN command.command_tag = 'ALTER TABLE' AND tbl = 'audit_event' AND cardinality(nadi_audit_anchored_here()) > 0
                AND nadi_audit_append_only();
            RAISE EXCEPTION 'the audit trail cannot be changed: % on %', command.command_tag, command.object_identity
                USING ERRCODE = 'insufficient_privilege';
        ELSIF command.object_type = 'trigger' AND command.object_identity ~ '^audit_(insert|update|delete) on ' THEN
            RAISE EXCEPTION 'the audit trigger % cannot be changed', command.object_identity USING ERRCODE = 'insufficient_privilege';
        ELSIF command.object_type = 'function' AND nadi_audit_is_machinery(command.object_identity) THEN
            RAISE EXCEPTION 'the audit trail''s function % cannot be replaced', command.object_identity
                USING ERRCODE = 'insufficient_privilege';
        ELSIF command.command_tag = 'ALTER TABLE' AND EXISTS (
            SELECT 1 FROM pg_trigger t WHERE t.tgrelid = command.objid AND t.tgname IN ('audit_insert', 'audit_update', 'audit_delete')
                AND t.tgenabled = 'D')
        THEN
            RAISE EXCEPTION 'the audit triggers of % stay on: its changes would go unrecorded', command.object_identity
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
END
$$;

-- Installs the guard when run by a superuser (this migration calls it; a superuser runs
-- `SELECT nadi_audit_install_guard()` later on a database migrated by another role). Returns what it did.
CREATE FUNCTION nadi_audit_install_guard() RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RAISE NOTICE 'the audit trail''s guard needs a superuser to install (event triggers): run SELECT nadi_audit_install_guard() as one';
        RETURN 'not installed: event triggers need a superuser';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'nadi_audit_guard_drop') THEN
        CREATE EVENT TRIGGER nadi_audit_guard_drop ON sql_drop EXECUTE FUNCTION nadi_audit_guard_drop();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'nadi_audit_guard_ddl') THEN
        CREATE EVENT TRIGGER nadi_audit_guard_ddl ON ddl_command_end EXECUTE FUNCTION nadi_audit_guard_ddl();
    END IF;
    RETURN 'installed';
END
$$;

SELECT nadi_audit_install_guard();
