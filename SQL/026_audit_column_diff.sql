-- Nadi schema, part 26: the audit trail's statement trigger compares columns, not JSON.
--
-- What an update changed is found by comparing the old and new row column by column (native
-- equality, paired on the identity columns themselves) instead of turning both rows into JSON and
-- comparing them key by key; only the object's JSON is built, once per side, and the unchanged keys
-- are removed from it. The statement is written for the table's columns as they are when it fires
-- (from pg_attribute), so a column added later is audited without touching this function. Each
-- row's canonical content is concatenated as text instead of built as a jsonb array and printed:
-- the same bytes as nadi_audit_content (which `nadi audit verify` uses), at a fraction of the cost.
-- The trail's object index compares bytes (COLLATE "C"): its keys are identifiers, not words to sort.
-- What it bought on `nadi bench import` is in the README.

DROP INDEX audit_event_object_idx;
ALTER TABLE audit_event ALTER COLUMN object_type TYPE text COLLATE "C", ALTER COLUMN object_id TYPE text COLLATE "C";
CREATE INDEX audit_event_object_idx ON audit_event (object_type, object_id, id);

-- The SQL expression naming a row `alias` of `tbl` in the trail: the `cols` values as jsonb's
-- ->> would give them, joined by ':' (nadi_audit_key's form).
CREATE FUNCTION nadi_audit_key_sql(tbl oid, alias text, cols text[]) RETURNS text
LANGUAGE sql STABLE
RETURN (
    SELECT CASE WHEN cardinality(cols) = 1 THEN min(part) ELSE string_agg(format('coalesce(%s, '''')', part), ' || '':'' || ' ORDER BY n) END
    FROM unnest(cols) WITH ORDINALITY AS u(c, n)
    JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c AND a.attnum > 0 AND NOT a.attisdropped
    CROSS JOIN LATERAL (
        SELECT CASE WHEN a.atttypid = 'text'::regtype THEN format('%I.%I', alias, c)
                    ELSE format('(to_jsonb(%I.%I) #>> ''{}'')', alias, c) END AS part
    ) p
);

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
    columns text[];
    region_sql text;
    unchanged text;
    marks_before text := '';
    marks_after text := '';
    nestloop text;
    memory text;
    compiling text := current_setting('jit');
    changes nadi_audit_change[];
    change nadi_audit_change;
    last_id bigint;
    last_hash bytea;
    -- Everything of a row's canonical content that is the same for the whole statement.
    middle text;
    ids bigint[] := '{}';
    hashes bytea[] := '{}';
BEGIN
    -- Compiling these statements (the planner cannot size a transition table, so their estimated
    -- cost always passes jit_above_cost) took longer than running them: 0.43 s of 2.0 s for 100,000 rows.
    PERFORM set_config('jit', 'off', true);
    SELECT array_agg(a.attname::text ORDER BY a.attnum) INTO columns
    FROM pg_attribute a WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped;
    IF TG_OP = 'INSERT' OR TG_OP = 'DELETE' THEN
        EXECUTE format(
            'SELECT array_agg(ROW(%L, k, r, %s, %s)::nadi_audit_change ORDER BY k) '
            'FROM (SELECT %s AS k, %s AS r, to_jsonb(x) - $1 AS j FROM %s x) rows',
            CASE TG_OP WHEN 'INSERT' THEN 'create' ELSE 'delete' END,
            CASE TG_OP WHEN 'INSERT' THEN 'NULL' ELSE 'j' END,
            CASE TG_OP WHEN 'INSERT' THEN 'j' ELSE 'NULL' END,
            nadi_audit_key_sql(TG_RELID, 'x', name_cols),
            CASE WHEN region_col IS NULL THEN 'NULL::text' ELSE format('x.%I::text', region_col) END,
            CASE TG_OP WHEN 'INSERT' THEN 'new_rows' ELSE 'old_rows' END)
        INTO changes USING hidden;
    ELSE
        -- The keys of the columns an update left as they were, and those never recorded.
        SELECT 'ARRAY[' || string_agg(format('CASE WHEN n.%1$I IS NOT DISTINCT FROM o.%1$I THEN %1$L END', c), ', ') || ']::text[] || $1'
        INTO unchanged
        FROM unnest(columns) c WHERE c <> ALL (hidden);
        -- A secret that changed shows as "(secret)" → "(changed)".
        SELECT coalesce(string_agg(format(' || CASE WHEN n.%1$I IS DISTINCT FROM o.%1$I THEN jsonb_build_object(%1$L, ''(secret)'') ELSE ''{}'' END', c), ''), ''),
               coalesce(string_agg(format(' || CASE WHEN n.%1$I IS DISTINCT FROM o.%1$I THEN jsonb_build_object(%1$L, ''(changed)'') ELSE ''{}'' END', c), ''), '')
        INTO marks_before, marks_after
        FROM unnest(secrets) c WHERE c = ANY (columns);
        region_sql := CASE WHEN region_col IS NULL THEN 'NULL::text' ELSE format('coalesce(n.%1$I, o.%1$I)::text', region_col) END;
        -- The planner cannot size a transition table and would nested-loop the pairing of old and
        -- new rows; a hash join takes milliseconds, so nested loops are off for this statement only,
        -- with the memory to hash an import's rows (the default 4 MB spilled 100,000 of them to disk).
        nestloop := current_setting('enable_nestloop');
        memory := current_setting('work_mem');
        PERFORM set_config('enable_nestloop', 'off', true);
        PERFORM set_config('work_mem', '64MB', true);
        EXECUTE format(
            'SELECT array_agg(ROW(''update'', k, r, b, a)::nadi_audit_change ORDER BY k) FROM ('
            '  SELECT k, r, nullif((to_jsonb(o) - u) || mb, ''{}'') AS b, nullif((to_jsonb(n) - u) || ma, ''{}'') AS a FROM ('
            '    SELECT %s AS k, %s AS r, n, o, %s AS u, ''{}''::jsonb%s AS mb, ''{}''::jsonb%s AS ma'
            '    FROM new_rows n JOIN old_rows o ON %s OFFSET 0'
            '  ) paired OFFSET 0'
            ') d WHERE b IS NOT NULL OR a IS NOT NULL',
            nadi_audit_key_sql(TG_RELID, 'n', name_cols), region_sql, unchanged, marks_before, marks_after,
            (SELECT string_agg(format('n.%1$I = o.%1$I', c), ' AND ') FROM unnest(join_cols) c))
        INTO changes USING hidden;
        PERFORM set_config('enable_nestloop', nestloop, true);
        PERFORM set_config('work_mem', memory, true);
    END IF;
    IF changes IS NULL OR cardinality(changes) = 0 THEN
        PERFORM set_config('jit', compiling, true);
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(7016230);
    PERFORM nadi_audit_partition(happened);
    SELECT a.id, a.hash INTO last_id, last_hash FROM audit_event a ORDER BY a.id DESC LIMIT 1;
    last_id := coalesce(last_id, 0);
    last_hash := coalesce(last_hash, ''::bytea);
    -- nadi_audit_content's text, concatenated: [id, micros, actor, address, request_id, action,
    -- object_type, object_id, region, before, after] as jsonb prints an array.
    -- (Expressions spelled out: a function called here would cost a call per row.)
    middle := ', ' || (extract(epoch FROM happened) * 1000000)::bigint::text || ', ' || to_json(who)::text || ', '
              || coalesce(to_json(from_where)::text, 'null') || ', ' || to_json(request)::text || ', '
              || to_json(changes[1].action)::text || ', ' || to_json(object_type)::text || ', ';
    FOREACH change IN ARRAY changes LOOP
        last_id := last_id + 1;
        last_hash := sha256(last_hash || convert_to(
            '[' || last_id::text || middle || to_json(change.object_id)::text || ', '
            || coalesce(to_json(change.region::ltree::text)::text, 'null') || ', '
            || coalesce(change.before::text, 'null') || ', ' || coalesce(change.after::text, 'null') || ']', 'UTF8'));
        ids := ids || last_id;
        hashes := hashes || last_hash;
    END LOOP;
    INSERT INTO audit_event (id, at, actor, address, request_id, action, object_type, object_id, region, before, after, hash)
    SELECT i, happened, who, from_where, request, a, object_type, o, r::ltree, b, f, h
    FROM unnest(ids, changes, hashes) AS v(i, a, o, r, b, f, h);
    PERFORM set_config('jit', compiling, true);
    RETURN NULL;
END
$$;
