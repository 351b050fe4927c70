import Foundation
import HTTPTypes
import HummingbirdTesting
import NadiCore
import NadiLauncher
import NadiServer
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The pollers against real peers from Debian's packages: net-snmp's snmpd and GStreamer's RTSP
/// server, started by the tests on loopback.
@Suite("Device adapters against real peers", .serialized)
struct AdapterTests {
    static func run(_ tool: String, _ arguments: [String]) async throws {
        let process = try SpawnedProcess(executable: tool, arguments: arguments)
        defer {
            process.terminate()
            unlink(process.logPath)
        }
        let status = await process.wait(timeout: .seconds(30))
        guard status == 0 else { throw ChildProcessError(description: "\(tool) \(arguments.joined(separator: " ")): \(process.output)") }
    }

    /// The newest ping of `device` once it has `status` (waits up to `timeout`).
    static func waitForPing(
        _ device: String, status: String, client: DatabaseClient, timeout: Duration = .seconds(30)
    ) async throws -> (status: String, reason: String?, metrics: String?)? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let rows = try await client.query(
                """
                SELECT p.status, p.reason, p.metrics::text FROM ping p JOIN device d ON d.id = p.device_id
                WHERE d.external_id = \(device) ORDER BY p.observed_at DESC LIMIT 1
                """
            ).collect()
            if let row = rows.first, let ping = try? row.decode((String, String?, String?).self), ping.0 == status { return ping }
            try await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }

    @Test("SNMP: the poller reads a real snmpd's interface table, and the ping follows the interface going down")
    func snmp() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-snmp-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = ChildProcess.freePort()
        let community = "nadi-\(UUID().uuidString.prefix(8))"
        let config = directory.appendingPathComponent("snmpd.conf")
        try "agentAddress udp:127.0.0.1:\(port)\nrocommunity \(community) 127.0.0.1\n".write(to: config, atomically: true, encoding: .utf8)
        let snmpd = try SpawnedProcess(executable: "/usr/sbin/snmpd", arguments: ["-f", "-Lo", "-C", "-c", config.path])
        defer {
            snmpd.terminate()
            unlink(snmpd.logPath)
        }
        // A veth pair: one end is the "switch port" the fiber link hangs on.
        let name = "nd\(UUID().uuidString.prefix(6).lowercased())"
        try await Self.run("/usr/sbin/ip", ["link", "add", name + "a", "type", "veth", "peer", "name", name + "b"])
        defer { _ = try? SpawnedProcess(executable: "/usr/sbin/ip", arguments: ["link", "del", name + "a"]) }
        try await Self.run("/usr/sbin/ip", ["link", "set", name + "a", "up"])
        try await Self.run("/usr/sbin/ip", ["link", "set", name + "b", "up"])
        let ifIndex = try #require(
            Int(String(contentsOfFile: "/sys/class/net/\(name)a/ifindex", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))

        try await NadiTestApp.run(configure: {
            $0.pollerReload = .seconds(1)
            $0.probePolicy = ProbeAddressPolicy(allowed: [ProbeAddressPolicy.Range("127.0.0.0/8")].compactMap { $0 })
        }) { app, http, client in
            let devices = """
                [{"id":"PLG-FO-SNMP","kind":"fiber_link","region":"16.71","name":"Ring B","installed":"2025-01-01","interval_s":1,
                  "attributes":{"length_km":4,"a_end":"POP A","z_end":"POP C","snmp":{"host":"127.0.0.1","port":\(port),"community":"\(community)","if_index":\(ifIndex)}}},
                 {"id":"PLG-FO-WRONG","kind":"fiber_link","region":"16.71","name":"Ring C","installed":"2025-01-01","interval_s":1,
                  "attributes":{"length_km":4,"a_end":"POP A","z_end":"POP D","snmp":{"host":"127.0.0.1","port":\(port),"community":"not-\(community)","if_index":\(ifIndex)}}}]
                """
            #expect(try Outcome(try await http.post("/v1/inventory", token: app.admin, json: devices)).accepted == 2)
            let up = try #require(
                try await Self.waitForPing("PLG-FO-SNMP", status: "up", client: client), "snmpd output: \(snmpd.output.suffix(500))")
            #expect(up.metrics?.contains(#""if_oper_status": 1"#) == true, "\(up.metrics ?? "")")

            try await Self.run("/usr/sbin/ip", ["link", "set", name + "a", "down"])
            // snmpd answers ifTable from a cache it refreshes every few seconds (net-snmp's default
            // for IF-MIB), and the suite loads both cores: give the change time to show.
            let down = try #require(try await Self.waitForPing("PLG-FO-SNMP", status: "down", client: client, timeout: .seconds(60)))
            #expect(down.reason?.contains("ifOperStatus 2") == true, "\(down.reason ?? "")")
            #expect(try await state(of: "PLG-FO-SNMP", client).status == "down")

            let wrong = try await client.query(
                "SELECT count(*)::int8 FROM ping p JOIN device d ON d.id = p.device_id WHERE d.external_id = 'PLG-FO-WRONG'"
            ).collect().first?.decode(Int64.self)
            #expect(wrong == 0, "a wrong community gets no answer, so no ping: silence does the rest")
        }
    }

    @Test(
        "probes: RTSP OPTIONS to GStreamer's RTSP server, then the server stops and the camera goes down; HTTP GET; no credentials in reasons"
    )
    func probes() async throws {
        let port = ChildProcess.freePort()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/rtsp_server.py")
        let server = try SpawnedProcess(executable: "/usr/bin/python3", arguments: [script.path, String(port)])
        defer {
            server.terminate()
            unlink(server.logPath)
        }
        for _ in 0..<100 where !server.output.contains("ready") { try await Task.sleep(for: .milliseconds(100)) }
        try #require(server.output.contains("ready"), "the RTSP server did not start: \(server.output)")

        try await NadiTestApp.run(configure: {
            $0.pollerReload = .seconds(1)
            $0.probePolicy = ProbeAddressPolicy(allowed: [ProbeAddressPolicy.Range("127.0.0.0/8")].compactMap { $0 })
        }) { app, http, client in
            let appPort = try #require(http.port)
            let devices = """
                [{"id":"PLG-CCTV-RTSP","kind":"cctv","region":"16.71","name":"Simpang RTSP","installed":"2025-01-01","interval_s":1,
                  "attributes":{"stream_url":"rtsp://127.0.0.1:\(port)/cam1","probe":{"url":"rtsp://viewer:s3cret-pass@127.0.0.1:\(port)/cam1","timeout_ms":1500}}},
                 {"id":"PLG-VT-HTTP","kind":"videotron","region":"16.71","name":"Videotron HTTP","installed":"2025-01-01","interval_s":1,
                  "attributes":{"size_m2":20,"probe":{"url":"http://127.0.0.1:\(appPort)/healthz"}}}]
                """
            #expect(try Outcome(try await http.post("/v1/inventory", token: app.admin, json: devices)).accepted == 2)
            #expect(try await Self.waitForPing("PLG-CCTV-RTSP", status: "up", client: client) != nil, "RTSP OPTIONS answered 200")
            #expect(try await Self.waitForPing("PLG-VT-HTTP", status: "up", client: client) != nil, "HTTP GET answered 200")

            server.terminate()
            _ = await server.wait(timeout: .seconds(10))
            let down = try #require(try await Self.waitForPing("PLG-CCTV-RTSP", status: "down", client: client))
            #expect(down.reason?.contains("rtsp probe") == true, "\(down.reason ?? "")")
            #expect(down.reason?.contains("s3cret") == false)
            #expect(try await state(of: "PLG-CCTV-RTSP", client).status == "down")
        }
    }
}
