import Foundation
import NIOCore
import NIOPosix
import NadiCore
import NadiSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Checks that a camera or videotron answers: an RTSP `OPTIONS` (expects `RTSP/1.0 200`), an HTTP
/// `GET` (expects 2xx or 3xx), or a bare TCP connect. Reasons never carry the URL's credentials.
struct Prober: Sendable {
    /// What a probe found.
    struct Outcome: Sendable, Equatable {
        var status: PingStatus
        var latencyMs: Double?
        var reason: String?
        var metricsJSON: String?
    }

    /// fping, for ICMP probes (nil when it is not installed).
    var fping: ExternalTool? = ExternalTool.find("fping")

    /// Probes `target` at `address` (resolved and checked by the caller).
    func probe(_ target: ProbeTarget, at address: SocketAddress) async -> Outcome {
        if target.method == .icmp {
            guard let fping, let ip = address.ipAddress else {
                return Outcome(status: .down, reason: "icmp probe: fping is not installed on the nadid machine")
            }
            return await ICMPProber(fping: fping).probe(ip, timeoutMilliseconds: target.timeoutMilliseconds)
        }
        let started = ContinuousClock.now
        let timeout = Duration.milliseconds(target.timeoutMilliseconds)
        do {
            let answer = try await withDeadline(timeout) { try await exchange(target, at: address) }
            let latency = (ContinuousClock.now - started).milliseconds
            if let problem = answer { return Outcome(status: .down, latencyMs: latency, reason: problem) }
            return Outcome(status: .up, latencyMs: latency)
        } catch is DeadlineExceeded {
            return Outcome(status: .down, reason: "\(target.method.rawValue) probe: no answer within \(target.timeoutMilliseconds) ms")
        } catch {
            return Outcome(status: .down, reason: "\(target.method.rawValue) probe: \(Self.describe(error))")
        }
    }

    /// Connects and, for RTSP and HTTP, sends one request; returns nil when the answer is good, the
    /// problem otherwise.
    private func exchange(_ target: ProbeTarget, at address: SocketAddress) async throws -> String? {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(target.timeoutMilliseconds)))
            .connect(to: address) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            let request: String
            switch target.method {
            case .tcp, .icmp: return nil
            case .rtsp:
                request = "OPTIONS \(target.requestURI) RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: nadid\r\n\r\n"
            case .http:
                request = "GET \(target.path) HTTP/1.1\r\nHost: \(target.host)\r\nUser-Agent: nadid\r\nConnection: close\r\n\r\n"
            }
            try await outbound.write(ByteBuffer(string: request))
            var head = ""
            for try await chunk in inbound {
                head += String(buffer: chunk)
                if head.contains("\r\n") || head.utf8.count > 4096 { break }
            }
            let statusLine = head.prefix { $0 != "\r" && $0 != "\n" }
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, let code = Int(parts[1]) else {
                return "\(target.method.rawValue) probe: not a \(target.method == .rtsp ? "RTSP" : "HTTP") answer"
            }
            switch target.method {
            case .rtsp:
                return parts[0] == "RTSP/1.0" && code == 200 ? nil : "rtsp probe: OPTIONS answered \(code)"
            default:
                return (200..<400).contains(code) ? nil : "http probe: GET answered \(code)"
            }
        }
    }

    /// A probe failure in a few words, from NIO's error types (never the URL, which may hold credentials).
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            // Every address that was tried failed: say why the first one did.
            return error.connectionErrors.first.map { describe($0.error) } ?? (error.dnsAAAAError ?? error.dnsAError).map { _ in
                "name not resolved"
            }
                ?? "connection failed"
        case ChannelError.connectTimeout:
            return "connect timed out"
        case let error as IOError:
            switch error.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ETIMEDOUT: return "connect timed out"
            case EHOSTUNREACH, ENETUNREACH: return "host unreachable"
            case ECONNRESET: return "connection reset"
            default: return "connection failed"
            }
        default:
            return "connection failed"
        }
    }
}

extension ProbeTarget {
    /// The URL as sent in an RTSP request line, without credentials.
    var requestURI: String { "rtsp://\(host):\(port)\(path)" }

    /// The path and query of the URL (`/` when none).
    var path: String {
        guard let schemeEnd = url.range(of: "://") else { return "/" }
        let rest = url[schemeEnd.upperBound...]
        guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        let path = String(rest[slash...])
        return path.hasPrefix("/") ? path : "/" + path
    }
}
