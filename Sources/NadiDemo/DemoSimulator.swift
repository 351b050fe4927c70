import Foundation
import Logging
import NadiCore
import ServiceLifecycle

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Plays the demo city's devices: posts their pings to nadid over HTTP (NDJSON, the demo token),
/// first six hours of history as a late upload, then live every few seconds. Some devices are
/// flaky, some go silent after a while, some never speak.
struct DemoSimulator: Service {
    let baseURL: URL
    let token: String
    let devices: [DemoCity.Profile]
    let backfill: Bool
    let adapters: DemoAdapters
    let logger: Logger

    func run() async throws {
        try await Task.sleep(for: .seconds(1))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await adapters.run() }
            group.addTask { try await simulate() }
            try await group.waitForAll()
        }
    }

    private func simulate() async throws {
        let started = Date()
        if backfill {
            var lines: [String] = []
            for step in stride(from: 6 * 3600, to: 0, by: -60) {
                let at = started.addingTimeInterval(-Double(step))
                for (number, device) in devices.enumerated() {
                    if let line = ping(device, number: number, at: at, elapsed: 0) { lines.append(line) }
                    if lines.count == 2000 {
                        await post(lines)
                        lines.removeAll(keepingCapacity: true)
                    }
                }
            }
            await post(lines)
            logger.info("demo: six hours of history uploaded")
        }
        while !Task.isShuttingDownGracefully {
            let now = Date()
            let lines = devices.enumerated().compactMap { ping($1, number: $0, at: now, elapsed: now.timeIntervalSince(started)) }
            await post(lines)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(60)) }
        }
    }

    private func ping(_ device: DemoCity.Profile, number: Int, at: Date, elapsed: TimeInterval) -> String? {
        let minute = Int(at.timeIntervalSince1970 / 60)
        var status = "up"
        // The cut link is down 10 minutes in every 30; everything behind it is dark meanwhile.
        let cut = (10..<20).contains(minute % 30)
        if cut, device.upstream == DemoCity.cutLink { return nil }
        switch device.behaviour {
        case .cutEvery30Minutes:
            if cut { status = "down" }
        case .neverSeen: return nil
        case .goesSilent where elapsed > 120: return nil
        case .flaky:
            let phase = (minute + number * 7) % 90
            if phase < 12 { status = "down" } else if phase < 20 { status = "degraded" }
        case .frozenPicture, .blackPicture:
            status = "degraded"
        default:
            if (minute + number) % 240 == 0 { status = "degraded" }
        }
        if device.behaviour == .flaky, (minute + number) % 90 == 50 { return nil }  // a missed beat now and then
        let metrics: String
        let wobble = Double((minute * 31 + number * 17) % 100) / 100
        switch device.deviceID {
        case let id where id.hasPrefix("PLG-FO"): metrics = #"{"rx_dbm":\#(-17 - wobble * 3),"if_in_errors":\#(minute % 7)}"#
        case let id where id.hasPrefix("PLG-VT"):
            metrics = #"{"temperature_c":\#(38 + wobble * 9),"brightness_pct":\#(70 + Int(wobble * 30))}"#
        case let id where id.hasPrefix("PLG-ATT"): metrics = #"{"records_today":\#(minute % 300)}"#
        default: metrics = #"{"bitrate_kbps":\#(1800 + Int(wobble * 900)),"fps":\#(status == "down" ? 0 : 25)}"#
        }
        let latency = 8 + wobble * 40
        let picture: String
        switch device.behaviour {
        case .frozenPicture:
            picture =
                #","reason":"image_frozen","metrics":{"fps":25,"bitrate_kbps":\#(300 + Int(wobble * 40)),"black_pct":0,"frozen_s":5,"blur":3.1}"#
        case .blackPicture:
            picture = #","reason":"image_black","metrics":{"fps":25,"bitrate_kbps":\#(90 + Int(wobble * 20)),"black_pct":100,"frozen_s":5}"#
        default:
            picture = #","metrics":\#(metrics)"#
        }
        return
            #"{"device":"\#(device.deviceID)","at":"\#(Timestamp.format(at))","status":"\#(status)","latency_ms":\#(latency)\#(picture)}"#
    }

    private func post(_ lines: [String]) async {
        guard !lines.isEmpty else { return }
        var request = URLRequest(url: baseURL.appendingPathComponent("v1/pings"))
        request.httpMethod = "POST"
        request.setValue("application/x-ndjson", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.httpBody = Data(lines.joined(separator: "\n").utf8)
        for attempt in 1...5 {
            do {
                let (_, response) = try await URLSession.shared.data(for: request)
                if let http = response as? HTTPURLResponse, http.statusCode == 200 { return }
                logger.warning(
                    "demo: ping upload not accepted", metadata: ["http.status": "\((response as? HTTPURLResponse)?.statusCode ?? 0)"])
            } catch {
                logger.debug("demo: ping upload failed", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
            }
            try? await Task.sleep(for: .seconds(2))
        }
    }
}
