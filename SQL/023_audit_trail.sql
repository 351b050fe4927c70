-- Nadi schema, part 23: the audit trail (DESIGN "Trust in the numbers: the audit trail").
--
-- One row per changed object of the tables below, written by statement triggers in the same
-- transaction as the change (a change without its audit row cannot commit), set-based from the
-- statement's transition tables, so an import of 100,000 devices is one insert here, not 100,000.
-- Who changed it comes from the transaction's settings nadi.actor, nadi.address and
-- nadi.request_id (nadid, the console and the CLI set them); a change made by hand in psql is
-- recorded as 'sql:<role>'.
--
-- Append-only and tamper-evident: UPDATE, DELETE and TRUNCATE are refused by triggers that fire
-- even under session_replication_role = replica; every row carries hash = sha256(previous row's
-- hash || nadi_audit_content(row)), so `nadi audit verify` finds a row changed behind the triggers'
-- back (by a superuser who disabled them) and names it. The chain is extended under an advisory
-- lock, one transaction at a time. Kept forever by default; partitions by month are created as
-- the trail reaches them.

-- Tokens may carry the scope `audit` (read the trail through GET /v1/audit).
ALTER TABLE api_token DROP CONSTRAINT api_token_scopes_valid;
ALTER TABLE api_token ADD CONSTRAINT api_token_scopes_valid CHECK (
    cardinality(scopes) > 0 AND scopes <@ ARRAY['ingest', 'inventory', 'read', 'admin', 'maintenance', 'audit']::text[]);

