import Foundation

/// A camera link as it may be shown to people who are not signed in (public school pages) and in
/// exports: parsed by Foundation's RFC 3986 parser, `http(s)` or `rtsp(s)` only, without user
/// info, without path or query parts that look like credentials (`user=…&password=…`,
/// `loginuse=…`), on a host the internet can reach (`HostReach`). Anything else is not shown at
/// all: a link is dropped rather than half-cleaned, since a cleaned link that needs its
/// credentials would not work anyway.
package enum PublicLink {
    /// The schemes a link may have.
    package static let schemes: Set<String> = ["http", "https", "rtsp", "rtsps"]

    /// `raw` as it may be shown (the fragment dropped), or nil when it may not be shown.
    package static func shown(_ raw: String) -> String? {
        refusal(raw) == nil ? normalized(raw) : nil
    }

    /// Why `raw` may not be shown publicly, in words for the operator who registers it; nil when it may.
    package static func refusal(_ raw: String) -> String? {
        guard raw.utf8.count <= 2048 else { return "is longer than 2048 bytes" }
        guard !raw.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "\\" }) else {
            return "contains spaces, control characters or backslashes"
        }
        // User info is a credential; an '@' anywhere else is how parsers are told apart (one reads
        // `rtsp://admin:pa/ss@host/x` as host `admin`, a camera client as host `host`).
        guard !raw.contains("@") else { return "contains '@' (user names and passwords are never shown)" }
        guard let components = URLComponents(string: raw), let scheme = components.scheme?.lowercased() else {
            return "is not a URL"
        }
        guard schemes.contains(scheme) else { return "must be an http, https, rtsp or rtsps link" }
        guard components.user == nil, components.password == nil else { return "carries a user name or password" }
        guard let host = components.percentEncodedHost, !host.isEmpty else { return "has no host" }
        guard HostReach.isPublic(host) else {
            return
                "names host '\(host.prefix(64))', which is not reachable from the internet (a private, loopback or internal name or address)"
        }
        let parts = [components.percentEncodedPath, components.percentEncodedQuery ?? ""]
        if parts.contains(where: looksLikeCredentials) { return "has a path or query that looks like a user name, password or key" }
        return nil
    }

    /// Scheme, host, port, path and query as parsed; nil when not a URL.
    static func normalized(_ raw: String) -> String? {
        guard var components = URLComponents(string: raw) else { return nil }
        components.fragment = nil
        components.scheme = components.scheme?.lowercased()
        return components.string
    }

    /// Names of parameters that carry secrets in camera URLs (vendors' spellings included).
    static let secretNames = [
        "user", "usr", "login", "pass", "pwd", "pw", "token", "auth", "key", "secret", "credential", "session", "sig",
    ]

    /// True when a `name=value` pair in `text` (split at `/`, `;`, `&` and `?`) has a name that
    /// names a secret (`password`, `loginpas`, `api_key`, `user`).
    static func looksLikeCredentials(_ text: String) -> Bool {
        let decoded = (text.removingPercentEncoding ?? text).lowercased()
        let pairs = decoded.split(whereSeparator: { "/;&?".contains($0) })
        return pairs.contains { pair in
            guard let equals = pair.firstIndex(of: "=") else { return false }
            let name = pair[..<equals]
            return secretNames.contains { name.contains($0) }
        }
    }
}
