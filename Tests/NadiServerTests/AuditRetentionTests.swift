import Foundation
import NadiCore
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

/// `nadi audit prune --retain N` through the built binary: old months go, the chain still verifies
/// from the anchor, and the pruning is itself in the trail.
@Suite("Audit trail retention", .timeLimit(.minutes(3)))
struct AuditRetentionTests {
    @Test("prune drops whole months older than --retain, records who pruned what, and verify walks the chain from the first row kept")
    func pruneAndVerify() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        do {
            try await Self.run(url)
        } catch {
            Issue.record("\(String(reflecting: error))")
        }
    }

    static func run(_ url: DatabaseURL) async throws {
        try await TestClient.with(url) { db in
            // A trail that starts empty (the migrated database's region import is in it): a superuser empties it.
            // (Replica mode: the only way past the trail's guard, and a superuser's alone.)
            _ = try await db.query(
                """
                DO $$ BEGIN
                    SET LOCAL session_replication_role = replica;
                    ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_truncate;
                    TRUNCATE audit_event;
                    ALTER TABLE audit_event ENABLE ALWAYS TRIGGER audit_event_no_truncate;
                END $$
                """)
            // Five rows of an archive from January and February 2023, chained as the trigger chains them.
            _ = try await db.query(
                """
                DO $$
                DECLARE h bytea := ''; t timestamptz; c text;
                BEGIN
                    PERFORM nadi_audit_partition('2023-01-15 00:00+00'), nadi_audit_partition('2023-02-15 00:00+00');
                    FOR i IN 1..5 LOOP
                        t := CASE WHEN i <= 3 THEN timestamptz '2023-01-10 00:00+00' ELSE timestamptz '2023-02-10 00:00+00' END
                             + i * interval '1 hour';
                        c := nadi_audit_content(i, t, 'cli:arsip', NULL, 'old', 'create', 'device', 'OLD-' || i, '16.71'::ltree, NULL,
                                                '{"name": "lama"}'::jsonb);
                        h := sha256(h || convert_to(c, 'UTF8'));
                        INSERT INTO audit_event (id, at, actor, address, request_id, action, object_type, object_id, region, before, after, hash)
                        VALUES (i, t, 'cli:arsip', NULL, 'old', 'create', 'device', 'OLD-' || i, '16.71', NULL, '{"name": "lama"}', h);
                    END LOOP;
                END $$
                """)
            let archived = try await db.query("SELECT id, at::text FROM audit_event ORDER BY id").collect().map {
                try $0.decode((Int64, String).self)
            }
            #expect(archived.map(\.0) == [1, 2, 3, 4, 5], "\(archived)")
            // A change made now, through the CLI.
            let (created, said) = try await NadiCLI.run(["token", "create", "--name", "arsip-baca", "--scope", "read"], on: url)
            #expect(created == 0, "\(said)")
            let before = try await NadiCLI.run(["audit", "verify"], on: url)
            #expect(before.status == 0 && before.output.contains("audit trail intact: 6 rows"), "verify before: \(before.output)")

            let tooShort = try await NadiCLI.run(["audit", "prune", "--retain", "6"], on: url)
            #expect(tooShort.status != 0 && tooShort.output.contains("at least 24 months"), "\(tooShort.output)")
            let pruned = try await NadiCLI.run(["audit", "prune", "--retain", "24"], on: url)
            #expect(pruned.status == 0, "\(pruned.output)")
            #expect(pruned.output.contains("pruned 5 rows (audit_event_y2023m01, audit_event_y2023m02)"), "\(pruned.output)")
            #expect(pruned.output.contains("the chain now starts at row 6"), "\(pruned.output)")
            #expect(try await TestClient.scalar(db, "SELECT count(*)::int8 FROM audit_event WHERE at < '2024-01-01'", as: Int.self) == 0)
            #expect(try await TestClient.scalar(db, "SELECT (to_regclass('audit_event_y2023m01') IS NULL)::int::int8", as: Int.self) == 1)

            let after = try await NadiCLI.run(["audit", "verify"], on: url)
            #expect(after.status == 0, "\(after.output)")
            #expect(after.output.contains("audit trail intact: 2 rows from row 6 (older rows pruned"), "\(after.output)")
            let listed = try await NadiCLI.run(["audit", "--object", "audit", "--format", "json"], on: url)
            let events = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]] ?? []
            #expect(events.count == 1, "\(listed.output)")
            #expect((events.first?["actor"] as? String)?.hasPrefix("cli:") == true)
            let recorded = events.first?["after"] as? [String: Any]
            #expect(recorded?["dropped"] as? Int == 5 && recorded?["first_id"] as? Int == 6, "\(recorded ?? [:])")

            let again = try await NadiCLI.run(["audit", "prune", "--retain", "24"], on: url)
            #expect(again.status == 0 && again.output.contains("nothing older than"), "\(again.output)")
            // A row altered after the pruning is still found.
            _ = try await db.query(
                """
                DO $$ BEGIN
                    SET LOCAL session_replication_role = replica;
                    EXECUTE format('ALTER TABLE %I DISABLE TRIGGER USER',
                                   (SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                                    WHERE i.inhparent = 'audit_event'::regclass ORDER BY c.relname DESC LIMIT 1));
                END $$
                """)
            _ = try await db.query("UPDATE audit_event SET actor = 'cli:someone-else' WHERE id = 6")
            let tampered = try await NadiCLI.run(["audit", "verify"], on: url)
            #expect(tampered.status == 1 && tampered.output.contains("BROKEN at row 6"), "\(tampered.output)")
        }
    }
}