CREATE TABLE audit_event (
    id          bigint NOT NULL,
    at          timestamptz NOT NULL,
    actor       text NOT NULL,
    address     text,
    request_id  text NOT NULL,
    action      text NOT NULL CONSTRAINT audit_event_action CHECK (action IN ('create', 'update', 'delete')),
    object_type text NOT NULL,
    object_id   text NOT NULL,
    region      ltree,
    before      jsonb,
    after       jsonb,
    hash        bytea NOT NULL,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
-- Histories of one object; the rest reads newest first by id (a region filter walks the ids: a
-- GiST index on region made every audited change 20 % dearer to write).
CREATE INDEX audit_event_object_idx ON audit_event (object_type, object_id, id);

-- The canonical text a row's hash covers: every column but the hash, times in microseconds since
-- 1970 (independent of the session's time zone), JSON as jsonb prints it (keys in a fixed order).
CREATE FUNCTION nadi_audit_content(
    id bigint, at timestamptz, actor text, address text, request_id text, action text, object_type text, object_id text,
    region ltree, before jsonb, after jsonb
) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN jsonb_build_array(id, (extract(epoch FROM at) * 1000000)::bigint, actor, address, request_id, action, object_type,
                         object_id, region::text, before, after)::text;

-- The partition of the month of `at`, created when missing.
CREATE FUNCTION nadi_audit_partition(at timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    first date := date_trunc('month', at AT TIME ZONE 'UTC')::date;
    name text := format('audit_event_y%sm%s', to_char(first, 'YYYY'), to_char(first, 'MM'));
BEGIN
    IF to_regclass(name) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF audit_event FOR VALUES FROM (%L) TO (%L)', name,
                       first::timestamp AT TIME ZONE 'UTC', (first + interval '1 month')::timestamp AT TIME ZONE 'UTC');
    END IF;
END
$$;

-- The statement trigger of every audited table. Arguments: the object type; the columns that
-- identify a row across an update (comma-separated); the columns that name the object in the
-- trail; the region column ('' when none); columns never recorded (secrets, bookkeeping).
CREATE TYPE nadi_audit_change AS (action text, object_id text, region text, before jsonb, after jsonb);

CREATE FUNCTION nadi_audit_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    object_type text := TG_ARGV[0];
    join_cols text[] := string_to_array(TG_ARGV[1], ',');
    name_cols text[] := string_to_array(TG_ARGV[2], ',');
    region_col text := nullif(TG_ARGV[3], '');
    secrets text[] := string_to_array(TG_ARGV[4], ',');
    hidden text[] := secrets || ARRAY['updated_at', 'code_text', 'region_text'];
    who text := coalesce(nullif(current_setting('nadi.actor', true), ''), 'sql:' || session_user);
    from_where text := nullif(current_setting('nadi.address', true), '');
    request text := coalesce(nullif(current_setting('nadi.request_id', true), ''), 'txn:' || txid_current()::text);
    happened timestamptz := now();
    has_secrets boolean := cardinality(secrets) > 0;
    single boolean := cardinality(name_cols) = 1;
    joined boolean := cardinality(join_cols) = 1;
    nestloop text;
    changes nadi_audit_change[];
    change nadi_audit_change;
    last_id bigint;
    last_hash bytea;
    content text;
    ids bigint[] := '{}';
    hashes bytea[] := '{}';
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(ROW('create', k, j ->> region_col, NULL, j - hidden)::nadi_audit_change ORDER BY k)
        INTO changes
        FROM (SELECT j, CASE WHEN single THEN j ->> name_cols[1] ELSE nadi_audit_key(j, name_cols) END AS k
              FROM (SELECT to_jsonb(n) AS j FROM new_rows n OFFSET 0) r) keyed;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(ROW('delete', k, j ->> region_col, j - hidden, NULL)::nadi_audit_change ORDER BY k)
        INTO changes
        FROM (SELECT j, CASE WHEN single THEN j ->> name_cols[1] ELSE nadi_audit_key(j, name_cols) END AS k
              FROM (SELECT to_jsonb(o) AS j FROM old_rows o OFFSET 0) r) keyed;
    ELSE
        -- Rows before and after, paired by identity. The planner cannot size a transition table
        -- and would nested-loop this join (5,000 updated devices: 26 s); a hash join takes
        -- milliseconds, so nested loops are off for this statement only.
        nestloop := current_setting('enable_nestloop');
        PERFORM set_config('enable_nestloop', 'off', true);
        -- (OFFSET 0 keeps each row's to_jsonb computed once, not once per reference.)
        SELECT array_agg(ROW('update', d.object_id, d.region, d.before, d.after)::nadi_audit_change ORDER BY d.object_id)
        INTO changes
        FROM (
            SELECT CASE WHEN single THEN n.j ->> name_cols[1] ELSE nadi_audit_key(n.j, name_cols) END AS object_id,
                   coalesce(n.j ->> region_col, o.j ->> region_col) AS region,
                   nullif(coalesce(diff.before, '{}') || coalesce(hid.before, '{}'), '{}') AS before,
                   nullif(coalesce(diff.after, '{}') || coalesce(hid.after, '{}'), '{}') AS after
            FROM (SELECT j, CASE WHEN joined THEN j ->> join_cols[1] ELSE nadi_audit_key(j, join_cols) END AS k
                  FROM (SELECT to_jsonb(x) AS j FROM new_rows x OFFSET 0) n0 OFFSET 0) n
            JOIN (SELECT j, CASE WHEN joined THEN j ->> join_cols[1] ELSE nadi_audit_key(j, join_cols) END AS k
                  FROM (SELECT to_jsonb(y) AS j FROM old_rows y OFFSET 0) o0 OFFSET 0) o ON o.k = n.k
            -- Only the fields that changed, in one pass over the row's fields.
            CROSS JOIN LATERAL (
                SELECT jsonb_object_agg(f, o.j -> f) AS before, jsonb_object_agg(f, n.j -> f) AS after
                FROM jsonb_object_keys(n.j) f
                WHERE f <> ALL (hidden) AND o.j -> f IS DISTINCT FROM n.j -> f
            ) diff
            -- A secret that changed shows as "(secret)" → "(changed)".
            CROSS JOIN LATERAL (
                SELECT jsonb_object_agg(f, '(secret)') AS before, jsonb_object_agg(f, '(changed)') AS after
                FROM unnest(secrets) f
                WHERE has_secrets AND o.j -> f IS DISTINCT FROM n.j -> f
            ) hid
        ) d
        WHERE d.before IS NOT NULL OR d.after IS NOT NULL;
        PERFORM set_config('enable_nestloop', nestloop, true);
    END IF;
    IF changes IS NULL OR cardinality(changes) = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(7016230);
    PERFORM nadi_audit_partition(happened);
    SELECT a.id, a.hash INTO last_id, last_hash FROM audit_event a ORDER BY a.id DESC LIMIT 1;
    last_id := coalesce(last_id, 0);
    last_hash := coalesce(last_hash, ''::bytea);
    FOREACH change IN ARRAY changes LOOP
        last_id := last_id + 1;
        -- nadi_audit_content, spelled out: a SQL function called from PL/pgSQL costs a plan per call.
        content := jsonb_build_array(last_id, (extract(epoch FROM happened) * 1000000)::bigint, who, from_where, request, change.action,
                                     object_type, change.object_id, change.region::ltree::text, change.before, change.after)::text;
        last_hash := sha256(last_hash || convert_to(content, 'UTF8'));
        ids := ids || last_id;
        hashes := hashes || last_hash;
    END LOOP;
    INSERT INTO audit_event (id, at, actor, address, request_id, action, object_type, object_id, region, before, after, hash)
    SELECT i, happened, who, from_where, request, a, object_type, o, r::ltree, b, f, h
    FROM unnest(ids, changes, hashes) AS v(i, a, o, r, b, f, h);
    RETURN NULL;
END
$$;

-- The values of `cols` in `value`, joined by ':' (the object's id in the trail).
CREATE FUNCTION nadi_audit_key(value jsonb, cols text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (SELECT string_agg(coalesce(value ->> c, ''), ':' ORDER BY n) FROM unnest(cols) WITH ORDINALITY AS u(c, n));

-- Append-only: refused even to session_replication_role = replica (ENABLE ALWAYS).
CREATE FUNCTION nadi_audit_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % is refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE FUNCTION nadi_audit_refuse();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event FOR EACH STATEMENT EXECUTE FUNCTION nadi_audit_refuse();
ALTER TABLE audit_event ENABLE ALWAYS TRIGGER audit_event_append_only;
ALTER TABLE audit_event ENABLE ALWAYS TRIGGER audit_event_no_truncate;

-- The audited tables: (object type, identity across updates, name in the trail, region, hidden).
CREATE FUNCTION nadi_audit_attach(tbl regclass, object_type text, join_cols text, name_cols text, region_col text, hidden text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    args text := format('%L, %L, %L, %L, %L', object_type, join_cols, name_cols, region_col, hidden);
BEGIN
    EXECUTE format('CREATE TRIGGER audit_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION nadi_audit_changes(%s)', tbl, args);
    EXECUTE format('CREATE TRIGGER audit_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION nadi_audit_changes(%s)', tbl, args);
    EXECUTE format('CREATE TRIGGER audit_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION nadi_audit_changes(%s)', tbl, args);
END
$$;

SELECT nadi_audit_attach('region', 'region', 'code', 'code', 'code', '');
SELECT nadi_audit_attach('site', 'site', 'code', 'code', 'region', '');
SELECT nadi_audit_attach('device', 'device', 'id', 'external_id', 'region', '');
SELECT nadi_audit_attach('target', 'target', 'region,kind,metric,year', 'region,kind,metric,year', 'region', '');
SELECT nadi_audit_attach('maintenance_window', 'maintenance', 'id', 'id', 'region', '');
SELECT nadi_audit_attach('incident_ack', 'incident', 'device_id,since', 'device_id,since', '', '');
SELECT nadi_audit_attach('console_user', 'user', 'id', 'name', 'region', 'password_hash');
SELECT nadi_audit_attach('api_token', 'token', 'id', 'name', 'region', 'hash');
SELECT nadi_audit_attach('notify_channel', 'channel', 'id', 'name', 'region', 'secret');
SELECT nadi_audit_attach('federation_origin', 'federation', 'only_row', 'region', 'region', '');
SELECT nadi_audit_attach('federation_mirror', 'federation', 'name', 'name', 'region', '');
