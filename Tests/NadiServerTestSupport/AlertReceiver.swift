import Crypto
package import Foundation
package import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NadiTestSupport
import ServiceLifecycle
import Synchronization

/// A real HTTP server on a loopback port that stands in for a webhook receiver or Telegram's Bot
/// API: it records every request and answers as the test says (by request number, from 0).
package final class AlertReceiver: Sendable {
    package struct Received: Sendable {
        package var path: String
        package var headers: HTTPFields
        package var body: Data
        package var at: ContinuousClock.Instant

        package var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        package var eventID: String? { headers[HTTPField.Name("Nadi-Event-Id")!] }
    }

    /// How to answer one request.
    package enum Answer: Sendable {
        case status(HTTPResponse.Status, String = "")
        /// A status with headers (`Retry-After`).
        case headers(HTTPResponse.Status, String, [String: String])
        /// Never answer (until the server stops).
        case hang
    }

    private let received = Mutex<[Received]>([])
    private let answer: @Sendable (Int, Received) -> Answer
    package let port: Int

    private init(port: Int, answer: @escaping @Sendable (Int, Received) -> Answer) {
        self.port = port
        self.answer = answer
    }

    package var requests: [Received] { received.withLock { $0 } }
    package var url: String { "http://127.0.0.1:\(port)" }

    /// Waits until at least `count` requests arrived, up to `timeout`; returns them.
    @discardableResult
    package func waitFor(_ count: Int, timeout: Duration = .seconds(30)) async throws -> [Received] {
        let deadline = ContinuousClock.now + timeout
        while requests.count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        return requests
    }

    fileprivate func handle(_ request: Received) async -> Response {
        let index = received.withLock { list -> Int in
            list.append(request)
            return list.count - 1
        }
        switch answer(index, request) {
        case .status(let status, let body):
            return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        case .headers(let status, let body, let extra):
            var fields: HTTPFields = [.contentType: "application/json"]
            for (name, value) in extra { if let field = HTTPField.Name(name) { fields[field] = value } }
            return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
        case .hang:
            try? await Task.sleep(for: .seconds(3600))
            return Response(status: .serviceUnavailable)
        }
    }

    /// Runs a receiver for the duration of `body`.
    package static func with<T: Sendable>(
        answer: @escaping @Sendable (Int, Received) -> Answer = { _, _ in .status(.ok, #"{"ok":true}"#) },
        _ body: @Sendable (AlertReceiver) async throws -> T
    ) async throws -> T {
        let port = ChildProcess.freePort()
        let receiver = AlertReceiver(port: port, answer: answer)
        let router = Router()
        let record: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            return await receiver.handle(
                Received(path: request.uri.path, headers: request.headers, body: Data(bytes.readableBytesView), at: .now))
        }
        router.post("/", use: record)
        router.post("**", use: record)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            logger: Logger(label: "receiver") { _ in SwiftLogNoOpLogHandler() })
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            // Wait until it accepts connections.
            for _ in 0..<100 {
                if (try? await RawTCPConnection.with(port: port) { _ in true }) == true { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            defer { group.cancelAll() }
            let result = try await body(receiver)
            return result
        }
    }

    /// True when `received` carries a valid `Nadi-Signature` for `secret`.
    package static func signatureValid(_ received: Received, secret: String) -> Bool {
        let code = HMAC<SHA256>.authenticationCode(for: received.body, using: SymmetricKey(data: Data(secret.utf8)))
        let expected = "sha256=" + code.map { String(format: "%02x", $0) }.joined()
        return received.headers[HTTPField.Name("Nadi-Signature")!] == expected
    }
}
