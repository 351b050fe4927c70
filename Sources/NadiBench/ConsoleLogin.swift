import Foundation
import NIOCore

/// Logs in to a running nadid's console through its form, as a browser does (the login CSRF
/// cookie and field, then the session cookie): for the console benchmark and the tests that drive
/// a built nadid.
package enum ConsoleLogin {
    /// The session cookie (`nadi_session=…`) of `name` at `host:port`.
    package static func session(host: String, port: Int, name: String, password: String) async throws -> String {
        try await HTTPConnection.with(host: host, port: port) { http in
            let form = try await http.get("/login")
            let token = hidden("login_csrf", in: form.text) ?? ""
            let loginCookie =
                form.headers.first { $0.0.lowercased() == "set-cookie" && $0.1.hasPrefix("nadi_login=") }?.1
                .split(separator: ";").first.map(String.init) ?? ""
            let body = "login_csrf=\(token)&name=\(name)&password=\(password)&next=/"
            let answer = try await http.post(
                "/login", headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", loginCookie)],
                body: ByteBuffer(string: body))
            guard answer.status == 303,
                let session = answer.headers.first(where: { $0.0.lowercased() == "set-cookie" && $0.1.hasPrefix("nadi_session=") })?.1
                    .split(separator: ";").first
            else { throw BenchError("console login as \(name) failed: HTTP \(answer.status)") }
            return String(session)
        }
    }

    /// The value of the hidden form field `name` in `html`.
    static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
