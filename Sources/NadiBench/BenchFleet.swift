package import NIOCore
package import NadiCore
import NadiStore

/// A synthetic but realistic fleet for `nadi bench ingest`: all four kinds spread over real
/// kecamatan, each ping carrying the metrics its kind reports.
package struct BenchFleet: Sendable {
    /// One device of the fleet.
    package struct Device: Sendable {
        package var externalID: String
        package var kind: DeviceKind
        package var region: String
    }

    /// One ping, in the form both loaders (nadid over HTTP, COPY) are given.
    package struct Ping: Sendable {
        package var device: Int32
        package var observedMicros: Int64
        package var status: PingStatus
        package var latencyMs: Double
        package var metricsJSON: String
    }

    /// Seconds between heartbeats of every bench device; long enough that no device goes silent
    /// between rounds, so the sweeper's work is not part of the figure.
    package static let intervalSeconds = 300

    package let devices: [Device]

    /// `count` devices over `districts` (kecamatan codes), in the proportions a masterplan rollout
    /// has: half CCTV, a fifth fiber links, a fifth attendance devices, a tenth videotrons.
    package init(count: Int, districts: [String]) {
        precondition(!districts.isEmpty, "the fleet needs at least one kecamatan")
        devices = (0..<count).map { number in
            let kind: DeviceKind
            switch number % 10 {
            case 0...4: kind = .cctv
            case 5, 6: kind = .fiberLink
            case 7, 8: kind = .attendance
            default: kind = .videotron
            }
            // Spread devices over districts with a stride so neighbours land in different regencies.
            let district = districts[(number &* 7919) % districts.count]
            return Device(externalID: "BENCH-\(number)", kind: kind, region: district)
        }
    }

    /// The fleet as `POST /v1/inventory` JSON arrays of at most `chunk` devices.
    package func inventoryBodies(chunk: Int) -> [ByteBuffer] {
        stride(from: 0, to: devices.count, by: chunk).map { start in
            var buffer = ByteBuffer()
            buffer.writeString("[")
            for index in start..<min(start + chunk, devices.count) {
                if index > start { buffer.writeString(",") }
                buffer.writeString(inventoryRecord(devices[index], number: index))
            }
            buffer.writeString("]")
            return buffer
        }
    }

    private func inventoryRecord(_ device: Device, number: Int) -> String {
        let attributes: String
        switch device.kind {
        case .fiberLink: attributes = #"{"length_km":\#(1 + number % 40),"a_end":"POP-\#(number % 97)","z_end":"ODP-\#(number)"}"#
        case .cctv:
            attributes =
                #"{"stream_url":"rtsp://10.\#(number % 250).\#(number % 200).\#(1 + number % 250)/stream1","public":\#(number % 3 == 0)}"#
        case .videotron: attributes = #"{"size_m2":\#(12 + number % 30)}"#
        case .attendance: attributes = #"{"serial":"BENCH\#(String(number, radix: 16, uppercase: true))"}"#
        }
        return
            #"{"id":"\#(device.externalID)","kind":"\#(device.kind.rawValue)","region":"\#(device.region)","name":"Bench \#(device.kind.rawValue) \#(number)","installed":"2025-01-01","interval_s":\#(Self.intervalSeconds),"attributes":\#(attributes)}"#
    }

    /// `perDevice` pings for every device, one step after another (each step: every device once,
    /// the way a crowd of agents reports), observed in the `perDevice` × 10 ms before `endMicros`.
    /// A device's status changes every `changeEvery` of its pings (down, up, degraded, up, …; devices
    /// offset from one another), so state changes are part of the load at a chosen rate.
    package func pings(perDevice: Int, endMicros: Int64, round: Int, changeEvery: Int = 30) -> [Ping] {
        let every = max(1, changeEvery)
        var pings: [Ping] = []
        pings.reserveCapacity(devices.count * perDevice)
        for step in 0..<perDevice {
            let observed = endMicros - Int64(perDevice - step) * 10_000
            for (number, device) in devices.enumerated() {
                let wobble = Double((number &* 31 &+ step &* 17 &+ round &* 13) % 100) / 100
                let segment = (number &+ step &+ round &* perDevice) / every
                let status: PingStatus = segment % 4 == 0 ? .down : (segment % 4 == 2 ? .degraded : .up)
                let metrics: String
                switch device.kind {
                case .fiberLink:
                    metrics = #"{"rx_dbm":\#(-(17 + (wobble * 60).rounded() / 10)),"if_in_errors":\#(step % 7)}"#
                case .cctv: metrics = #"{"bitrate_kbps":\#(1800 + Int(wobble * 900)),"fps":\#(status == .down ? 0 : 25)}"#
                case .videotron:
                    metrics = #"{"temperature_c":\#(38 + (wobble * 90).rounded() / 10),"brightness_pct":\#(70 + Int(wobble * 30))}"#
                case .attendance: metrics = #"{"records_today":\#(number % 300)}"#
                }
                pings.append(
                    Ping(
                        device: Int32(number), observedMicros: observed - Int64(number % 1000), status: status,
                        latencyMs: 8 + (wobble * 400).rounded() / 10, metricsJSON: metrics))
            }
        }
        return pings
    }

    /// The pings as NDJSON bodies of `batch` lines each.
    package func ndjsonBodies(_ pings: [Ping], batch: Int) -> [ByteBuffer] {
        stride(from: 0, to: pings.count, by: batch).map { start in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(batch * 150)
            for ping in pings[start..<min(start + batch, pings.count)] {
                writeRecord(ping, to: &buffer)
                buffer.writeString("\n")
            }
            return buffer
        }
    }

    /// The pings as JSON-array bodies of `batch` elements each (the same records as `ndjsonBodies`).
    package func jsonArrayBodies(_ pings: [Ping], batch: Int) -> [ByteBuffer] {
        stride(from: 0, to: pings.count, by: batch).map { start in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(batch * 150)
            buffer.writeString("[")
            for (offset, ping) in pings[start..<min(start + batch, pings.count)].enumerated() {
                if offset > 0 { buffer.writeString(",\n") }
                writeRecord(ping, to: &buffer)
            }
            buffer.writeString("]\n")
            return buffer
        }
    }

    /// One ping as the JSON object an agent sends.
    private func writeRecord(_ ping: Ping, to buffer: inout ByteBuffer) {
        buffer.writeString(#"{"device":"\#(devices[Int(ping.device)].externalID)","at":""#)
        buffer.writeString(Timestamp.rfc3339(microseconds: ping.observedMicros))
        buffer.writeString(#"","status":"\#(ping.status.rawValue)","latency_ms":\#(ping.latencyMs),"metrics":"#)
        buffer.writeString(ping.metricsJSON)
        buffer.writeString("}")
    }

    /// `pings` with one in every `every` moved to the end, so each of those arrives after a newer ping
    /// of its device was stored: late and out of order, the writer re-cuts that device's intervals
    /// from history. `every` nil keeps the order.
    package static func delaying(_ pings: [Ping], every: Int?) -> [Ping] {
        guard let every, every > 0 else { return pings }
        var onTime: [Ping] = []
        var late: [Ping] = []
        onTime.reserveCapacity(pings.count)
        for (index, ping) in pings.enumerated() {
            if index % every == every / 2 { late.append(ping) } else { onTime.append(ping) }
        }
        return onTime + late
    }

    /// The same pings as COPY text rows of the `ping` table's columns, given each device's row id.
    package func copyChunks(_ pings: [Ping], ids: [Int64], rowsPerChunk: Int = 5000) -> [ByteBuffer] {
        stride(from: 0, to: pings.count, by: rowsPerChunk).map { start in
            var buffer = ByteBuffer()
            for ping in pings[start..<min(start + rowsPerChunk, pings.count)] {
                let device = devices[Int(ping.device)]
                CopyText.append(
                    ResolvedPing(
                        deviceID: ids[Int(ping.device)], kind: device.kind, observedMicros: ping.observedMicros, status: ping.status,
                        latencyMs: ping.latencyMs, metricsJSON: ping.metricsJSON, intervalSeconds: Self.intervalSeconds),
                    to: &buffer)
            }
            return buffer
        }
    }
}
