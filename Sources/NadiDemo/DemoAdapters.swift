import Foundation
import Logging
import ServiceLifecycle

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The demo's devices that speak for themselves: a ZKTeco attendance machine talking PUSH to
/// `/iclock`, a videotron whose controller is probed over HTTP (nadid's own /healthz stands in for
/// it), and — when `Deploy/demo.sh` started a private snmpd — a fiber link polled over SNMP.
struct DemoAdapters: Sendable {
    static let serial = "NADIDEMO0001"

    let baseURL: URL
    let token: String
    /// `host:port:community` of a local snmpd, if one runs.
    let snmp: String?
    let logger: Logger

    /// The adapter devices, as `POST /v1/inventory` takes them.
    var inventory: String {
        var devices = [
            #"{"id":"PLG-ATT-ZK1","kind":"attendance","region":"16.71.01","name":"Mesin absensi Kantor Camat Ilir Barat II","installed":"2025-01-01","interval_s":30,"attributes":{"serial":"\#(Self.serial)","model":"ZKTeco (PUSH)"}}"#,
            #"{"id":"PLG-VT-PROBE","kind":"videotron","region":"16.71.02","name":"Videotron Bundaran Air Mancur (HTTP probe)","installed":"2025-01-01","interval_s":30,"attributes":{"size_m2":24,"probe":{"url":"\#(baseURL.absoluteString)/healthz","timeout_ms":2000}}}"#,
        ]
        let parts = snmp?.split(separator: ":", maxSplits: 2).map(String.init) ?? []
        if parts.count == 3, let port = Int(parts[1]) {
            devices.append(
                #"{"id":"PLG-FO-SNMP","kind":"fiber_link","region":"16.71","name":"Backbone POP Kantor Walikota (SNMP)","installed":"2025-01-01","interval_s":30,"attributes":{"length_km":2.5,"a_end":"POP Walikota","z_end":"ODC 12","snmp":{"host":"\#(parts[0])","port":\#(port),"community":"\#(parts[2])","if_index":1}}}"#
            )
        }
        return "[" + devices.joined(separator: ",") + "]"
    }

    func run() async {
        await send("POST", "v1/inventory", body: inventory, contentType: "application/json", bearer: true)
        // The ZKTeco session: handshake, then a poll every Delay seconds, an ATTLOG upload now and then.
        await send("GET", "iclock/cdata?SN=\(Self.serial)&options=all&pushver=2.4.1&language=69")
        var polls = 0
        while !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(30)) }
            guard !Task.isShuttingDownGracefully else { break }
            polls += 1
            if polls % 10 == 0 {
                // Content is made up here, and nadid stores none of it anyway: it only counts the lines.
                let now = Date()
                let lines = (0..<3).map { "\(9000 + $0)\t\(Self.deviceTime(now))\t0\t1\t0\t0\t0" }.joined(separator: "\n") + "\n"
                await send("POST", "iclock/cdata?SN=\(Self.serial)&table=ATTLOG&Stamp=9999", body: lines, contentType: "text/plain")
            } else {
                await send("GET", "iclock/getrequest?SN=\(Self.serial)")
            }
        }
    }

    static func deviceTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "Asia/Jakarta")
        return formatter.string(from: date)
    }

    private func send(_ method: String, _ path: String, body: String? = nil, contentType: String? = nil, bearer: Bool = false) async {
        guard let url = URL(string: path, relativeTo: baseURL.appendingPathComponent("/")) else { return }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        if bearer { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        request.setValue("iClock Proxy/1.09", forHTTPHeaderField: "User-Agent")
        request.httpBody = body.map { Data($0.utf8) }
        do {
            let (_, response) = try await URLSession.shared.data(for: request)
            if let status = (response as? HTTPURLResponse)?.statusCode, status != 200 {
                logger.warning("demo adapter request not accepted", metadata: ["path": "\(url.path)", "http.status": "\(status)"])
            }
        } catch {
            logger.debug("demo adapter request failed", metadata: ["path": "\(url.path)"])
        }
    }
}
