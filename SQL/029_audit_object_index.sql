-- Nadi schema, part 29: the trail's object index by object id alone, and the chain's content text
-- built by one call.
--
-- Timed on 100,000 rows of an import's trail inserted into a copy of a month's partition that
-- already holds 300,000 (the same objects' earlier rows): with the index on (object_type,
-- object_id, id) 532 ms, on (object_id) 351 ms. A history reads one object's few rows and sorts
-- them; object ids of different kinds that happen to be equal are told apart by the rows'
-- object_type. With the key alone, btree deduplication keeps one entry per object per page, where
-- the id made every entry unique.
--
-- The canonical content of each row (nadi_audit_content's text, unchanged) is now built by one
-- concat() instead of eleven || operators: 180 against 275 ms for 100,000 created devices.
--
-- The trail's guard (part 27) lets only a superuser in replica mode change its index and functions.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname IN ('nadi_audit_guard_ddl', 'nadi_audit_guard_drop')) THEN
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
            RAISE EXCEPTION 'schema part 29 changes the audit trail''s index and trigger function, which the trail''s guard lets only a superuser do: run nadi migrate as a PostgreSQL superuser once'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        PERFORM set_config('session_replication_role', 'replica', true);
    END IF;
END
$$;

DROP INDEX audit_event_object_idx;
CREATE INDEX audit_event_object_idx ON audit_event (object_id);

CREATE OR REPLACE FUNCTION nadi_audit_changes() RETURNS trigger
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
    month date := date_trunc('month', happened AT TIME ZONE 'UTC')::date;
    columns text[];
    shown text;
    changes_sql text;
    region_sql text;
    diff_before text;
    diff_after text;
    marks_before text := '';
    marks_after text := '';
    nestloop text;
    memory text;
    compiling text := current_setting('jit');
    action text := CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'DELETE' THEN 'delete' ELSE 'update' END;
    source text := CASE TG_OP WHEN 'DELETE' THEN 'old_rows' ELSE 'new_rows' END;
    any_rows boolean;
    last_id bigint;
    last_hash bytea;
    middle text;
BEGIN
    -- INSERT … ON CONFLICT DO UPDATE fires the statement triggers of both, one of them with no rows.
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s)', source) INTO any_rows;
    IF NOT any_rows THEN
        RETURN NULL;
    END IF;
    -- Compiling these statements (the planner cannot size a transition table, so their estimated
    -- cost always passes jit_above_cost) took longer than running them. The memory is to number and
    -- sort an import's rows without spilling them to disk (the default 4 MB did, 35 MB for 100,000).
    PERFORM set_config('jit', 'off', true);
    memory := current_setting('work_mem');
    PERFORM set_config('work_mem', '64MB', true);
    SELECT array_agg(a.attname::text ORDER BY a.attnum) INTO columns
    FROM pg_attribute a WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped;
    IF TG_OP = 'INSERT' OR TG_OP = 'DELETE' THEN
        -- The object's JSON from the recorded columns only (building it whole and removing the
        -- hidden keys rebuilt every object twice).
        SELECT string_agg(format('x.%I', c), ', ') INTO shown FROM unnest(columns) c WHERE c <> ALL (hidden);
        changes_sql := format(
            'SELECT %s AS k, %s AS r, %s AS b, %s AS a FROM (SELECT %s, to_jsonb(s) AS j FROM (SELECT %s FROM %s x) s) x',
            nadi_audit_key_sql(TG_RELID, 'x', name_cols),
            CASE WHEN region_col IS NULL THEN 'NULL::text' ELSE format('x.%I::text', region_col) END,
            CASE TG_OP WHEN 'INSERT' THEN 'NULL::jsonb' ELSE 'x.j' END,
            CASE TG_OP WHEN 'INSERT' THEN 'x.j' ELSE 'NULL::jsonb' END,
            (SELECT string_agg(DISTINCT format('s.%I', c), ', ') FROM unnest(name_cols || coalesce(region_col, name_cols[1])) c),
            shown, source);
    ELSE
        -- What changed, one column at a time (native equality), as the recorded columns' JSON: only
        -- the changed keys are built. (Building both rows' JSON whole and removing the unchanged keys
        -- took three times as long: 1.0 against 0.3 s for 100,000 renamed devices.)
        SELECT string_agg(format(' || CASE WHEN n.%1$I IS DISTINCT FROM o.%1$I THEN jsonb_build_object(%1$L, o.%1$I) ELSE ''{}'' END', c), ''),
               string_agg(format(' || CASE WHEN n.%1$I IS DISTINCT FROM o.%1$I THEN jsonb_build_object(%1$L, n.%1$I) ELSE ''{}'' END', c), '')
        INTO diff_before, diff_after
        FROM unnest(columns) c WHERE c <> ALL (hidden);
        -- A secret that changed shows as "(secret)" → "(changed)".
        SELECT coalesce(string_agg(format(' || CASE WHEN n.%1$I IS DISTINCT FROM o.%1$I THEN jsonb_build_object(%1$L, ''(secret)'') ELSE ''{}'' END', c), ''), ''),
               coalesce(string_agg(format(' || CASE WHEN n.%1$I IS DISTINCT FROM o.%1$I THEN jsonb_build_object(%1$L, ''(changed)'') ELSE ''{}'' END', c), ''), '')
        INTO marks_before, marks_after
        FROM unnest(secrets) c WHERE c = ANY (columns);
        region_sql := CASE WHEN region_col IS NULL THEN 'NULL::text' ELSE format('coalesce(n.%1$I, o.%1$I)::text', region_col) END;
        -- The planner cannot size a transition table and would nested-loop the pairing of old and
        -- new rows; nested loops are off for this statement only.
        nestloop := current_setting('enable_nestloop');
        PERFORM set_config('enable_nestloop', 'off', true);
        changes_sql := format(
            'SELECT k, r, b, a FROM ('
            '  SELECT %s AS k, %s AS r, nullif(''{}''::jsonb%s%s, ''{}'') AS b, nullif(''{}''::jsonb%s%s, ''{}'') AS a'
            '  FROM new_rows n JOIN old_rows o ON %s OFFSET 0'
            ') d WHERE b IS NOT NULL OR a IS NOT NULL',
            nadi_audit_key_sql(TG_RELID, 'n', name_cols), region_sql, coalesce(diff_before, ''), marks_before,
            coalesce(diff_after, ''), marks_after, (SELECT string_agg(format('n.%1$I = o.%1$I', c), ' AND ') FROM unnest(join_cols) c));
    END IF;
    PERFORM pg_advisory_xact_lock(7016230);
    PERFORM nadi_audit_partition(happened);
    SELECT a.id, a.hash INTO last_id, last_hash FROM audit_event a ORDER BY a.id DESC LIMIT 1;
    last_id := coalesce(last_id, 0);
    last_hash := coalesce(last_hash, ''::bytea);
    -- nadi_audit_content's text, concatenated: [id, micros, actor, address, request_id, action,
    -- object_type, object_id, region, before, after] as jsonb prints an array; `middle` is what
    -- all rows of the statement share.
    middle := ', ' || (extract(epoch FROM happened) * 1000000)::bigint::text || ', ' || to_json(who)::text || ', '
              || coalesce(to_json(from_where)::text, 'null') || ', ' || to_json(request)::text || ', '
              || to_json(action)::text || ', ' || to_json(object_type)::text || ', ';
    -- Numbered in the order of the objects' names (the trail's object index then takes its new
    -- entries in order: in the transition table's order, an import's update took 1.5 times as long),
    -- chained in that order (sorted once: the window's order extends the numbering's), written to
    -- the month's partition directly.
    EXECUTE format(
        'INSERT INTO %I (id, at, actor, address, request_id, action, object_type, object_id, region, before, after, hash) '
        'SELECT $1 + n, $2, $3, $4, $5, $6, $7, k, r::ltree, b, a, '
        '       nadi_audit_chain($8, convert_to(concat(''['', $1 + n, $9, to_json(k), '', '', coalesce(to_json(r)::text, ''null''), '', '', '
        '                coalesce(b::text, ''null''), '', '', coalesce(a::text, ''null''), '']''), ''UTF8'')) '
        '         OVER (ORDER BY k, n ROWS UNBOUNDED PRECEDING) '
        'FROM (SELECT row_number() OVER (ORDER BY k) AS n, k, r, b, a FROM (%s) c) numbered',
        format('audit_event_y%sm%s', to_char(month, 'YYYY'), to_char(month, 'MM')), changes_sql)
    USING last_id, happened, who, from_where, request, action, object_type, last_hash, middle;
    IF TG_OP = 'UPDATE' THEN
        PERFORM set_config('enable_nestloop', nestloop, true);
    END IF;
    PERFORM set_config('work_mem', memory, true);
    PERFORM set_config('jit', compiling, true);
    RETURN NULL;
END
$$;

SELECT set_config('session_replication_role', 'origin', true)
WHERE current_setting('session_replication_role') <> 'origin';
