import Foundation
import Logging
import NadiTestSupport
import PostgresNIO
import ServiceLifecycle
import Testing

@testable import NadiStore

@Suite("Partition upkeep as a service", .timeLimit(.minutes(1)))
struct PartitionKeeperTests {
    static func partitions(_ client: DatabaseClient) async throws -> [String] {
        try await client.query(
            """
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.relname = 'ping' ORDER BY 1
            """
        ).collect().map { try $0.decode(String.self) }
    }

    static func name(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "ping_p%04d%02d%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    @Test(
        "in a service group: yesterday to three days ahead are made, a day past the retention is dropped, the writer's days learn them, and graceful shutdown ends the wait for the next round"
    )
    func keepsAndStops() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            let old = Date().addingTimeInterval(-200 * 86_400)
            _ = try await client.query("SELECT nadi_ensure_ping_partition((\(old) AT TIME ZONE 'UTC')::date)")
            #expect(try await Self.partitions(client).contains(Self.name(old)))
            var configuration = PingWriterConfiguration()
            configuration.retentionDays = 90
            let days = PartitionDays()
            let keeper = PartitionKeeper(client: client, days: days, configuration: configuration, logger: TestCluster.quietLogger)
            let group = ServiceGroup(services: [keeper], gracefulShutdownSignals: [], logger: TestCluster.quietLogger)
            let wanted = (-1...3).map { Self.name(Date().addingTimeInterval(Double($0) * 86_400)) }
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let seen = try await eventually("the keeper made the days and dropped the old one") {
                    try await Self.partitions(client)
                } until: {
                    Set(wanted).isSubset(of: $0) && !$0.contains(Self.name(old))
                }
                #expect(!seen.contains(Self.name(old)))
                let today = Int64(floor(Date().timeIntervalSince1970 / 86_400))
                #expect(days.contains(today + 3) && !days.contains(today - 200), "the days the writer will not ask for again")
                let asked = ContinuousClock.now
                await group.triggerGracefulShutdown()
                try await tasks.next()
                #expect(ContinuousClock.now - asked < .seconds(5), "not after the hour's wait")
            }
        }
    }
}
