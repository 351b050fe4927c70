import Foundation
import NadiCore
import NadiLauncher
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// Camera picture checks through the built `nadid`, against real streams from GStreamer's RTSP
/// server (MJPEG, as many cameras send), decoded by Debian's FFmpeg; ICMP through Debian's fping.
@Suite("Camera picture health and ICMP against real peers", .serialized)
struct PictureCheckTests {
    /// The newest ping of `device` that carries a picture verdict or a probe outcome matching `status`.
    static func waitForPing(
        _ device: String, status: String, metric: String? = nil, reasonContaining: String? = nil, client: DatabaseClient,
        timeout: Duration = .seconds(60)
    ) async throws -> (status: String, reason: String?, metrics: [String: JSONValue])? {
        let deadline = ContinuousClock.now + timeout
        var last = "no ping"
        while ContinuousClock.now < deadline {
            let rows = try await client.query(
                """
                SELECT p.status, p.reason, coalesce(p.metrics::text, '{}') FROM ping p JOIN device d ON d.id = p.device_id
                WHERE d.external_id = \(device) AND p.status = \(status) AND (\(metric)::text IS NULL OR p.metrics ? \(metric))
                  AND (\(reasonContaining)::text IS NULL OR strpos(p.reason, \(reasonContaining)) > 0)
                ORDER BY p.observed_at DESC LIMIT 1
                """
            ).collect()
            if let row = rows.first, let ping = try? row.decode((String, String?, String).self) {
                let metrics = (try? JSONDecoder().decode([String: JSONValue].self, from: Data(ping.2.utf8))) ?? [:]
                return (ping.0, ping.1, metrics)
            }
            last = "\(rows.count) rows"
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("no \(status) ping of \(device) with \(metric ?? "any metrics") within \(timeout): \(last)")
        return nil
    }

    @Test(
        "pictures: moving → up, black → image_black, still → image_frozen, blurred → image_blurred, wrong credentials and a stopped server → down with the reason; only numbers are written; ICMP loss and RTT"
    )
    func pictures() async throws {
        let stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-picture-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: stateDir) }
        let cluster = EmbeddedPostgres(
            stateDirectory: stateDir, installation: try await PostgresInstallation.locate(), durable: false,
            logger: TestCluster.quietLogger)
        _ = try await cluster.start()
        do {
            try await Self.check(cluster: cluster, dataDirectory: stateDir)
        } catch {
            try? await cluster.stop()
            throw error
        }
        try await cluster.stop()
    }

    static func check(cluster: EmbeddedPostgres, dataDirectory: URL) async throws {
        let rtspPort = ChildProcess.freePort()
        let authPort = ChildProcess.freePort()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/rtsp_server.py")
        let server = try SpawnedProcess(executable: "/usr/bin/python3", arguments: [script.path, String(rtspPort), String(authPort)])
        defer {
            server.terminate()
            unlink(server.logPath)
        }
        for _ in 0..<100 where !server.output.contains("ready") { try await Task.sleep(for: .milliseconds(100)) }
        try #require(server.output.contains("ready"), "the RTSP server did not start: \(server.output)")

        let port = ChildProcess.freePort()
        let daemon = try ChildProcess(
            product: "nadid",
            arguments: ["--port", String(port), "--log-level", "trace", "--probe-allow", "127.0.0.0/8", "--image-checks-at-once", "2"],
            environment: ["NADI_DATABASE_URL": cluster.url.connectionString])
        defer { daemon.send(SIGKILL) }
        let base = URL(string: "http://127.0.0.1:\(port)") ?? URL(fileURLWithPath: "/")
        try await Daemon.waitUntilReady(daemon, port: port)
        let token = try await Daemon.seed(cluster: cluster, devices: 0, base: base)
        let password = "pw-\(UUID().uuidString.prefix(8))"
        let closed = ChildProcess.freePort()
        func camera(_ id: String, _ url: String) -> String {
            """
            {"id":"\(id)","kind":"cctv","region":"16","name":"\(id)","installed":"2025-01-01","interval_s":2,
             "attributes":{"stream_url":"\(url)","image_check":{"every_s":60,"sample_s":3}}}
            """
        }
        let devices = [
            camera("PIC-BALL", "rtsp://127.0.0.1:\(rtspPort)/ball"), camera("PIC-BLACK", "rtsp://127.0.0.1:\(rtspPort)/black"),
            camera("PIC-STILL", "rtsp://127.0.0.1:\(rtspPort)/still"), camera("PIC-BLUR", "rtsp://127.0.0.1:\(rtspPort)/blur"),
            camera("PIC-AUTH", "rtsp://viewer:\(password)@127.0.0.1:\(authPort)/secure"),
            camera("PIC-GOOD-AUTH", "rtsp://viewer:s3cret@127.0.0.1:\(authPort)/secure"),
            camera("PIC-GONE", "rtsp://127.0.0.1:\(closed)/none"),
            """
            {"id":"ICMP-LO","kind":"videotron","region":"16","name":"lo","installed":"2025-01-01","interval_s":2,
             "attributes":{"size_m2":4,"probe":{"icmp":"127.0.0.1","timeout_ms":500}}}
            """,
            """
            {"id":"ICMP-NONE","kind":"attendance","region":"16","name":"none","installed":"2025-01-01","interval_s":2,
             "attributes":{"serial":"ICMPNONE1","probe":{"icmp":"240.0.0.1","timeout_ms":300}}}
            """,
        ]
        let (status, body) = await Daemon.post(
            base.appendingPathComponent("v1/inventory"), token: token, body: "[" + devices.joined(separator: ",") + "]")
        #expect(status == 200, "\(String(decoding: body, as: UTF8.self))")

        try await TestClient.with(cluster.url) { client in
            let good = try await waitForPing("PIC-BALL", status: "up", metric: "fps", client: client)
            #expect((good?.metrics["fps"]?.numberValue ?? 0) > 8, "12 fps stream: \(good?.metrics ?? [:])")
            #expect((good?.metrics["bitrate_kbps"]?.numberValue ?? 0) > 0)
            #expect(Set(good?.metrics.keys.map { $0 } ?? []) == ["fps", "bitrate_kbps", "black_pct", "frozen_s", "blur"])
            let black = try await waitForPing("PIC-BLACK", status: "degraded", metric: "black_pct", client: client)
            #expect(black?.reason == "image_black" && (black?.metrics["black_pct"]?.numberValue ?? 0) >= 95, "\(black?.metrics ?? [:])")
            let still = try await waitForPing("PIC-STILL", status: "degraded", metric: "frozen_s", client: client)
            #expect(still?.reason == "image_frozen", "\(still?.metrics ?? [:])")
            let blur = try await waitForPing("PIC-BLUR", status: "degraded", metric: "blur", client: client)
            #expect(blur?.reason == "image_blurred", "\(blur?.metrics ?? [:])")
            let auth = try await waitForPing("PIC-AUTH", status: "down", client: client)
            #expect(auth?.reason == "no frame: credentials refused")
            #expect(try await waitForPing("PIC-GOOD-AUTH", status: "up", metric: "fps", client: client) != nil)
            let gone = try await waitForPing("PIC-GONE", status: "down", client: client)
            #expect(gone?.reason?.contains("connection refused") == true, "\(gone?.reason ?? "")")
            let echo = try await waitForPing("ICMP-LO", status: "up", metric: "rtt_ms", client: client)
            #expect(echo?.metrics["loss_pct"]?.numberValue == 0)
            let lost = try await waitForPing("ICMP-NONE", status: "down", client: client)
            #expect(lost?.metrics["loss_pct"]?.numberValue == 100 && lost?.reason == "icmp probe: no echo reply")

            // The frozen camera's state stays degraded between samples: its probe pings carry the verdict.
            try await staysTrue("the frozen camera stays degraded (image_frozen)", for: .seconds(5), every: .milliseconds(500)) {
                try await client.query(
                    "SELECT s.status || '/' || coalesce(s.reason, '') FROM device_state s JOIN device d ON d.id = s.device_id WHERE d.external_id = 'PIC-STILL'"
                ).collect().first?.decode(String.self) ?? "no state"
            } holds: {
                $0 == "degraded/image_frozen"
            }

            // The server stops: the camera goes down, and once the port is closed its probes say why.
            // (A probe connected while the server was exiting reads "connection reset" first.)
            server.terminate()
            _ = await server.wait(timeout: .seconds(10))
            let stopped = try await waitForPing("PIC-BALL", status: "down", reasonContaining: "connection refused", client: client)
            #expect(stopped?.reason?.hasPrefix("rtsp probe: ") == true, "\(stopped?.reason ?? "")")

            // Nothing but numbers: no metrics key beyond the picture's numbers, no reason with the password.
            let keys = try await client.query("SELECT DISTINCT jsonb_object_keys(metrics) FROM ping WHERE metrics IS NOT NULL").collect()
                .compactMap { try? $0.decode(String.self) }
            #expect(Set(keys).isSubset(of: ["fps", "bitrate_kbps", "black_pct", "frozen_s", "blur", "loss_pct", "rtt_ms"]), "\(keys)")
        }
        daemon.send(SIGTERM)
        if await daemon.wait(timeout: .seconds(20)) == nil { daemon.send(SIGKILL) }
        let log = daemon.output
        #expect(!log.contains(password), "the stream password reached the log")
        #expect(!log.contains("JFIF") && !log.contains("\u{FF}\u{D8}"), "picture bytes reached the log")
        // No picture on disk: no JPEG/PNG signature in any file of the data directory, no file named like a frame.
        var pictures: [String] = []
        let jpeg = Data([0xFF, 0xD8, 0xFF])
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        if let files = FileManager.default.enumerator(at: dataDirectory, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let file as URL in files where (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                guard let data = try? Data(contentsOf: file) else { continue }
                if data.range(of: Data("JFIF".utf8)) != nil || data.starts(with: jpeg) || data.range(of: png) != nil {
                    pictures.append(file.path)
                }
                if ["jpg", "jpeg", "png", "ppm", "bmp"].contains(file.pathExtension.lowercased()) { pictures.append(file.path) }
            }
        }
        #expect(pictures.isEmpty, "picture data in the data directory: \(pictures)")
    }
}
