package import NIOCore
import NIOPosix

/// Which addresses nadid may poll. An inventory token names the hosts nadid probes and can read
/// the result, so without a limit it could use nadid as a scanner of the machine itself or of
/// link-local services (cloud metadata at 169.254.169.254). Loopback, link-local and unspecified
/// addresses are refused unless the operator allows a range (`nadid --probe-allow CIDR`).
package struct ProbeAddressPolicy: Sendable {
    /// An address range such as `127.0.0.0/8` or `fe80::/10`.
    package struct Range: Sendable, CustomStringConvertible {
        let bytes: [UInt8]
        let prefix: Int
        package let description: String

        /// Parses `address/prefix` (a bare address is a single host).
        package init?(_ text: String) {
            let parts = text.split(separator: "/", maxSplits: 1)
            guard let first = parts.first, let bytes = ProbeAddressPolicy.bytes(ofLiteral: String(first)) else { return nil }
            let prefix = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
            guard let prefix, (0...(bytes.count * 8)).contains(prefix) else { return nil }
            self.bytes = bytes
            self.prefix = prefix
            self.description = text
        }

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefix
            for (a, b) in zip(address, bytes) where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if a & mask != b & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    static let restricted: [(Range, String)] = [
        ("127.0.0.0/8", "loopback"), ("::1/128", "loopback"), ("169.254.0.0/16", "link-local"), ("fe80::/10", "link-local"),
        ("0.0.0.0/8", "unspecified"), ("::/128", "unspecified"),
    ].compactMap { text, kind in Range(text).map { ($0, kind) } }

    package let allowed: [Range]

    package init(allowed: [Range] = []) { self.allowed = allowed }

    /// Why `address` may not be probed, or nil.
    package func refusal(_ address: SocketAddress) -> String? {
        guard let bytes = Self.bytes(of: address) else { return nil }
        return refusal(bytes: bytes, shown: address.ipAddress ?? "")
    }

    /// Why a host given as a literal address (or `localhost`) may not be probed, or nil (names that
    /// need DNS are checked when they are resolved).
    package func refusal(literalHost host: String) -> String? {
        if host.lowercased() == "localhost" { return refusal(bytes: [127, 0, 0, 1], shown: host) }
        guard let bytes = Self.bytes(ofLiteral: host) else { return nil }
        return refusal(bytes: bytes, shown: host)
    }

    private func refusal(bytes: [UInt8], shown: String) -> String? {
        // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged as the IPv4 address it is.
        let address =
            bytes.count == 16 && bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF
            ? Array(bytes[12...]) : bytes
        guard let kind = Self.restricted.first(where: { $0.0.contains(address) })?.1 else { return nil }
        if allowed.contains(where: { $0.contains(address) }) { return nil }
        return "\(shown) is a \(kind) address; nadid probes \(kind) addresses only when started with --probe-allow CIDR"
    }

    /// Resolves `host` off the event loops (getaddrinfo blocks) and checks the address.
    func resolve(host: String, port: Int) async throws -> SocketAddress {
        let address = try await NIOThreadPool.singleton.runIfActive { try SocketAddress.makeAddressResolvingHost(host, port: port) }
        if let refusal = refusal(address) { throw ProbeRefused(description: refusal) }
        return address
    }

    static func bytes(ofLiteral text: String) -> [UInt8]? {
        guard let address = try? SocketAddress(ipAddress: text, port: 0) else { return nil }
        return bytes(of: address)
    }

    static func bytes(of address: SocketAddress) -> [UInt8]? {
        switch address {
        case .v4(let v4):
            return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case .v6(let v6):
            return withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        default:
            return nil
        }
    }
}

/// A probe target the policy refuses.
struct ProbeRefused: Error, CustomStringConvertible {
    let description: String
}
