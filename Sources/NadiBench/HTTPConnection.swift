package import NIOCore
package import NIOHTTP1
import NIOPosix

/// One keep-alive HTTP/1.1 connection, for load generators: requests go one after another, each
/// answer is read whole. Built on SwiftNIO so that thousands of requests a second cost the sender
/// little next to the server it measures.
package enum HTTPConnection {
    /// A whole answer.
    package struct Response: Sendable {
        package var status: Int
        package var headers: [(String, String)]
        package var body: ByteBuffer

        /// The body as text.
        package var text: String { String(buffer: body) }
    }

    /// Opens a connection to `host:port`, runs `body` with it, and closes it.
    package static func with<Result: Sendable>(
        host: String, port: Int, maxResponseBytes: Int = 16 << 20,
        _ body: (HTTPConnection.Requester) async throws -> Result
    ) async throws -> Result {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(NIOHTTPClientResponseAggregator(maxContentLength: maxResponseBytes))
                    return try NIOAsyncChannel<NIOHTTPClientResponseFull, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            let requester = Requester(host: "\(host):\(port)", inbound: inbound.makeAsyncIterator(), outbound: outbound)
            return try await body(requester)
        }
    }

    /// Sends requests over the open connection; one at a time.
    package final class Requester {
        let host: String
        var inbound: NIOAsyncChannelInboundStream<NIOHTTPClientResponseFull>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>

        init(
            host: String, inbound: NIOAsyncChannelInboundStream<NIOHTTPClientResponseFull>.AsyncIterator,
            outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
        ) {
            self.host = host
            self.inbound = inbound
            self.outbound = outbound
        }

        /// `GET path`.
        package func get(_ path: String, headers: [(String, String)] = []) async throws -> Response {
            try await send(method: .GET, path: path, headers: headers)
        }

        /// `POST path` with `body`.
        package func post(_ path: String, headers: [(String, String)] = [], body: ByteBuffer) async throws -> Response {
            try await send(method: .POST, path: path, headers: headers, body: body)
        }

        /// Sends one request and reads its whole answer. Throws when the server closes the connection.
        package func send(
            method: HTTPMethod, path: String, headers: [(String, String)] = [], body: ByteBuffer? = nil
        ) async throws -> Response {
            var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
            head.headers.add(name: "Host", value: host)
            for (name, value) in headers { head.headers.add(name: name, value: value) }
            if let body { head.headers.add(name: "Content-Length", value: String(body.readableBytes)) }
            try await outbound.write(.head(head))
            if let body { try await outbound.write(.body(.byteBuffer(body))) }
            try await outbound.write(.end(nil))
            guard let full = try await inbound.next() else { throw HTTPConnectionClosed() }
            return Response(
                status: Int(full.head.status.code), headers: full.head.headers.map { ($0.name, $0.value) },
                body: full.body ?? ByteBuffer())
        }
    }
}

/// The server closed the connection before answering.
package struct HTTPConnectionClosed: Error, CustomStringConvertible {
    package var description: String { "the server closed the connection before answering" }
}
