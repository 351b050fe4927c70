-- Nadi schema, part 25: pruning the audit trail (DESIGN.md, "Trust in the numbers": kept forever by
-- default; `--retain` to prune, itself recorded).
--
-- `nadi audit prune --retain N` drops whole monthly partitions older than N months. Before it does,
-- it writes an anchor: the first row kept and the hash of the last row dropped, so `nadi audit
-- verify` walks the chain on from there. The anchor is append-only like the trail and is itself
-- recorded in it (object type 'audit'): who pruned, when, how many rows, which months.
CREATE TABLE audit_anchor (
    id          serial PRIMARY KEY,
    first_id    bigint NOT NULL,
    previous    bytea NOT NULL,
    dropped     bigint NOT NULL,
    partitions  text[] NOT NULL,
    before_time timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER audit_anchor_append_only BEFORE UPDATE OR DELETE ON audit_anchor FOR EACH ROW EXECUTE FUNCTION nadi_audit_refuse();
CREATE TRIGGER audit_anchor_no_truncate BEFORE TRUNCATE ON audit_anchor FOR EACH STATEMENT EXECUTE FUNCTION nadi_audit_refuse();
ALTER TABLE audit_anchor ENABLE ALWAYS TRIGGER audit_anchor_append_only;
ALTER TABLE audit_anchor ENABLE ALWAYS TRIGGER audit_anchor_no_truncate;
SELECT nadi_audit_attach('audit_anchor', 'audit', 'id', 'id', '', '');
