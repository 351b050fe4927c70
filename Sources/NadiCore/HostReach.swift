#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether a URL's host is reachable from the internet at large, judged the way the resolver reads
/// it: every spelling of an IPv4 address `inet_aton` accepts (`127.1`, `0177.0.0.1`, `2130706433`,
/// `0x7f.0.0.1`), IPv6 (loopback, unique-local, link-local, mapped and embedded IPv4), and names
/// (single-label, `localhost`, and the suffixes networks use for themselves: `.local`,
/// `.internal`, `.lan`, …). A link to a host that is not public works only inside the city's
/// network and names its layout, so nothing public shows it.
package enum HostReach {
    /// True when `host` (as in a URL: brackets around IPv6 allowed, a trailing dot allowed) is a
    /// public address or a public DNS name.
    package static func isPublic(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name.contains(":") { return ipv6(name).map(isPublicIPv6) ?? false }
        if name.hasSuffix(".") { name.removeLast() }
        guard !name.isEmpty, !name.hasSuffix(".") else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if let last = labels.last, looksNumeric(last) {
            // The resolver reads it as an address (inet_aton); one it cannot read is no public host.
            return ipv4(name).map(isPublicIPv4) ?? false
        }
        guard labels.count >= 2, labels.allSatisfy(isHostLabel) else { return false }
        if labels.contains("localhost") { return false }
        if let last = labels.last, internalSuffixes.contains(last) { return false }
        if labels.suffix(2) == ["home", "arpa"] { return false }
        return true
    }

    /// Top-level labels that name private networks, tests or nothing (RFC 6761, 6762, 8375, ICANN).
    static let internalSuffixes: Set<String> = [
        "local", "localhost", "localdomain", "internal", "intranet", "lan", "home", "corp", "private", "test", "invalid", "example",
        "arpa", "onion", "alt",
    ]

    static func isHostLabel(_ label: String) -> Bool {
        guard !label.isEmpty, label.utf8.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-") else { return false }
        return label.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F }
    }

    /// A label the resolver takes for part of a number: digits, or `0x` and hex digits.
    static func looksNumeric(_ label: String) -> Bool {
        guard let first = label.utf8.first else { return false }
        return first >= 0x30 && first <= 0x39
    }

    /// The address `inet_aton` reads from `text` (one to four parts, each decimal, octal with a
    /// leading 0, or hex with 0x; the last part fills the remaining bytes), or nil.
    package static func ipv4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for part in parts {
            guard let value = number(part) else { return nil }
            values.append(value)
        }
        var address: UInt64 = 0
        for (index, value) in values.dropLast().enumerated() {
            guard value <= 0xFF else { return nil }
            address |= value << (24 - 8 * UInt64(index))
        }
        let rest = UInt64(4 - (values.count - 1))
        guard let last = values.last, last < (UInt64(1) << (8 * rest)) else { return nil }
        return UInt32(address | last)
    }

    private static func number(_ part: Substring) -> UInt64? {
        let lower = part.lowercased()
        if lower.hasPrefix("0x") {
            let digits = lower.dropFirst(2)
            return digits.isEmpty ? 0 : (digits.count <= 16 ? UInt64(digits, radix: 16) : nil)
        }
        if lower.count > 1, lower.hasPrefix("0") { return lower.count <= 23 ? UInt64(lower.dropFirst(), radix: 8) : nil }
        return lower.isEmpty || lower.count > 20 ? nil : UInt64(lower)
    }

    /// False for this-network, private, shared (CGNAT), loopback, link-local, IETF, documentation,
    /// benchmarking, multicast and reserved IPv4 ranges.
    package static func isPublicIPv4(_ address: UInt32) -> Bool {
        let ranges: [(UInt32, Int)] = [
            (0x0000_0000, 8), (0x0A00_0000, 8), (0x6440_0000, 10), (0x7F00_0000, 8), (0xA9FE_0000, 16), (0xAC10_0000, 12),
            (0xC000_0000, 24), (0xC000_0200, 24), (0xC058_6300, 24), (0xC0A8_0000, 16), (0xC612_0000, 15), (0xC633_6400, 24),
            (0xCB00_7100, 24), (0xE000_0000, 3),
        ]
        return !ranges.contains { base, bits in address >> (32 - UInt32(bits)) == base >> (32 - UInt32(bits)) }
    }

    /// The 16 bytes of an IPv6 address (`inet_pton`), or nil.
    package static func ipv6(_ text: String) -> [UInt8]? {
        // A zone (`fe80::1%eth0`) names an interface of this machine: link-local by definition.
        guard !text.contains("%") else { return nil }
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    /// Global unicast (2000::/3) only, less documentation; addresses that carry an IPv4 address
    /// (mapped, NAT64, 6to4) are judged by it.
    package static func isPublicIPv6(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == 16 else { return false }
        func v4(_ offset: Int) -> UInt32 {
            bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return isPublicIPv4(v4(12)) }
        if bytes[0..<12] == [0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return isPublicIPv4(v4(12)) }
        if bytes[0] == 0x20, bytes[1] == 0x02 { return isPublicIPv4(v4(2)) }
        if bytes[0] == 0x20, bytes[1] == 0x01, bytes[2] == 0x0D, bytes[3] == 0xB8 { return false }
        return bytes[0] & 0xE0 == 0x20
    }
}
