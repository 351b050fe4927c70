import Foundation

/// `attributes.snmp` of a fiber link: the switch port that lights it, polled with SNMPv2c GET.
package struct SNMPTarget: Sendable, Equatable {
    package var host: String
    package var port: Int
    /// The SNMP community: a secret; never logged.
    package var community: String
    package var ifIndex: Int
    /// An OID that gives the optical receive power, where the switch offers one.
    package var rxPowerOID: [UInt32]?
    /// The unit of the rx power value in dBm (e.g. 0.01 when the switch reports hundredths).
    package var rxPowerScale: Double
    /// Below this receive power (dBm) the link is degraded.
    package var minRxDBm: Double

    /// Reads `attributes.snmp`; nil when absent or invalid (`problem` says why).
    package init?(_ value: JSONValue?) {
        guard let value, Self.problem(value) == nil, let host = value["host"]?.stringValue,
            let community = value["community"]?.stringValue, let ifIndex = value["if_index"]?.numberValue
        else { return nil }
        self.host = host
        self.port = Int(value["port"]?.numberValue ?? 161)
        self.community = community
        self.ifIndex = Int(ifIndex)
        self.rxPowerOID = value["rx_power_oid"]?.stringValue.flatMap(Self.oid)
        self.rxPowerScale = value["rx_power_scale"]?.numberValue ?? 1
        self.minRxDBm = value["min_rx_dbm"]?.numberValue ?? -25
    }

    /// What is wrong with an `attributes.snmp` value, or nil.
    package static func problem(_ value: JSONValue) -> String? {
        guard case .object = value else { return "attributes.snmp must be an object {host, port, community, if_index}" }
        guard let host = value["host"]?.stringValue, !host.isEmpty, host.utf8.count <= 253 else {
            return "attributes.snmp.host must be the switch's address"
        }
        if let port = value["port"] {
            guard let number = port.numberValue, number == number.rounded(), (1...65535).contains(number) else {
                return "attributes.snmp.port must be 1–65535"
            }
        }
        guard let community = value["community"]?.stringValue, !community.isEmpty, community.utf8.count <= 64 else {
            return "attributes.snmp.community must be the SNMPv2c community (1–64 characters)"
        }
        guard let index = value["if_index"]?.numberValue, index == index.rounded(), index >= 1, index <= 2_147_483_647 else {
            return "attributes.snmp.if_index must be the port's ifIndex (an integer ≥ 1)"
        }
        if let oid = value["rx_power_oid"], oid.stringValue.flatMap(Self.oid) == nil {
            return "attributes.snmp.rx_power_oid must be a numeric OID such as 1.3.6.1.4.1.9.9.91.1.1.1.1.4.1"
        }
        for key in ["rx_power_scale", "min_rx_dbm"] where value[key] != nil && value[key]?.numberValue == nil {
            return "attributes.snmp.\(key) must be a number"
        }
        return nil
    }

    /// Parses a dotted numeric OID (at least two arcs).
    package static func oid(_ text: String) -> [UInt32]? {
        let arcs = text.split(separator: ".", omittingEmptySubsequences: false).map { UInt32($0) }
        guard arcs.count >= 2, arcs.count <= 64, arcs.allSatisfy({ $0 != nil }) else { return nil }
        return arcs.compactMap { $0 }
    }
}

/// `attributes.probe` of a device: how to check that it answers. A URL (`rtsp://`, `http://`,
/// `tcp://host:port`) for cameras and videotrons, or `{"icmp": "host"}` (echo, through `fping`)
/// for any kind.
package struct ProbeTarget: Sendable, Equatable {
    package enum Method: String, Sendable {
        case rtsp, http, tcp, icmp
    }

    package var method: Method
    package var host: String
    package var port: Int
    /// The whole URL (may hold credentials: never logged; `redacted` is).
    package var url: String
    package var timeoutMilliseconds: Int

    /// Reads `attributes.probe`; nil when absent or invalid.
    package init?(_ value: JSONValue?) {
        guard let value, Self.problem(value) == nil else { return nil }
        self.timeoutMilliseconds = Int(value["timeout_ms"]?.numberValue ?? 2000)
        if let host = value["icmp"]?.stringValue {
            (method, self.host, port, url) = (.icmp, host, 0, "icmp://\(host)")
            return
        }
        guard let url = value["url"]?.stringValue, let parts = Self.split(url) else { return nil }
        (method, host, port) = parts
        self.url = url
    }

    /// A probe of a camera's stream URL, for a camera whose picture is checked but that names no
    /// probe of its own: RTSP `OPTIONS` or HTTP `GET` on the stream, a TCP connect for `rtsps` and `https`.
    package init?(streamURL url: String) {
        let scheme = ImageCheckSettings.scheme(of: url)
        let plain: String
        switch scheme {
        case "rtsp", "http": plain = url
        case "rtsps", "https":
            guard let parts = Self.split("tcp" + url.dropFirst(scheme.count), defaultPort: scheme == "rtsps" ? 322 : 443) else {
                return nil
            }
            plain = "tcp://\(parts.1.contains(":") ? "[\(parts.1)]" : parts.1):\(parts.2)"
        default: return nil
        }
        guard let parts = Self.split(plain) else { return nil }
        (method, host, port) = parts
        self.url = plain == url ? url : plain
        self.timeoutMilliseconds = 2000
    }

    /// The URL without user name and password, for logs and reasons.
    package var redacted: String { method == .icmp ? "icmp://\(host)" : "\(method.rawValue)://\(host):\(port)" }

    /// What is wrong with an `attributes.probe` value, or nil.
    package static func problem(_ value: JSONValue) -> String? {
        guard case .object = value else { return shape }
        if let icmp = value["icmp"] {
            guard value["url"] == nil else { return "attributes.probe takes either url or icmp, not both" }
            guard let host = icmp.stringValue, !host.isEmpty, host.utf8.count <= 253,
                host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":" })
            else { return "attributes.probe.icmp must be a host name or an IP address, e.g. \"10.1.2.3\"" }
            return timeoutProblem(value)
        }
        guard let url = value["url"]?.stringValue else { return shape }
        guard url.utf8.count <= 1024, split(url) != nil else {
            return "attributes.probe.url must be rtsp://host[:port]/…, http://host[:port]/… or tcp://host:port"
        }
        return timeoutProblem(value)
    }

    private static let shape =
        "attributes.probe must be an object {url: \"rtsp://…\" | \"http://…\" | \"tcp://host:port\", timeout_ms} or {icmp: \"host\"}"

    private static func timeoutProblem(_ value: JSONValue) -> String? {
        if let timeout = value["timeout_ms"] {
            guard let number = timeout.numberValue, (50...60_000).contains(number) else {
                return "attributes.probe.timeout_ms must be 50–60000"
            }
        }
        return nil
    }

    /// (method, host, port) of a probe URL.
    static func split(_ url: String, defaultPort: Int? = nil) -> (Method, String, Int)? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        guard let method = Method(rawValue: url[..<schemeEnd.lowerBound].lowercased()) else { return nil }
        var authority = url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host = Substring(authority)
        var port: Int
        switch method {
        case .rtsp: port = 554
        case .http: port = 80
        case .tcp: port = defaultPort ?? 0
        case .icmp: return nil
        }
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if rest.hasPrefix(":") {
                guard let number = Int(rest.dropFirst()) else { return nil }
                port = number
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard let number = Int(host[host.index(after: colon)...]) else { return nil }
            port = number
            host = host[..<colon]
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        return (method, String(host), port)
    }
}
