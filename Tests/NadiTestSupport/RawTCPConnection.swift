import NIOCore
import NIOPosix

/// A plain TCP connection for tests that must misbehave on purpose: send half a request, stall,
/// trickle, hang up. Bytes in, bytes out, nothing parsed.
package struct RawTCPConnection: ~Copyable {
    private let inbound: NIOAsyncChannelInboundStream<ByteBuffer>
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    /// Connects to `host:port`, runs `body`, and closes the connection (hangs up) when it returns.
    package static func with<T: Sendable>(
        host: String = "127.0.0.1", port: Int, _ body: (borrowing RawTCPConnection) async throws -> T
    ) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(RawTCPConnection(inbound: inbound, outbound: outbound))
        }
    }

    private init(inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.inbound = inbound
        self.outbound = outbound
    }

    /// Sends `text` as it is.
    package func send(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    /// Sends `text` one byte every `interval` while reading; returns what the server sent until it
    /// closed the connection (or `timeout` passed).
    package func trickle(_ text: String, every interval: Duration, timeout: Duration) async -> (text: String, closed: Bool) {
        let writer = outbound
        return await withTaskGroup(of: (String, Bool)?.self) { group in
            group.addTask {
                for byte in text.utf8 {
                    guard (try? await writer.write(ByteBuffer(bytes: [byte]))) != nil else { break }
                    try? await Task.sleep(for: interval)
                }
                return nil
            }
            let answer = await readUntilClosed(timeout: timeout)
            group.cancelAll()
            return answer
        }
    }

    /// Everything the server sends until it closes the connection or `timeout` passes; `closed`
    /// says which happened.
    package func readUntilClosed(timeout: Duration) async -> (text: String, closed: Bool) {
        let stream = inbound
        return await withTaskGroup(of: (String, Bool)?.self) { group in
            group.addTask {
                var text = ""
                do {
                    for try await chunk in stream { text += String(buffer: chunk) }
                } catch {}
                return (text, true)
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? ("", false)
        }
    }
}
