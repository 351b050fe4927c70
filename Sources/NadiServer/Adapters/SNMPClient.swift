import NIOCore
import NIOPosix
import NadiCore
import NadiSupport

/// SNMPv2c GET over UDP, on SwiftNIO.
struct SNMPClient: Sendable {
    /// No answer within the timeout (after the retries).
    struct NoAnswer: Error, CustomStringConvertible {
        var description: String { "no SNMP answer" }
    }

    /// Asks `address` for `oids`; tries `1 + retries` times, each waiting `timeout`.
    func get(
        address: SocketAddress, community: String, oids: [[UInt32]], timeout: Duration, retries: Int = 1
    ) async throws -> SNMPMessage.Response {
        for _ in 0...retries {
            let requestID = Int32.random(in: 1...Int32.max)
            let request = ByteBuffer(bytes: SNMPMessage.getRequest(community: community, requestID: requestID, oids: oids))
            let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: address.protocol == .inet6 ? "::" : "0.0.0.0", port: 0) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(
                            wrappingChannelSynchronously: channel)
                    }
                }
            let answer = try await channel.executeThenClose { inbound, outbound -> SNMPMessage.Response? in
                try await outbound.write(AddressedEnvelope(remoteAddress: address, data: request))
                return try? await withDeadline(timeout) {
                    for try await envelope in inbound {
                        if let response = try? SNMPMessage.decodeResponse(Array(envelope.data.readableBytesView)),
                            response.requestID == requestID
                        {
                            return response
                        }
                    }
                    throw NoAnswer()
                }
            }
            if let answer { return answer }
        }
        throw NoAnswer()
    }
}
